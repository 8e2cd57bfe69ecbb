package org.retinasynth.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.request;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.jayway.jsonpath.JsonPath;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.retinasynth.testsupport.ApiTestSupport;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MvcResult;

/**
 * The events stream of a job that runs to its end: every event in order, the final state last,
 * then the server closes the stream; resuming after the end gives a closed stream at once; another
 * owner gets 404.
 */
class JobEventsTest extends ApiTestSupport {

    @Autowired
    JobEvents events;

    record Event(String id, String name, String data) {
    }

    @Test
    void aJobsEventsArriveInOrderAndTheStreamCloses() throws Exception {
        String alice = newOwnerKey();
        String dataset = createDemoDataset(alice, "{\"name\":\"events\",\"countsPerGrade\":[8,8,8,8,8],"
                + "\"imageSize\":40,\"workingSize\":28,\"seed\":3,\"valFraction\":0.2,\"testFraction\":0.2}");
        String job = JsonPath.read(mvc.perform(as(alice, post("/api/v1/training-jobs")
                        .contentType(MediaType.APPLICATION_JSON).content("{\"datasetId\":\"" + dataset
                                + "\",\"modelType\":\"VAE\",\"epochs\":12,\"batchSize\":8,\"latentDim\":8,"
                                + "\"baseChannels\":8,\"seed\":1}")))
                .andExpect(status().isCreated()).andReturn().getResponse().getContentAsString(), "$.id");
        String path = "/api/v1/training-jobs/" + job + "/events";

        MvcResult stream = mvc.perform(as(alice, get(path).accept(MediaType.TEXT_EVENT_STREAM)))
                .andExpect(request().asyncStarted()).andReturn();
        stream.getAsyncResult(180_000); // returns once the server has closed the stream
        List<Event> got = parse(stream.getResponse().getContentAsString());

        assertThat(got).isNotEmpty();
        assertThat(got.get(0).name()).isEqualTo("state");
        Event last = got.get(got.size() - 1);
        assertThat(last.name()).isEqualTo("end");
        assertThat((String) JsonPath.read(last.data(), "$.state")).isEqualTo("SUCCEEDED");
        assertThat(got.stream().filter(e -> e.name().equals("end"))).hasSize(1);
        long previousId = Long.MIN_VALUE;
        int previousDone = -1;
        int previousRank = -1;
        List<String> order = List.of("QUEUED", "RUNNING", "SUCCEEDED");
        for (Event e : got) {
            long id = Long.parseLong(e.id());
            assertThat(id).as("ids increase").isGreaterThan(previousId);
            previousId = id;
            int done = JsonPath.read(e.data(), "$.done");
            assertThat(done).as("progress never goes back").isGreaterThanOrEqualTo(previousDone);
            previousDone = done;
            int rank = order.indexOf(JsonPath.<String>read(e.data(), "$.state"));
            assertThat(rank).as("states in life-cycle order").isGreaterThanOrEqualTo(previousRank);
            previousRank = rank;
        }
        assertThat(got.stream().anyMatch(e -> e.name().equals("progress") || e.data().contains("RUNNING")))
                .as("the stream showed the job running, not only its end").isTrue();

        // resuming after the end: nothing more, closed at once
        MvcResult resumed = mvc.perform(as(alice, get(path).header("Last-Event-ID", last.id())))
                .andExpect(request().asyncStarted()).andReturn();
        resumed.getAsyncResult(10_000);
        assertThat(parse(resumed.getResponse().getContentAsString())).isEmpty();
        // resuming from an earlier event: the job as it is now, which is its end
        MvcResult fromFirst = mvc.perform(as(alice, get(path).header("Last-Event-ID", got.get(0).id())))
                .andExpect(request().asyncStarted()).andReturn();
        fromFirst.getAsyncResult(10_000);
        assertThat(parse(fromFirst.getResponse().getContentAsString())).extracting(Event::name).containsExactly("end");

        // another owner: absent
        mvc.perform(as(newOwnerKey(), get(path).accept(MediaType.TEXT_EVENT_STREAM))).andExpect(status().isNotFound());
        mvc.perform(as(newOwnerKey(), get("/api/v1/studies/" + job + "/events"))).andExpect(status().isNotFound());
        Thread.sleep(1_000);
        assertThat(events.open()).as("closed streams are forgotten").isZero();
    }

    private static List<Event> parse(String body) {
        List<Event> out = new ArrayList<>();
        for (String block : body.split("\n\n")) {
            String id = null;
            String name = "message";
            StringBuilder data = new StringBuilder();
            for (String line : block.split("\n")) {
                if (line.startsWith("id:")) {
                    id = line.substring(3).trim();
                } else if (line.startsWith("event:")) {
                    name = line.substring(6).trim();
                } else if (line.startsWith("data:")) {
                    data.append(line.substring(5).trim());
                }
            }
            if (!data.isEmpty()) {
                out.add(new Event(id, name, data.toString()));
            }
        }
        return out;
    }
}
