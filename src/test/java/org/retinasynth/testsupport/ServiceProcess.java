package org.retinasynth.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.retinasynth.RetinaSynthApplication;

/**
 * The service in a child JVM on a free port, for tests that must kill it with SIGKILL (no shutdown
 * hooks, no flush) and start it again on the same data.
 */
public final class ServiceProcess implements AutoCloseable {

    public static final String KEY = "rsk_service-process-test-key-0123456789";

    private final Process process;
    private final int port;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private ServiceProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts the service with {@code --key=value} settings (the API key {@link #KEY} is accepted) and waits until it is up. */
    public static ServiceProcess start(Path dataDir, String logName, String... settings) throws Exception {
        int port = freePort();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx1g", "-cp", System.getProperty("java.class.path"),
                RetinaSynthApplication.class.getName(), "--server.port=" + port, "--retinasynth.data-dir=" + dataDir,
                "--retinasynth.security.bootstrap-key=" + KEY));
        cmd.addAll(List.of(settings));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(new File(dataDir.toFile(), logName)).start();
        ServiceProcess s = new ServiceProcess(p, port);
        s.awaitUp();
        return s;
    }

    private void awaitUp() throws Exception {
        long end = System.currentTimeMillis() + 90_000;
        while (System.currentTimeMillis() < end) {
            assertThat(process.isAlive()).as("service process died on start").isTrue();
            try {
                if (send(HttpRequest.newBuilder(uri("/actuator/health"))).statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException notYet) {
                // still starting
            }
            Thread.sleep(250);
        }
        throw new AssertionError("service process did not start");
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** Sends with the test key. */
    public HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.header("X-API-Key", KEY).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** GETs bytes (a ZIP, a PNG) with the test key. */
    public HttpResponse<byte[]> getBytes(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).header("X-API-Key", KEY).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    /** POSTs JSON and expects 201; returns the body. */
    public String postJson(String path, String json) throws Exception {
        var r = send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return r.body();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL: no shutdown hooks, no flushing, like a power cut for the process. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
