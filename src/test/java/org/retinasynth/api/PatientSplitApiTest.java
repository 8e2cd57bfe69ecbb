package org.retinasynth.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.jayway.jsonpath.JsonPath;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.retinasynth.testsupport.ApiTestSupport;
import org.retinasynth.testsupport.TestFiles;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MvcResult;

class PatientSplitApiTest extends ApiTestSupport {

    private String dataset(String key, String name, long seed) throws Exception {
        MvcResult r = mvc.perform(as(key, post("/api/v1/datasets").contentType(MediaType.APPLICATION_JSON)
                .content("{\"name\":\"" + name + "\",\"splitSeed\":" + seed
                        + ",\"valFraction\":0.25,\"testFraction\":0.25}"))).andReturn();
        assertThat(r.getResponse().getStatus()).isEqualTo(201);
        return JsonPath.read(r.getResponse().getContentAsString(), "$.id");
    }

    /** 20 patients with two phantom eyes each, in a ZIP with a labels CSV that names patient and eye. */
    private static byte[] twoEyedPatientsZip() {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        StringBuilder csv = new StringBuilder("filename,grade,subject,laterality\n");
        for (int p = 0; p < 20; p++) {
            int grade = p % 5;
            int other = p % 7 == 0 ? Math.min(4, grade + 1) : grade;
            for (String eye : new String[] {"L", "R"}) {
                String name = String.format("images/P%02d_%s.png", p, eye);
                int g = eye.equals("L") ? grade : other;
                entries.put(name, TestFiles.phantom(g, 48, p * 2L + eye.length(), "png"));
                csv.append(name).append(',').append(g).append(",P").append(p).append(',').append(eye).append('\n');
            }
        }
        entries.put("labels.csv", csv.toString().getBytes(StandardCharsets.UTF_8));
        return TestFiles.zip(entries);
    }

    private Map<String, String> splitByFile(String key, String id) throws Exception {
        String body = json(key, "/api/v1/datasets/" + id + "/images?size=500");
        List<Map<String, Object>> items = JsonPath.read(body, "$.items");
        Map<String, String> result = new TreeMap<>();
        items.forEach(i -> result.put((String) i.get("filename"), (String) i.get("split")));
        return result;
    }

