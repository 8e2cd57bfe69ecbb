package org.retinasynth.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.jayway.jsonpath.JsonPath;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.retinasynth.testsupport.ApiTestSupport;
import org.springframework.http.MediaType;

class KeyApiTest extends ApiTestSupport {

    private String createKey(String as, String body, int expected) throws Exception {
        return mvc.perform(as(as, post("/api/v1/keys").contentType(MediaType.APPLICATION_JSON).content(body)))
                .andExpect(status().is(expected)).andReturn().getResponse().getContentAsString();
    }

    @Test
    void adminsManageEveryKeyOthersOnlyTheirOwn() throws Exception {
        String admin = keys.issue("admin-" + UUID.randomUUID(), true, "test").key();
        String clinic = "clinic-" + UUID.randomUUID();
        String created = createKey(admin, "{\"owner\":\"" + clinic + "\",\"label\":\"first\"}", 201);
        String clinicKey = JsonPath.read(created, "$.key");
        assertThat(clinicKey).startsWith("rsk_");
        mvc.perform(as(clinicKey, get("/api/v1/datasets"))).andExpect(status().isOk());

        // a non-admin may rotate its own key, but not mint keys for others or admin keys
        String second = createKey(clinicKey, "{\"label\":\"rotated\"}", 201);
        assertThat((String) JsonPath.read(second, "$.owner")).isEqualTo(clinic);
        assertThat(createKey(clinicKey, "{\"owner\":\"someone-else\"}", 403)).contains("only an admin");
        createKey(clinicKey, "{\"admin\":true}", 403);
        createKey(admin, "{\"owner\":\"../../etc\"}", 400);

        String mine = json(clinicKey, "/api/v1/keys");
        List<String> owners = JsonPath.read(mine, "$[*].owner");
        assertThat(owners).hasSize(2).containsOnly(clinic);
        assertThat(mine).doesNotContain(clinicKey).doesNotContain(clinicKey.substring(12));
        List<String> all = JsonPath.read(json(admin, "/api/v1/keys"), "$[*].owner");
        assertThat(all).contains(clinic).anyMatch(o -> o.startsWith("admin-"));

        // another owner's key is invisible to a non-admin: 404, and it keeps working
        String adminKeyId = keys.visibleTo(keys.authenticate(admin).orElseThrow()).stream()
                .filter(k -> k.admin() && k.revokedAt() == null).findFirst().orElseThrow().id();
        String firstId = JsonPath.read(created, "$.id");
        String rotatedId = JsonPath.read(second, "$.id");
        mvc.perform(as(clinicKey, post("/api/v1/keys/" + adminKeyId + "/revoke")))
                .andExpect(status().isNotFound())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON));
        mvc.perform(as(admin, get("/api/v1/datasets"))).andExpect(status().isOk());

        // revoking a key takes effect on the next request
        mvc.perform(as(clinicKey, post("/api/v1/keys/" + rotatedId + "/revoke")))
                .andExpect(status().isOk()).andExpect(jsonPath("$.revokedAt").isNotEmpty());
        String rotatedKey = JsonPath.read(second, "$.key");
        mvc.perform(as(rotatedKey, get("/api/v1/datasets"))).andExpect(status().isUnauthorized());
        mvc.perform(as(admin, post("/api/v1/keys/" + firstId + "/revoke"))).andExpect(status().isOk());
        mvc.perform(as(clinicKey, get("/api/v1/datasets"))).andExpect(status().isUnauthorized());
    }

    @Test
    void theLastAdminKeyCannotBeRevoked() throws Exception {
        String admin = keys.issue("root-" + UUID.randomUUID(), true, "test").key();
        String adminId = JsonPath.read(createKey(admin, "{\"label\":\"spare\"}", 201), "$.id");
        String ownId = keys.visibleTo(keys.authenticate(admin).orElseThrow()).stream()
                .filter(k -> k.admin() && k.revokedAt() == null && !k.id().equals(adminId)
                        && k.ownerName().startsWith("root-") && k.label().equals("test"))
                .reduce((a, b) -> b).orElseThrow().id();
        // leave exactly one active admin key: this test's own
        for (var k : keys.list()) {
            if (k.admin() && k.revokedAt() == null && !k.id().equals(ownId)) {
                mvc.perform(as(admin, post("/api/v1/keys/" + k.id() + "/revoke"))).andExpect(status().isOk());
            }
        }
        mvc.perform(as(admin, post("/api/v1/keys/" + ownId + "/revoke")))
                .andExpect(status().isConflict())
                .andExpect(jsonPath("$.detail").value(org.hamcrest.Matchers.containsString("last active admin key")));
        mvc.perform(as(admin, get("/api/v1/keys"))).andExpect(status().isOk());
    }
}
