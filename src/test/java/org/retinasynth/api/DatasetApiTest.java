package org.retinasynth.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import org.junit.jupiter.api.Test;
import org.retinasynth.testsupport.ApiTestSupport;
import org.springframework.http.MediaType;

class DatasetApiTest extends ApiTestSupport {

    @Test
    void createsListsGetsAndDeletesADataset() throws Exception {
        String key = newOwnerKey();
        mvc.perform(as(key, post("/api/v1/datasets").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"name\":\"clinic-a\",\"workingSize\":32,\"splitSeed\":9}")))
                .andExpect(status().isCreated())
                .andExpect(header().string("Location", containsString("/api/v1/datasets/")))
                .andExpect(jsonPath("$.workingSize").value(32))
                .andExpect(jsonPath("$.classNames.length()").value(5))
                .andExpect(jsonPath("$.imageCount").value(0));
        String second = createDataset(key, "clinic-b");

        mvc.perform(as(key, get("/api/v1/datasets?page=0&size=1")))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.total").value(2))
                .andExpect(jsonPath("$.items.length()").value(1))
                .andExpect(jsonPath("$.items[0].name").value("clinic-b"));

        mvc.perform(as(key, get("/api/v1/datasets/" + second))).andExpect(jsonPath("$.name").value("clinic-b"));
        mvc.perform(as(key, delete("/api/v1/datasets/" + second))).andExpect(status().isNoContent());
        mvc.perform(as(key, get("/api/v1/datasets/" + second)))
                .andExpect(status().isNotFound())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON));
    }

    @Test
    void anotherOwnerSeesNothing() throws Exception {
        String alice = newOwnerKey();
        String bob = newOwnerKey();
        String id = createDataset(alice, "private");
        for (String path : new String[] {"", "/stats", "/grid.png", "/images", "/uploads"}) {
            mvc.perform(as(bob, get("/api/v1/datasets/" + id + path)))
                    .andExpect(status().isNotFound())
                    .andExpect(jsonPath("$.status").value(404));
        }
        mvc.perform(as(bob, delete("/api/v1/datasets/" + id))).andExpect(status().isNotFound());
        mvc.perform(as(bob, get("/api/v1/datasets"))).andExpect(jsonPath("$.total").value(0));
        mvc.perform(as(alice, get("/api/v1/datasets/" + id))).andExpect(status().isOk());
    }

    @Test
    void refusesMissingAndUnknownKeys() throws Exception {
        mvc.perform(get("/api/v1/datasets"))
                .andExpect(status().isUnauthorized())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(content().encoding(java.nio.charset.StandardCharsets.UTF_8))
                .andExpect(jsonPath("$.title").value("Missing API key"));
        mvc.perform(get("/api/v1/datasets").header("X-API-Key", "rsk_not-a-real-key"))
                .andExpect(status().isUnauthorized());
        mvc.perform(get("/api/v1/datasets").header("Authorization", "Bearer " + newOwnerKey()))
                .andExpect(status().isOk());
    }

    @Test
    void validatesTheCreateRequest() throws Exception {
        String key = newOwnerKey();
        mvc.perform(as(key, post("/api/v1/datasets").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"name\":\"x\",\"workingSize\":512}")))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("workingSize"));
        mvc.perform(as(key, post("/api/v1/datasets").contentType(MediaType.APPLICATION_JSON).content("{\"name\":")))
                .andExpect(status().isBadRequest())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON));
        mvc.perform(as(key, post("/api/v1/datasets").contentType(MediaType.TEXT_PLAIN).content("name")))
                .andExpect(status().isUnsupportedMediaType());
        mvc.perform(as(key, post("/api/v1/datasets").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"name\":\"dup\",\"classNames\":[\"a\",\"a\"]}")))
                .andExpect(status().isBadRequest());
        createDataset(key, "dup");
        mvc.perform(as(key, post("/api/v1/datasets").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"name\":\"dup\"}")))
                .andExpect(status().isConflict());
        mvc.perform(as(key, get("/api/v1/datasets?size=0"))).andExpect(status().isBadRequest());
    }

    @Test
    void demoDatasetHasKnownGradesStatsAndGrid() throws Exception {
        String key = newOwnerKey();
        String body = mvc.perform(as(key, post("/api/v1/datasets/demo").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"name\":\"demo\",\"countsPerGrade\":[6,2,4,2,1],\"imageSize\":96,"
                                + "\"workingSize\":32,\"seed\":3}")))
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.imageCount").value(15))
                .andReturn().getResponse().getContentAsString();
        String id = com.jayway.jsonpath.JsonPath.read(body, "$.id");

        mvc.perform(as(key, get("/api/v1/datasets/" + id + "/stats")))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.total").value(15))
                .andExpect(jsonPath("$.countsByGrade[0]").value(6))
                .andExpect(jsonPath("$.countsByGrade[4]").value(1))
                .andExpect(jsonPath("$.imbalanceRatio").value(6.0))
                .andExpect(jsonPath("$.countsBySplit.test[0]").value(1))
                .andExpect(jsonPath("$.grades[0].width.mean").value(144.0))
                .andExpect(jsonPath("$.grades[3].brightness.mean").isNumber());

        byte[] grid = mvc.perform(as(key, get("/api/v1/datasets/" + id + "/grid.png?perGrade=4")))
                .andExpect(status().isOk())
                .andExpect(content().contentType(MediaType.IMAGE_PNG))
                .andReturn().getResponse().getContentAsByteArray();
        var image = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(grid));
        assertThat(image.getHeight()).isGreaterThanOrEqualTo(5 * 64);
        assertThat(image.getWidth()).isGreaterThanOrEqualTo(4 * 64);

        String images = json(key, "/api/v1/datasets/" + id + "/images?grade=0&size=2");
        assertThat((Integer) com.jayway.jsonpath.JsonPath.read(images, "$.total")).isEqualTo(6);
        String imageId = com.jayway.jsonpath.JsonPath.read(images, "$.items[0].id");
        // the phantom is centred on a 3:2 black canvas: the crop must find the square disc
        assertThat((Integer) com.jayway.jsonpath.JsonPath.read(images, "$.items[0].fieldOfView.width"))
                .isBetween(80, 100);
        mvc.perform(as(key, get("/api/v1/datasets/" + id + "/images/" + imageId + "/original")))
                .andExpect(status().isOk())
                .andExpect(content().contentType(MediaType.IMAGE_PNG))
                .andExpect(header().string("Content-Disposition", containsString("attachment")))
                .andExpect(header().string("X-Content-Type-Options", "nosniff"));
        byte[] processed = mvc.perform(as(key, get("/api/v1/datasets/" + id + "/images/" + imageId + "/processed.png")))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsByteArray();
        var p = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(processed));
        assertThat(p.getWidth()).isEqualTo(32);
        assertThat(p.getHeight()).isEqualTo(32);
    }
}
