package org.retinasynth.bench;

import com.jayway.jsonpath.JsonPath;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.retinasynth.RetinaSynthApplication;
import org.retinasynth.model.TorchRuntime;
import org.retinasynth.dataset.PhantomGenerator;
import org.retinasynth.dataset.SampleGrid;
import org.retinasynth.testsupport.MultipartBody;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Bounded load on loopback while a training job runs: N clients (default 50) for T seconds
 * (default 60) upload small images, poll the training job and download sample grids. Prints per
 * operation throughput, p50/p99 latency and status codes, and the job's progress during the window.
 *
 * <p>Run with {@code bench/load.sh}.
 */
public final class LoadBench {

    private static final String KEY = "rsk_load-bench-key-000000000000000000";

    record Sample(String op, int status, long nanos) {
    }

    public static void main(String[] args) throws Exception {
        int clients = Integer.getInteger("load.clients", 50);
        int seconds = Integer.getInteger("load.seconds", 60);
        Path work = Files.createTempDirectory("retinasynth-load-");
        System.out.printf(Locale.ROOT, "cores=%d clients=%d seconds=%d java=%s%n",
                Runtime.getRuntime().availableProcessors(), clients, seconds, System.getProperty("java.version"));
        try (ConfigurableApplicationContext app = SpringApplication.run(RetinaSynthApplication.class,
                "--server.port=0", "--retinasynth.data-dir=" + work, "--retinasynth.security.bootstrap-key=" + KEY,
                "--logging.level.root=WARN", "--server.tomcat.threads.max=200")) {
            int port = ((WebServerApplicationContext) app).getWebServer().getPort();
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                    .executor(java.util.concurrent.Executors.newFixedThreadPool(clients)).build();
            String base = "http://127.0.0.1:" + port;

            String demo = send(http, post(base + "/api/v1/datasets/demo", "{\"name\":\"load-train\","
                    + "\"countsPerGrade\":[40,40,40,40,40],\"imageSize\":128,\"workingSize\":64,\"seed\":1}")).body();
            String trainSet = JsonPath.read(demo, "$.id");
            String job = JsonPath.read(send(http, post(base + "/api/v1/training-jobs", "{\"datasetId\":\"" + trainSet
                    + "\",\"modelType\":\"DVAE\",\"epochs\":200,\"batchSize\":32,\"seed\":1,"
                    + "\"corruption\":{\"components\":[{\"name\":\"gaussian\",\"severity\":0.4,\"probability\":1.0}]}}"))
                    .body(), "$.id");
            String uploads = JsonPath.read(send(http, post(base + "/api/v1/datasets",
                    "{\"name\":\"load-uploads\",\"splitSeed\":1}")).body(), "$.id");
            waitForSteps(http, base, job);
            // The reference: the same job's steps per second with no client, just before the window.
            int idleSeconds = Integer.getInteger("load.idleSeconds", 20);
            String idleStart = send(http, get(base + "/api/v1/training-jobs/" + job)).body();
            long idleT0 = System.nanoTime();
            Thread.sleep(idleSeconds * 1000L);
            String startJob = send(http, get(base + "/api/v1/training-jobs/" + job)).body();
            double idleStepsPerSecond = steps(idleStart, startJob) / ((System.nanoTime() - idleT0) / 1e9);
            long windowT0 = System.nanoTime();

            byte[][] images = new byte[20][];
            PhantomGenerator gen = new PhantomGenerator(7);
            for (int i = 0; i < images.length; i++) {
                images[i] = SampleGrid.png(gen.render(i % 5, 64));
            }
            List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
            AtomicInteger uploaded = new AtomicInteger();
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            CountDownLatch done = new CountDownLatch(clients);
            for (int c = 0; c < clients; c++) {
                int client = c;
                Thread t = new Thread(() -> {
                    SplittableRandom r = new SplittableRandom(client);
                    try {
                        while (System.nanoTime() < end) {
                            int pick = r.nextInt(10);
                            String op;
                            HttpRequest req;
                            if (pick < 4) {
                                op = "upload";
                                int n = uploaded.incrementAndGet();
                                req = multipart(base + "/api/v1/datasets/" + uploads + "/images?grade=" + (n % 5),
                                        "c" + client + "_" + n + ".png", images[n % images.length]);
                            } else if (pick < 8) {
                                op = "poll job";
                                req = get(base + "/api/v1/training-jobs/" + job);
                            } else {
                                op = "grid.png";
                                req = get(base + "/api/v1/datasets/" + trainSet + "/grid.png");
                            }
                            long t0 = System.nanoTime();
                            int status;
                            try {
                                status = http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode();
                            } catch (Exception e) {
                                status = -1;
                            }
                            samples.add(new Sample(op, status, System.nanoTime() - t0));
                        }
                    } finally {
                        done.countDown();
                    }
                }, "client-" + c);
                t.start();
            }
            done.await();
            String endJob = send(http, get(base + "/api/v1/training-jobs/" + job)).body();
            double loadedStepsPerSecond = steps(startJob, endJob) / ((System.nanoTime() - windowT0) / 1e9);
            send(http, HttpRequest.newBuilder(URI.create(base + "/api/v1/training-jobs/" + job + "/cancel"))
                    .header("X-API-Key", KEY).POST(HttpRequest.BodyPublishers.noBody()).build());
            report(samples, seconds);
            System.out.printf(Locale.ROOT, "libtorch intra-op threads: %d of %d cores%n",
                    TorchRuntime.info().intraOpThreads(), Runtime.getRuntime().availableProcessors());
            System.out.printf(Locale.ROOT, "training steps/s: idle %.2f (%d s before the window), under load %.2f"
                            + " -> %.2f of idle (target >= 0.50)%n", idleStepsPerSecond, idleSeconds,
                    loadedStepsPerSecond, loadedStepsPerSecond / idleStepsPerSecond);
            System.out.printf(Locale.ROOT, "training job during the window: epoch %s step %s -> epoch %s step %s"
                            + " (%s images/s at the end, state %s)%n",
                    JsonPath.read(startJob, "$.epoch"), JsonPath.read(startJob, "$.step"),
                    JsonPath.read(endJob, "$.epoch"), JsonPath.read(endJob, "$.step"),
                    JsonPath.read(endJob, "$.imagesPerSecond"), JsonPath.read(endJob, "$.state"));
        }
    }

