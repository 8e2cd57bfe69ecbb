package org.retinasynth.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * What can be checked of the Dockerfile and docker-compose.yml without a Docker engine: they
 * parse, name only files that exist and images with exact tags, and agree with the libtorch and
 * DJL versions the application is built against. (`docker-compose config` of Debian's
 * docker-compose 1.29 also accepts the compose file; that is not run here.) Building and running
 * the images needs an engine and is not covered.
 */
class DeploymentFilesTest {

    private static final Pattern EXACT_TAG = Pattern.compile("[a-z0-9./_-]+:\\d[\\w.-]*");

    @Test
    void dockerfileNamesExactImagesAndExistingFilesAndMatchesTheNativeLibraries() throws IOException {
        List<String> lines = instructions(Path.of("Dockerfile"));
        List<String> stages = new ArrayList<>();
        for (String line : lines) {
            Matcher from = Pattern.compile("FROM (\\S+)(?: AS (\\S+))?").matcher(line);
            if (from.matches()) {
                String image = from.group(1);
                if (!image.equals("runtime-${FLAVOR}")) {
                    assertThat(image).as(line).matches(EXACT_TAG).doesNotEndWith(":latest");
                }
                if (from.group(2) != null) {
                    stages.add(from.group(2));
                }
            }
            Matcher copyFrom = Pattern.compile("COPY --from=(\\S+) .*").matcher(line);
            if (copyFrom.matches() && !stages.contains(copyFrom.group(1))) {
                assertThat(copyFrom.group(1)).as(line).matches(EXACT_TAG);
            }
            Matcher copy = Pattern.compile("COPY (?!--)(.+) \\S+").matcher(line);
            if (copy.matches()) {
                for (String src : copy.group(1).split("\\s+")) {
                    assertThat(Path.of(src)).as(line).exists();
                    assertThat(dockerignoreAllows(src)).as(src + " is excluded by .dockerignore").isTrue();
                }
            }
        }
        assertThat(stages).contains("build", "runtime-cpu", "runtime-cuda", "final");
        String text = String.join("\n", lines);
        assertThat(text).contains("ARG FLAVOR=cpu").contains("USER 10001").contains("HEALTHCHECK")
                .contains("ENTRYPOINT [\"java\", \"org.springframework.boot.loader.launch.JarLauncher\"]");

        // libtorch: the version DJL is told, the CPU jar unpacked, and the CUDA base image agree.
        String libtorch = nativeProperties().getProperty("version").split("-")[0]; // "2.7.1-<build date>"
        assertThat(text).contains("PYTORCH_VERSION=" + libtorch)
                .contains("FROM pytorch/pytorch:" + libtorch + "-cuda12.8-cudnn9-runtime AS runtime-cuda")
                .contains("PYTORCH_FLAVOR=cu128").contains("PYTORCH_FLAVOR=cpu")
                .contains("pytorch/cpu/linux-x86_64/");
        // DJL's JNI library for both flavours ships in the pytorch-jni jar on the classpath.
        assertThat(classpathResource("jnilib/linux-x86_64/cpu/libdjl_torch.so")).isTrue();
        assertThat(classpathResource("jnilib/linux-x86_64/cu128/libdjl_torch.so")).isTrue();
        assertThat(classpathResource("pytorch/cpu/linux-x86_64/libtorch_cpu.so")).isTrue();
    }

    @Test
    @SuppressWarnings("unchecked")
    void composeBuildsBothFlavoursAndReservesTheGpuOnlyForTheGpuWorker() throws IOException {
        Map<String, Object> compose = new Yaml().load(Files.readString(Path.of("docker-compose.yml")));
        Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) compose.get("services");
        assertThat(services).containsOnlyKeys("postgres", "api", "worker", "worker-cpu");
        Set<String> declaredVolumes = ((Map<String, Object>) compose.get("volumes")).keySet();

