package org.retinasynth.clients;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.retinasynth.testsupport.IntegrationTest;
import org.retinasynth.testsupport.ServiceProcess;

/**
 * The Python client as a user runs it: installed with pip (offline, into a temp folder) and driving
 * examples/python/augment_and_compare.py against the embedded service end to end. Needs python3 with
 * requests and pip; .ci/run installs them.
 */
@IntegrationTest
class PythonExampleTest {

    @TempDir
    Path tmp;

    @Test
    void theExampleRunsEndToEndAndSavesTheReport() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        Path site = tmp.resolve("site");
        run(tmp.resolve("pip.log"), 180, null, "python3", "-m", "pip", "install", "--quiet", "--no-index", "--no-deps",
                "--target", site.toString(), "./clients/python");
        assertThat(site.resolve("retinasynth_client/client.py")).exists();

        Path out = tmp.resolve("out");
        try (ServiceProcess service = ServiceProcess.start(data, "service.log")) {
            String url = service.uri("").toString();
            String log = run(tmp.resolve("example.log"), 600, site, "python3", "examples/python/augment_and_compare.py",
                    "--url", url, "--key", ServiceProcess.KEY, "--small", "--quiet", "--out", out.toString());
            assertThat(log).contains("REAL", "balancedAccuracy", "report:");
        }
        assertThat(out.resolve("report.html")).exists().isNotEmptyFile();
        assertThat(Files.readString(out.resolve("report.html"))).contains("<html");
        assertThat(out.resolve("synthetic/manifest.csv")).exists();
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
}
