package org.retinasynth.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class HeavyWorkTest {

    @Test
    void aSecondHeavyRequestWaitsForTheTurnAndIsRefusedWhenNoneComes() throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        HeavyWork heavy = new HeavyWork(new HeavyWork.Properties(1, 3), new RoleProperties(Role.ALL), meters);
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> heavy.run(() -> {
            inside.countDown();
            await(release);
            return "first";
        }));
        assertThat(inside.await(5, TimeUnit.SECONDS)).isTrue();

        long t0 = System.nanoTime();
        assertThatThrownBy(() -> heavy.run(() -> "second")).isInstanceOf(HeavyWork.BusyException.class);
        assertThat((System.nanoTime() - t0) / 1e9).as("waited for its turn first").isGreaterThan(2.9);

        CompletableFuture<String> third = CompletableFuture.supplyAsync(() -> heavy.run(() -> "third"));
        long end = System.nanoTime() + 2_000_000_000L;
        while (meters.get("retinasynth.api.heavy.waiting").gauge().value() < 1 && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        assertThat(meters.get("retinasynth.api.heavy.waiting").gauge().value()).isEqualTo(1.0);
        assertThat(third).isNotDone();
        release.countDown();
        assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo("first");
        assertThat(third.get(5, TimeUnit.SECONDS)).isEqualTo("third");
    }

    @Test
    void aFailingTurnGivesItsPermitBack() {
        HeavyWork heavy = new HeavyWork(new HeavyWork.Properties(1, 0), new RoleProperties(Role.API),
                new SimpleMeterRegistry());
        assertThatThrownBy(() -> heavy.run(() -> {
            throw new IllegalStateException("broken");
        })).hasMessage("broken");
        assertThat(heavy.run(() -> "next")).isEqualTo("next");
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
