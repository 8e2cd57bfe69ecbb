package org.retinasynth.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.retinasynth.testsupport.IntegrationTest;
import org.retinasynth.testsupport.ServiceProcess;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Python client as a user runs it: installed with pip (offline, into a temp folder) and driving
 * examples/python/augment_and_compare.py against the embedded service end to end, every request
 * through Stoplight Prism in proxy mode, which checks requests and responses against the committed
 * openapi/openapi.json: an implementation of the spec other than ours, so a response our own tests
 * read leniently still has to match what clients generated from the spec expect. Needs python3 with
 * requests and pip, and node with tools/lint's modules; .ci/run installs all of them.
 */
@IntegrationTest
class PythonExampleTest {

    private static final Path PRISM = Path.of("tools/lint/node_modules/.bin/prism");

    @TempDir
    Path tmp;

    @Test
    void theExampleRunsEndToEndThroughPrismAndEveryResponseMatchesTheSpec() throws Exception {
        assumeTrue(works("node", "--version") && Files.isExecutable(PRISM),
                "Prism is not installed: needs node and `cd tools/lint && npm ci --ignore-scripts` (.ci/run does both)");
        Path data = Files.createDirectories(tmp.resolve("data"));
        Path site = tmp.resolve("site");
        run(tmp.resolve("pip.log"), 180, null, "python3", "-m", "pip", "install", "--quiet", "--no-index", "--no-deps",
                "--target", site.toString(), "./clients/python");
        assertThat(site.resolve("retinasynth_client/client.py")).exists();

        Path out = tmp.resolve("out");
        Path prismLog = tmp.resolve("prism.log");
        List<String> findings;
        List<String> requests;
        try (ServiceProcess service = ServiceProcess.start(data, "service.log")) {
            int port = freePort();
            ProcessBuilder pb = new ProcessBuilder(PRISM.toString(), "proxy", "--errors", "--host", "127.0.0.1",
                    "--port", String.valueOf(port), "openapi/openapi.json", service.uri("").toString())
                    .redirectErrorStream(true).redirectOutput(prismLog.toFile());
            pb.environment().put("FORCE_COLOR", "0");
            Process prism = pb.start();
            try (PrismRecorder recorder = new PrismRecorder(URI.create("http://127.0.0.1:" + port), service.uri(""))) {
                awaitListening(prism, port, prismLog);
                try {
                    String log = run(tmp.resolve("example.log"), 600, site, "python3",
                            "examples/python/augment_and_compare.py", "--url", recorder.url(), "--key", ServiceProcess.KEY,
                            "--small", "--quiet", "--out", out.toString());
                    assertThat(log).contains("REAL", "balancedAccuracy", "report:");
                } catch (AssertionError e) {
                    // with --errors an invalid response reaches the example as Prism's 500: say what Prism found
                    throw new AssertionError(e.getMessage() + "\nPrism found:\n" + String.join("\n", recorder.findings()), e);
                }
                findings = recorder.findings();
                requests = recorder.requests();
            } finally {
                prism.destroy();
                prism.waitFor(10, TimeUnit.SECONDS);
            }
        }
        assertThat(out.resolve("report.html")).exists().isNotEmptyFile();
        assertThat(Files.readString(out.resolve("report.html"))).contains("<html");
        assertThat(out.resolve("synthetic/manifest.csv")).exists();

        Map<Pattern, String> operations = specOperations();
        TreeSet<String> covered = new TreeSet<>();
        for (String request : requests) {
            // a literal segment wins over a template: POST /datasets/demo is not POST /datasets/{id}
            operations.entrySet().stream().filter(e -> e.getKey().matcher(request).matches()).map(Map.Entry::getValue)
                    .min(Comparator.comparingLong(op -> op.chars().filter(c -> c == '{').count()))
                    .ifPresent(covered::add);
        }
        List<String> terminated = Files.readAllLines(prismLog, StandardCharsets.UTF_8).stream()
                .filter(l -> l.contains("Request terminated with error")).toList();
        System.out.printf("Prism validated %d requests over %d of %d operations, %d violations: %s%n", requests.size(),
                covered.size(), operations.size(), findings.size() + terminated.size(), covered);
        assertThat(findings).as("requests or responses that do not match openapi/openapi.json").isEmpty();
        assertThat(terminated).as("exchanges Prism could not complete").isEmpty();
        assertThat(requests.size()).as("requests through Prism").isGreaterThan(10);
        assertThat(covered).contains("POST /api/v1/datasets/demo", "POST /api/v1/training-jobs",
                "POST /api/v1/generations", "POST /api/v1/studies", "GET /api/v1/generations/{id}/images.zip",
                "GET /api/v1/studies/{id}/report.html");
    }

    /** "METHOD /path/{param}" of each operation in the committed spec, keyed by a pattern matching its requests. */
    private static Map<Pattern, String> specOperations() throws Exception {
        JsonNode paths = JsonMapper.builder().build().readTree(Path.of("openapi/openapi.json").toFile()).get("paths");
        Map<Pattern, String> ops = new java.util.LinkedHashMap<>();
        for (String path : paths.propertyNames()) {
            for (String method : paths.get(path).propertyNames()) {
                if (!List.of("get", "put", "post", "delete", "patch", "head", "options").contains(method)) {
                    continue;
                }
                String regex = Pattern.quote(path).replaceAll("\\{[^}/]+\\}", "\\\\E[^/]+\\\\Q");
                ops.put(Pattern.compile(Pattern.quote(method.toUpperCase() + " ") + regex), method.toUpperCase() + " " + path);
            }
        }
        return ops;
    }

