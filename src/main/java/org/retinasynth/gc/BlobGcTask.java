package org.retinasynth.gc;

import java.time.Duration;
import org.retinasynth.jobs.PeriodicTask;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/** The scheduled sweep: db-scheduler runs each execution on exactly one worker instance. */
@Component
@ConditionalOnProperty(name = "retinasynth.gc.enabled", havingValue = "true", matchIfMissing = true)
class BlobGcTask implements PeriodicTask {

    private final BlobGc gc;
    private final GcProperties properties;

    BlobGcTask(BlobGc gc, GcProperties properties) {
        this.gc = gc;
        this.properties = properties;
    }

    @Override
    public String name() {
        return BlobGc.TASK;
    }

    @Override
    public Duration interval() {
        return properties.interval();
    }

    @Override
    public void run() {
        gc.run(false);
    }
}
