package org.retinasynth.generation;

import java.util.List;
import java.util.Map;
import org.retinasynth.model.TorchRuntime;

/**
 * Where a generated set came from: the model (job, content hash, type), the data that model was
 * trained on, the request and its seeds, and what ran it. Written when the set is asked for; the
 * device, worker and seconds of the run that finished it are added then. The field names are those
 * of the earlier untyped map, so sets made before read the same.
 */
public record GenerationProvenance(String generationId, String modelJobId, String modelSha256, String modelType,
                                   String trainingDatasetId, String datasetContentSha256, Long trainingSeed,
                                   String mode, List<Integer> countsPerGrade, int total, long seed,
                                   double temperature, int chunkSize, String chunkSeeds,
                                   TorchRuntime.EngineInfo engine, Map<String, Object> modelEngine, String java,
                                   String codeVersion, String prior, String device, String worker,
                                   Double lastRunSeconds) {

    GenerationProvenance ranOn(String device, String worker, double seconds) {
        return new GenerationProvenance(generationId, modelJobId, modelSha256, modelType, trainingDatasetId,
                datasetContentSha256, trainingSeed, mode, countsPerGrade, total, seed, temperature, chunkSize,
                chunkSeeds, engine, modelEngine, java, codeVersion, prior, device, worker, seconds);
    }
}