    private static void awaitListening(Process prism, int port, Path log) throws Exception {
        long end = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < end) {
            assertThat(prism.isAlive()).as("Prism died on start:\n" + Files.readString(log)).isTrue();
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (java.io.IOException notYet) {
                Thread.sleep(250);
            }
        }
        throw new AssertionError("Prism did not start:\n" + Files.readString(log));
    }

    private static boolean works(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Runs a command in the repository root; fails with its output unless it exits 0. */
    private static String run(Path logFile, int seconds, Path pythonPath, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(List.of(command)).redirectErrorStream(true)
                .redirectOutput(logFile.toFile());
        pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
        pb.environment().put("PIP_DISABLE_PIP_VERSION_CHECK", "1");
        if (pythonPath != null) {
            // the installed client, not the checkout's copy the example would otherwise fall back to
            pb.environment().put("PYTHONPATH", pythonPath.toString());
        }
        Process p = pb.start();
        boolean ended = p.waitFor(seconds, TimeUnit.SECONDS);
        if (!ended) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String output = Files.readString(logFile, StandardCharsets.UTF_8);
        assertThat(ended).as("timed out: " + String.join(" ", command) + "\n" + output).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + "\n" + output).isZero();
        return output;
    }

    /**
     * The example's way to Prism: forwards each exchange unchanged and keeps what Prism says about it, the
     * sl-violations header (violations it lets through) or its VIOLATIONS problem (those --errors turns into a
     * 500), since Prism logs neither's details when it answers with the problem.
     */
    private static final class PrismRecorder implements AutoCloseable {

        private static final Set<String> HOP = Set.of("connection", "content-length", "date", "expect", "from", "host",
                "upgrade", "via", "warning", "transfer-encoding", "keep-alive");

        private final URI prism;
        private final URI service;
        private final HttpServer server;
        private final HttpClient http = HttpClient.newHttpClient();
        private final List<String> findings = new CopyOnWriteArrayList<>();
        private final List<String> requests = new CopyOnWriteArrayList<>();

        PrismRecorder(URI prism, URI service) throws java.io.IOException {
            this.prism = prism;
            this.service = service;
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.setExecutor(Executors.newCachedThreadPool()); // event streams stay open while others poll
            server.createContext("/", this::forward);
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        List<String> findings() {
            return List.copyOf(findings);
        }

        List<String> requests() {
            return List.copyOf(requests);
        }

        private void forward(HttpExchange ex) throws java.io.IOException {
            try (ex) {
                String method = ex.getRequestMethod();
                String request = method + " " + ex.getRequestURI().getRawPath();
                requests.add(request);
                byte[] body = ex.getRequestBody().readAllBytes();
                HttpRequest.Builder b = HttpRequest.newBuilder(prism.resolve(ex.getRequestURI().toString()))
                        .method(method, body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(body));
                ex.getRequestHeaders().forEach((name, values) -> {
                    if (!HOP.contains(name.toLowerCase(Locale.ROOT))) {
                        values.forEach(v -> b.header(name, v));
                    }
                });
                HttpResponse<InputStream> r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
                // one finding per exchange: a VIOLATIONS problem repeats its header's list
                Optional<String> header = r.headers().firstValue("sl-violations");
                r.headers().map().forEach((name, values) -> {
                    if (!HOP.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
                        ex.getResponseHeaders().put(name, values);
                    }
                });
                try (InputStream in = r.body()) {
                    if (r.statusCode() == 500 && r.headers().firstValue("content-type").orElse("").contains("problem")) {
                        byte[] problem = in.readAllBytes();
                        String text = new String(problem, StandardCharsets.UTF_8);
                        if (text.contains("prism/errors#VIOLATIONS")) {
                            findings.add(request + ": " + text);
                            header = Optional.empty();
                        }
                        header.ifPresent(v -> findings.add(request + ": " + v));
                        ex.sendResponseHeaders(500, problem.length);
                        ex.getResponseBody().write(problem);
                        return;
                    }
                    header.ifPresent(v -> findings.add(request + ": " + v));
                    String type = r.headers().firstValue("content-type").orElse("");
                    if ("GET".equals(method) && r.statusCode() == 200 && !type.isEmpty() && !type.startsWith("text/")
                            && !type.contains("json")) {
                        // Prism reads every body as text, so a ZIP or PNG arrives mangled (stoplightio/prism#2349):
                        // it has checked the status and headers; the bytes come from the service itself
                        HttpRequest.Builder direct = HttpRequest.newBuilder(service.resolve(ex.getRequestURI().toString()));
                        ex.getRequestHeaders().forEach((name, values) -> {
                            if (!HOP.contains(name.toLowerCase(Locale.ROOT))) {
                                values.forEach(v -> direct.header(name, v));
                            }
                        });
                        HttpResponse<byte[]> bytes = http.send(direct.build(), HttpResponse.BodyHandlers.ofByteArray());
                        if (bytes.statusCode() != 200 || !type.equals(bytes.headers().firstValue("content-type").orElse(""))) {
                            findings.add(request + ": direct fetch answered " + bytes.statusCode());
                        }
                        ex.sendResponseHeaders(bytes.statusCode(), bytes.body().length);
                        ex.getResponseBody().write(bytes.body());
                        return;
                    }
                    boolean empty = "HEAD".equals(method) || r.statusCode() == 204 || r.statusCode() == 304;
                    long length = r.headers().firstValueAsLong("content-length").orElse(0);
                    ex.sendResponseHeaders(r.statusCode(), empty ? -1 : length);
                    if (!empty) {
                        in.transferTo(ex.getResponseBody());
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
