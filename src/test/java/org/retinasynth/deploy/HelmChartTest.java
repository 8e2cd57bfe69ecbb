package org.retinasynth.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The chart in helm/retinasynth, linted and rendered by Helm itself (Helm's Go code as a native
 * library through helm-java, so no helm CLI is needed). What this does not check: that a real
 * cluster accepts the objects (no API server here, so no schema validation of the manifests).
 */
class HelmChartTest {

    static final Path CHART = Path.of("helm/retinasynth");

    @Test
    void lintsCleanInStrictMode() {
        LintResult lint = new Helm(CHART).lint().strict().call();
        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
        assertThat(lint.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
    }

    @Test
    void defaultsRunApiOnCpuAndWorkersOnGpusWithS3AndTheBundledDatabase() {
        List<Map<String, Object>> docs = render(template());
        Map<String, Object> api = find(docs, "Deployment", "rs-retinasynth-api");
        Map<String, Object> worker = find(docs, "Deployment", "rs-retinasynth-worker");

        Map<String, Object> apiC = container(api);
        assertThat(apiC.get("image")).isEqualTo("retinasynth:cpu");
        assertThat(env(apiC)).containsEntry("RETINASYNTH_ROLE", "api");
        assertThat(limits(apiC)).doesNotContainKey("nvidia.com/gpu");

        Map<String, Object> workerC = container(worker);
        assertThat(workerC.get("image")).isEqualTo("retinasynth:cuda");
        assertThat(env(workerC)).containsEntry("RETINASYNTH_ROLE", "worker");
        assertThat(limits(workerC)).containsEntry("nvidia.com/gpu", 1).containsEntry("memory", "16Gi");
        assertThat(podSpec(worker).get("nodeSelector")).isEqualTo(Map.of("nvidia.com/gpu.present", "true"));
        assertThat((List<?>) podSpec(worker).get("tolerations")).hasSize(1);

        for (Map<String, Object> c : List.of(apiC, workerC)) {
            assertThat(path(c, "livenessProbe", "httpGet", "path")).isEqualTo("/actuator/health/liveness");
            assertThat(path(c, "readinessProbe", "httpGet", "path")).isEqualTo("/actuator/health/readiness");
            assertThat(path(c, "startupProbe", "httpGet", "path")).isEqualTo("/actuator/health/liveness");
            assertThat(c).containsKey("resources");
        }
        assertThat(path(podSpec(api), "securityContext", "runAsNonRoot")).isEqualTo(true);

        Map<String, Object> config = find(docs, "ConfigMap", "rs-retinasynth");
        assertThat(data(config)).containsEntry("RETINASYNTH_STORAGE_TYPE", "s3")
                .containsEntry("RETINASYNTH_STORAGE_S3_BUCKET", "retinasynth")
                .containsEntry("SPRING_DATASOURCE_URL", "jdbc:postgresql://rs-retinasynth-postgresql:5432/retinasynth");
        Map<String, Object> secret = find(docs, "Secret", "rs-retinasynth-secrets");
        String key = new String(java.util.Base64.getDecoder().decode((String) data(secret).get("api-key")));
        assertThat(key).as("a generated key the application accepts").matches("rsk_[A-Za-z0-9]{40}");
        assertThat(data(secret)).containsKey("postgres-password");

        assertThat(find(docs, "StatefulSet", "rs-retinasynth-postgresql")).isNotNull();
        assertThat(kinds(docs)).doesNotContain("PersistentVolumeClaim", "ServiceMonitor", "Ingress");
    }

    @Test
    void pvcStorageExternalDatabaseCpuWorkersServiceMonitorAndIngress() {
        List<Map<String, Object>> docs = render(template().set("storage.type", "pvc")
                .set("storage.pvc.storageClass", "nfs").set("postgresql.enabled", false)
                .set("postgresql.external.url", "jdbc:postgresql://db.example:5432/rs")
                .set("postgresql.external.existingSecret", "db-creds").set("worker.gpu.enabled", false)
                .set("metrics.serviceMonitor.enabled", true).set("ingress.enabled", true)
                .set("apiKey.existingSecret", "my-key"));

        Map<String, Object> pvc = find(docs, "PersistentVolumeClaim", "rs-retinasynth-artifacts");
        assertThat(path(pvc, "spec", "accessModes")).isEqualTo(List.of("ReadWriteMany"));
        for (String d : List.of("rs-retinasynth-api", "rs-retinasynth-worker")) {
            Map<String, Object> pod = podSpec(find(docs, "Deployment", d));
            assertThat(pod.get("volumes").toString()).contains("claimName=rs-retinasynth-artifacts");
        }
        Map<String, Object> workerC = container(find(docs, "Deployment", "rs-retinasynth-worker"));
        assertThat(workerC.get("image")).isEqualTo("retinasynth:cpu");
        assertThat(limits(workerC)).doesNotContainKey("nvidia.com/gpu");
        assertThat(podSpec(find(docs, "Deployment", "rs-retinasynth-worker"))).doesNotContainKey("nodeSelector");
        assertThat(workerC.get("env").toString()).contains("name=db-creds").contains("name=my-key");

        assertThat(data(find(docs, "ConfigMap", "rs-retinasynth")))
                .containsEntry("SPRING_DATASOURCE_URL", "jdbc:postgresql://db.example:5432/rs")
                .containsEntry("RETINASYNTH_STORAGE_TYPE", "local");
        assertThat(kinds(docs)).doesNotContain("StatefulSet").contains("ServiceMonitor", "Ingress");
        Map<String, Object> monitor = find(docs, "ServiceMonitor", "rs-retinasynth");
        assertThat(path(monitor, "spec", "endpoints").toString()).contains("path=/actuator/prometheus");
        Map<String, Object> secretData = data(find(docs, "Secret", "rs-retinasynth-secrets"));
        assertThat(secretData == null ? Map.of() : secretData).as("keys come from the named Secrets")
                .doesNotContainKeys("api-key", "postgres-password");
    }

    @Test
    void refusesAnUnknownStorageTypeAndAMissingExternalDatabase() {
        assertThatThrownBy(() -> template().set("storage.type", "ftp").call())
                .hasMessageContaining("storage.type must be s3 or pvc");
        assertThatThrownBy(() -> template().set("postgresql.enabled", false).call())
                .hasMessageContaining("postgresql.external.url is required");
    }

    private static TemplateCommand template() {
        return new Helm(CHART).template().withName("rs").withNamespace("retina");
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> render(TemplateCommand command) {
        List<Map<String, Object>> docs = new ArrayList<>();
        for (Object doc : new Yaml().loadAll(command.call())) {
            if (doc != null) {
                docs.add((Map<String, Object>) doc);
            }
        }
        return docs;
    }

    private static List<Object> kinds(List<Map<String, Object>> docs) {
        return docs.stream().map(d -> d.get("kind")).toList();
    }

    private static Map<String, Object> find(List<Map<String, Object>> docs, String kind, String name) {
        return docs.stream().filter(d -> kind.equals(d.get("kind")) && name.equals(path(d, "metadata", "name")))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in " + kinds(docs)));
    }

    @SuppressWarnings("unchecked")
    static Object path(Map<String, Object> map, String... keys) {
        Object o = map;
        for (String k : keys) {
            o = o == null ? null : ((Map<String, Object>) o).get(k);
        }
        return o;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> podSpec(Map<String, Object> deployment) {
        return (Map<String, Object>) path(deployment, "spec", "template", "spec");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> container(Map<String, Object> deployment) {
        return ((List<Map<String, Object>>) podSpec(deployment).get("containers")).get(0);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> limits(Map<String, Object> container) {
        Object l = path(container, "resources", "limits");
        return l == null ? Map.of() : (Map<String, Object>) l;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> data(Map<String, Object> doc) {
        return (Map<String, Object>) doc.get("data");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> env(Map<String, Object> container) {
        Map<String, Object> out = new java.util.HashMap<>();
        for (Map<String, Object> e : (List<Map<String, Object>>) container.get("env")) {
            out.put((String) e.get("name"), e.get("value"));
        }
        return out;
    }
}
