package org.retinasynth.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.retinasynth.testsupport.ApiTestSupport;
import org.retinasynth.testsupport.TestFiles;
import org.springframework.beans.factory.annotation.Autowired;

class OperationsTest extends ApiTestSupport {

    @Autowired
    MeterRegistry meters;

    @Test
    void healthAndProbesAreOpenWithoutAKey() throws Exception {
        mvc.perform(get("/actuator/health")).andExpect(status().isOk()).andExpect(jsonPath("$.status").value("UP"));
        mvc.perform(get("/actuator/health/readiness")).andExpect(status().isOk());
        mvc.perform(get("/actuator/health/liveness")).andExpect(status().isOk());
        mvc.perform(get("/v3/api-docs")).andExpect(status().isOk());
    }

    @Test
    void uploadsAreCounted() throws Exception {
        String key = newOwnerKey();
        String id = createDataset(key, "metrics");
        double before = count("retinasynth.uploads");
        double rejectedBefore = count("retinasynth.upload.rejected.files");
        mvc.perform(upload(key, "/api/v1/datasets/" + id + "/images")
                        .file(part("files", "a.png", TestFiles.phantom(0, 64, 1, "png")))
                        .file(part("files", "b.png", "not an image".getBytes(StandardCharsets.UTF_8)))
                        .param("grade", "0"))
                .andExpect(status().isCreated());
        assertThat(count("retinasynth.uploads")).isEqualTo(before + 1);
        assertThat(count("retinasynth.upload.rejected.files")).isEqualTo(rejectedBefore + 1);
        assertThat(meters.find("retinasynth.upload.bytes").counters()).isNotEmpty();
    }

    private double count(String name) {
        return meters.find(name).counters().stream().mapToDouble(c -> c.count()).sum();
    }
}