    @Test
    void unsplitUploadWithPatientsKeepsEachPatientInOneSplitAndIsSeeded() throws Exception {
        String key = newOwnerKey();
        byte[] zip = twoEyedPatientsZip();
        String a = dataset(key, "grouped-a", 11);
        mvc.perform(upload(key, "/api/v1/datasets/" + a + "/zip").file(part("file", "set.zip", zip)))
                .andExpect(status().isCreated()).andExpect(jsonPath("$.accepted").value(40));

        Map<String, String> split = splitByFile(key, a);
        Map<String, Set<String>> perPatient = split.entrySet().stream().collect(Collectors.groupingBy(
                e -> e.getKey().substring("images/".length(), "images/P00".length()),
                Collectors.mapping(Map.Entry::getValue, Collectors.toSet())));
        assertThat(perPatient).hasSize(20);
        assertThat(perPatient.values()).allSatisfy(s -> assertThat(s).hasSize(1));
        assertThat(Set.copyOf(split.values())).containsExactlyInAnyOrder("train", "val", "test");
        List<Map<String, Object>> images = JsonPath.read(json(key, "/api/v1/datasets/" + a + "/images?size=500"),
                "$.items");
        for (int g = 0; g < 5; g++) {
            int grade = g;
            Map<String, Long> ofGrade = images.stream().filter(i -> ((Integer) i.get("grade")) == grade)
                    .collect(Collectors.groupingBy(i -> (String) i.get("split"), Collectors.counting()));
            long n = ofGrade.values().stream().mapToLong(Long::longValue).sum();
            long test = Math.round(n * 0.25);
            long val = Math.round(n * 0.25);
            assertThat(ofGrade.getOrDefault("test", 0L)).as("grade %d test", g).isBetween(test - 1, test + 1);
            assertThat(ofGrade.getOrDefault("val", 0L)).as("grade %d val", g).isBetween(val - 1, val + 1);
            assertThat(ofGrade.getOrDefault("train", 0L)).as("grade %d train", g)
                    .isBetween(n - test - val - 1, n - test - val + 1);
        }

        String stats = json(key, "/api/v1/datasets/" + a + "/stats");
        assertThat((Integer) JsonPath.read(stats, "$.patients")).isEqualTo(20);
        assertThat((Integer) JsonPath.read(stats, "$.imagesWithoutPatient")).isZero();
        Map<String, Integer> bySplit = JsonPath.read(stats, "$.patientsBySplit");
        assertThat(bySplit.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(20);
        assertThat((List<?>) JsonPath.read(stats, "$.patientOverlap")).isEmpty();
        assertThat((Map<String, Integer>) JsonPath.read(stats, "$.countsByEye"))
                .isEqualTo(Map.of("left", 20, "right", 20));
        String image = json(key, "/api/v1/datasets/" + a + "/images?size=1");
        assertThat((String) JsonPath.read(image, "$.items[0].patient")).isEqualTo("P0");
        assertThat((String) JsonPath.read(image, "$.items[0].eye")).isEqualTo("left");

        String b = dataset(key, "grouped-b", 11);
        mvc.perform(upload(key, "/api/v1/datasets/" + b + "/zip").file(part("file", "set.zip", zip)))
                .andExpect(status().isCreated());
        assertThat(splitByFile(key, b)).isEqualTo(split);
    }

    @Test
    void givenSplitsThatSplitAPatientAreRefusedUnlessAllowed() throws Exception {
        String key = newOwnerKey();
        String id = dataset(key, "overlap", 3);
        String csv = "filename,grade,split,patient_id,eye\n"
                + "p1_l.png,0,train,P1,left\n"
                + "p1_r.png,1,test,P1,right\n"
                + "p2_l.png,2,val,P2,OS\n"
                + "p2_r.png,2,,P2,OD\n"
                + "p3_l.png,3,train,P3,L\n"
                + "p3_r.png,3,val,P3,R\n";
        var request = upload(key, "/api/v1/datasets/" + id + "/images");
        Map<String, Integer> grades = new HashMap<>(Map.of("p1_l", 0, "p1_r", 1, "p2_l", 2, "p2_r", 2, "p3_l", 3,
                "p3_r", 3));
        grades.forEach((name, g) -> request.file(part("files", name + ".png",
                TestFiles.phantom(g, 48, name.hashCode(), "png"))));
        request.file(part("labels", "labels.csv", csv.getBytes(StandardCharsets.UTF_8)));

        var storeBefore = storeSnapshot();
        mvc.perform(request)
                .andExpect(status().isUnprocessableContent())
                .andExpect(jsonPath("$.code").value("patient_overlap"))
                .andExpect(jsonPath("$.detail", containsString("P1")))
                .andExpect(jsonPath("$.patients[*].patient", contains("P1", "P3")))
                .andExpect(jsonPath("$.patients[0].splits", contains("train", "test")));
        assertThat((Integer) JsonPath.read(json(key, "/api/v1/datasets/" + id), "$.imageCount")).isZero();
        assertThat(storeSnapshot()).as("a refused upload writes no blob").isEqualTo(storeBefore);

        mvc.perform(request.param("allowPatientOverlap", "true"))
                .andExpect(status().isCreated()).andExpect(jsonPath("$.accepted").value(6));
        Map<String, String> split = splitByFile(key, id);
        assertThat(split).containsEntry("p2_r.png", "val");
        String stats = json(key, "/api/v1/datasets/" + id + "/stats");
        assertThat((List<String>) JsonPath.read(stats, "$.patientOverlap[*].patient")).containsExactly("P1", "P3");
        assertThat((List<String>) JsonPath.read(stats, "$.patientOverlap[0].splits")).containsExactly("train", "test");
        assertThat((Map<String, Integer>) JsonPath.read(stats, "$.patientsBySplit"))
                .isEqualTo(Map.of("train", 2, "val", 2, "test", 1));

        // a later upload is checked against the patients already stored
        storeBefore = storeSnapshot();
        mvc.perform(upload(key, "/api/v1/datasets/" + id + "/images")
                        .file(part("files", "p2_again.png", TestFiles.phantom(2, 48, 99, "png")))
                        .file(part("labels", "labels.csv",
                                "filename,grade,split,patient\np2_again.png,2,test,P2\n".getBytes(StandardCharsets.UTF_8))))
                .andExpect(status().isUnprocessableContent())
                .andExpect(jsonPath("$.patients[0].patient").value("P2"))
                .andExpect(jsonPath("$.patients[0].splits", contains("val", "test")));
        assertThat(storeSnapshot()).isEqualTo(storeBefore);
    }

    @Test
    void statsShowTheSamePictureStoredInTrainAndTest() throws Exception {
        String key = newOwnerKey();
        String id = dataset(key, "duplicates", 5);
        byte[] same = TestFiles.phantom(2, 48, 7, "png");
        mvc.perform(upload(key, "/api/v1/datasets/" + id + "/images")
                        .file(part("files", "a.png", same))
                        .file(part("files", "a-again.png", same))
                        .file(part("files", "b.png", TestFiles.phantom(3, 48, 8, "png")))
                        .file(part("labels", "labels.csv", ("filename,grade,split\na.png,2,train\n"
                                + "a-again.png,2,test\nb.png,3,train\n").getBytes(StandardCharsets.UTF_8))))
                .andExpect(status().isCreated());
        String stats = json(key, "/api/v1/datasets/" + id + "/stats");
        assertThat((Integer) JsonPath.read(stats, "$.duplicates.exact")).isEqualTo(1);
        assertThat((Integer) JsonPath.read(stats, "$.duplicates.pairsAcrossSplits")).isEqualTo(1);
        assertThat((List<String>) JsonPath.read(stats, "$.duplicates.groups[0].images[*].filename"))
                .containsExactlyInAnyOrder("a.png", "a-again.png");
    }
}