        for (var e : services.entrySet()) {
            Map<String, Object> s = e.getValue();
            assertThat(s).as(e.getKey() + " health check").containsKey("healthcheck");
            String image = (String) s.get("image");
            Map<String, Object> build = (Map<String, Object>) s.get("build");
            if (build == null) {
                assertThat(image).as(e.getKey()).matches(EXACT_TAG);
            } else {
                assertThat(Path.of((String) build.get("context")).resolve("Dockerfile")).exists();
                String flavor = (String) ((Map<String, Object>) build.get("args")).get("FLAVOR");
                assertThat(flavor).isIn("cpu", "cuda");
                assertThat(image).isEqualTo("retinasynth:" + flavor);
            }
            for (Object v : (List<Object>) s.getOrDefault("volumes", List.of())) {
                String name = v.toString().split(":")[0];
                assertThat(declaredVolumes).as(e.getKey() + " volume").contains(name);
            }
        }
        Map<String, String> apiEnv = (Map<String, String>) services.get("api").get("environment");
        assertThat(apiEnv).containsEntry("RETINASYNTH_ROLE", "api")
                .containsEntry("SPRING_DATASOURCE_URL", "jdbc:postgresql://postgres:5432/retinasynth");
        assertThat(services.get("api")).doesNotContainKey("profiles").doesNotContainKey("deploy");

        Map<String, Object> gpu = services.get("worker");
        assertThat(gpu.get("profiles")).isEqualTo(List.of("gpu"));
        assertThat(((Map<String, String>) gpu.get("environment"))).containsEntry("RETINASYNTH_ROLE", "worker");
        assertThat(HelmChartTest.path(gpu, "deploy", "resources", "reservations", "devices").toString())
                .contains("driver=nvidia").contains("capabilities=[gpu]");
        assertThat(((Map<String, Object>) gpu.get("build")).get("args")).isEqualTo(Map.of("FLAVOR", "cuda"));

        Map<String, Object> cpu = services.get("worker-cpu");
        assertThat(cpu.get("profiles")).isEqualTo(List.of("cpu"));
        assertThat(cpu).doesNotContainKey("deploy");
        assertThat(((Map<String, String>) cpu.get("environment"))).containsEntry("RETINASYNTH_ROLE", "worker");

        // Compose and the chart run the same database image.
        Map<String, Object> values = new Yaml().load(Files.readString(Path.of("helm/retinasynth/values.yaml")));
        assertThat(HelmChartTest.path(values, "postgresql", "image")).isEqualTo(services.get("postgres").get("image"));
    }

    /** Dockerfile instructions with continuation lines joined and comments dropped. */
    private static List<String> instructions(Path dockerfile) throws IOException {
        String joined = Files.readAllLines(dockerfile).stream().filter(l -> !l.stripLeading().startsWith("#"))
                .collect(Collectors.joining("\n")).replaceAll("\\\\\\n", " ");
        return joined.lines().map(String::strip).filter(l -> !l.isEmpty()).map(l -> l.replaceAll("\\s+", " "))
                .toList();
    }

    private static boolean dockerignoreAllows(String src) throws IOException {
        String normalized = src.replaceAll("/$", "");
        return Files.readAllLines(Path.of(".dockerignore")).stream().map(String::strip)
                .filter(l -> l.startsWith("!")).map(l -> l.substring(1).replaceAll("/$", ""))
                .anyMatch(normalized::equals);
    }

    private static Properties nativeProperties() throws IOException {
        Properties p = new Properties();
        try (var in = DeploymentFilesTest.class.getClassLoader().getResourceAsStream("native/lib/pytorch.properties")) {
            assertThat(in).as("pytorch-native-cpu on the classpath").isNotNull();
            p.load(in);
        }
        return p;
    }

    private static boolean classpathResource(String name) {
        return DeploymentFilesTest.class.getClassLoader().getResource(name) != null;
    }
}
