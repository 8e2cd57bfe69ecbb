package org.retinasynth.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.retinasynth.security.ApiKeyService;
import org.retinasynth.security.Owner;
import org.retinasynth.testsupport.IntegrationTest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Owners share one worker round-robin: owner A queues ten short jobs, then owner B one, on an
 * instance that runs one job at a time; B's job starts before A's third, and A's keep their order.
 */
@IntegrationTest
@SpringBootTest(properties = {"retinasynth.role=all", "retinasynth.jobs.workers=1"})
@Import(FairQueueTest.Naps.class)
class FairQueueTest {

    private static final Path DATA_DIR = temp();

    @Autowired
    JobService jobs;
    @Autowired
    ApiKeyService keys;

    @DynamicPropertySource
    static void embeddedStore(DynamicPropertyRegistry registry) {
        registry.add("retinasynth.data-dir", DATA_DIR::toString);
        registry.add("retinasynth.security.print-first-key", () -> "false");
    }

    @Test
    void anotherOwnersSingleJobDoesNotWaitBehindTenQueuedJobs() throws Exception {
        Owner a = keys.issue("fair-a-" + UUID.randomUUID(), false, "test").owner();
        Owner b = keys.issue("fair-b-" + UUID.randomUUID(), false, "test").owner();
        List<String> ofA = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ofA.add(jobs.submit(a, Naps.TYPE, new Naps.Nap(200)).id());
        }
        String ofB = jobs.submit(b, Naps.TYPE, new Naps.Nap(200)).id();

        long end = System.currentTimeMillis() + 60_000;
        while (Naps.STARTED.size() < 11 && System.currentTimeMillis() < end) {
            Thread.sleep(100);
        }
        List<String> order = List.copyOf(Naps.STARTED);
        assertThat(order).as("start order").hasSize(11);
        assertThat(order.indexOf(ofB)).as("B's job among " + order).isLessThan(order.indexOf(ofA.get(2)));
        assertThat(order.stream().filter(ofA::contains).toList()).as("A's jobs keep their order").isEqualTo(ofA);
    }

    /** A job that only takes a little time, and records when it started. */
    @TestConfiguration
    static class Naps {

        static final JobType TYPE = new JobType("nap-job", "nap", null);
        static final List<String> STARTED = new CopyOnWriteArrayList<>();

        record Nap(long millis) {
        }

        @Bean
        JobKind napBody() {
            return new JobKind() {
                @Override
                public JobType type() {
                    return TYPE;
                }

                @Override
                public Outcome run(JobContext job) {
                    if (!job.start("cpu", 1L)) {
                        return Outcome.DONE;
                    }
                    STARTED.add(job.id());
                    try {
                        Thread.sleep(job.spec(Nap.class).millis());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return Outcome.DONE;
                }
            };
        }
    }

    private static Path temp() {
        try {
            return Files.createTempDirectory("retinasynth-fair-");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
