package org.retinasynth.training;

import org.retinasynth.model.TorchRuntime;

/**
 * Where a trained model came from, stored with the job and inside the model's archive: the data
 * (with its content hash) and how it was preprocessed, the full spec and seed, and what ran it.
 * The field names are those of the earlier untyped map, so rows written before read the same.
 */
public record TrainingProvenance(String jobId, String datasetId, String datasetContentSha256,
                                 Preprocessing preprocessing, TrainingSpec spec, long seed, String device,
                                 TorchRuntime.EngineInfo engine, String java, String codeVersion, long parameterCount,
                                 double trainingSeconds) {

    /** How dataset images became the model's input. */
    public record Preprocessing(boolean fieldOfViewCrop, int squareResize, String pixelRange) {
    }
}
