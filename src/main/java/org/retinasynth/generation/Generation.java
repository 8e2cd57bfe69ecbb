package org.retinasynth.generation;

import org.retinasynth.jobs.Job;
import org.retinasynth.jobs.OfJob;

/** A generated set: the common job row (progress in images), its plan and provenance. */
public record Generation(Job job, String modelJobId, String modelSha256, GenerationPlan plan,
                         GenerationProvenance provenance) implements OfJob {

}
