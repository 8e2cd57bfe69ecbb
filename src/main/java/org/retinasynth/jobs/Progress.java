package org.retinasynth.jobs;

/**
 * How far a job is, in the kind's own unit (training steps, images, study units).
 *
 * @param phase what the job is doing now, in words; null when the unit says enough
 * @param rate  units per second over the current attempt, once known
 */
public record Progress(long done, long total, String phase, Double rate, Double etaSeconds) {

    public Progress withPhase(String phase) {
        return new Progress(done, total, phase, rate, etaSeconds);
    }
}