    private static void report(List<Sample> samples, int seconds) {
        Map<String, List<Sample>> byOp = new TreeMap<>();
        for (Sample s : samples) {
            byOp.computeIfAbsent(s.op(), k -> new ArrayList<>()).add(s);
            byOp.computeIfAbsent("all", k -> new ArrayList<>()).add(s);
        }
        System.out.printf(Locale.ROOT, "%-10s %8s %8s %9s %9s  %s%n", "operation", "requests", "req/s", "p50 ms",
                "p99 ms", "status codes");
        for (var e : byOp.entrySet()) {
            long[] ns = e.getValue().stream().mapToLong(Sample::nanos).sorted().toArray();
            Map<Integer, Integer> codes = new TreeMap<>();
            e.getValue().forEach(s -> codes.merge(s.status(), 1, Integer::sum));
            System.out.printf(Locale.ROOT, "%-10s %8d %8.1f %9.1f %9.1f  %s%n", e.getKey(), ns.length,
                    (double) ns.length / seconds, ns[ns.length / 2] / 1e6, ns[(int) (ns.length * 0.99)] / 1e6, codes);
        }
        long[] polls = byOp.getOrDefault("poll job", List.of()).stream().mapToLong(Sample::nanos).sorted().toArray();
        if (polls.length > 0) {
            System.out.printf(Locale.ROOT, "job-status p99 %.1f ms (target <= 100)%n",
                    polls[(int) (polls.length * 0.99)] / 1e6);
        }
        long fiveXx = samples.stream().filter(s -> s.status() >= 500 || s.status() < 0).count();
        System.out.println("5xx or transport errors: " + fiveXx);
    }

    private static long steps(String before, String after) {
        return ((Number) JsonPath.read(after, "$.step")).longValue() - ((Number) JsonPath.read(before, "$.step")).longValue();
    }

    private static void waitForSteps(HttpClient http, String base, String job) throws Exception {
        long end = System.currentTimeMillis() + 300_000;
        while (System.currentTimeMillis() < end) {
            String body = send(http, get(base + "/api/v1/training-jobs/" + job)).body();
            Object step = JsonPath.read(body, "$.step");
            if (step instanceof Number n && n.longValue() > 0) {
                return;
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("the training job never started");
    }

    private static HttpRequest get(String url) {
        return HttpRequest.newBuilder(URI.create(url)).header("X-API-Key", KEY).GET().build();
    }

    private static HttpRequest post(String url, String json) {
        return HttpRequest.newBuilder(URI.create(url)).header("X-API-Key", KEY)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build();
    }

    private static HttpRequest multipart(String url, String filename, byte[] png) {
        return HttpRequest.newBuilder(URI.create(url)).header("X-API-Key", KEY)
                .header("Content-Type", MultipartBody.CONTENT_TYPE)
                .POST(MultipartBody.file("files", filename, "image/png", png)).build();
    }

    private static HttpResponse<String> send(HttpClient http, HttpRequest request) throws Exception {
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 300) {
            throw new IllegalStateException(request.uri() + " -> " + r.statusCode() + ": " + r.body());
        }
        return r;
    }
}
