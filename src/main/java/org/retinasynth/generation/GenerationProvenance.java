package org.retinasynth.generation;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.retinasynth.model.TorchRuntime;

/**
 * Where a generated set came from: the model (job, content hash, type), the data that model was
 * trained on, the request and its seeds, and what ran it. Written when the set is asked for; the
 * device, worker and seconds of the run that finished it are added then. The field names are those
 * of the earlier untyped map, so sets made before read the same.
 *
 * @param filter the grader filter and what it kept; null for an unfiltered set
 */
public record GenerationProvenance(String generationId, String modelJobId, String modelSha256, String modelType,
                                   String trainingDatasetId, String datasetContentSha256, Long trainingSeed,
                                   String mode, List<Integer> countsPerGrade, int total, long seed,
                                   double temperature, int chunkSize, String chunkSeeds,
                                   TorchRuntime.EngineInfo engine, Map<String, Object> modelEngine, String java,
                                   String codeVersion, String prior, String device, String worker,
                                   Double lastRunSeconds, FilterProvenance filter) {

    /**
     * A filtered set's grader and tallies.
     *
     * @param filter                           what was kept, in words
     * @param threshold                        the probability of its grade an image needed
     * @param drawsPerImage                    the budget per image asked for, per chunk and grade
     * @param grader                           the grader's settings and what it was trained and selected on
     * @param graderSha256                     the grader's archive, so that a resumed run grades alike
     * @param graderValidationBalancedAccuracy on the validation split; null without one
     * @param perChunk                         each committed chunk's tallies (a redone chunk replaces its own)
     * @param perGrade                         the tallies summed over the committed chunks
     */
    public record FilterProvenance(String filter, double threshold, int drawsPerImage, Map<String, Object> grader,
                         String graderSha256, Double graderValidationBalancedAccuracy,
                         Map<Integer, List<GradeFilter.FilterTally>> perChunk, List<GradeFilter.FilterTally> perGrade) {

        FilterProvenance withGrader(Map<String, Object> settings, String sha256, Double balancedAccuracy) {
            return new FilterProvenance(filter, threshold, drawsPerImage, settings, sha256, balancedAccuracy, perChunk,
                    perGrade);
        }

        FilterProvenance withChunk(int chunk, List<GradeFilter.FilterTally> tallies) {
            Map<Integer, List<GradeFilter.FilterTally>> chunks = new TreeMap<>(perChunk == null ? Map.of() : perChunk);
            chunks.put(chunk, List.copyOf(tallies));
            Map<Integer, int[]> sums = new TreeMap<>();
            for (List<GradeFilter.FilterTally> l : chunks.values()) {
                for (GradeFilter.FilterTally t : l) {
                    int[] s = sums.computeIfAbsent(t.grade(), g -> new int[4]);
                    s[0] += t.requested();
                    s[1] += t.drawn();
                    s[2] += t.passed();
                    s[3] += t.accepted();
                }
            }
            List<GradeFilter.FilterTally> grades = new ArrayList<>();
            sums.forEach((g, s) -> grades.add(new GradeFilter.FilterTally(g, s[0], s[1], s[2], s[3])));
            return new FilterProvenance(filter, threshold, drawsPerImage, grader, graderSha256,
                    graderValidationBalancedAccuracy, chunks, List.copyOf(grades));
        }
    }

    GenerationProvenance ranOn(String device, String worker, double seconds) {
        return new GenerationProvenance(generationId, modelJobId, modelSha256, modelType, trainingDatasetId,
                datasetContentSha256, trainingSeed, mode, countsPerGrade, total, seed, temperature, chunkSize,
                chunkSeeds, engine, modelEngine, java, codeVersion, prior, device, worker, seconds, filter);
    }

    GenerationProvenance withFilter(FilterProvenance f) {
        return new GenerationProvenance(generationId, modelJobId, modelSha256, modelType, trainingDatasetId,
                datasetContentSha256, trainingSeed, mode, countsPerGrade, total, seed, temperature, chunkSize,
                chunkSeeds, engine, modelEngine, java, codeVersion, prior, device, worker, lastRunSeconds, f);
    }
}
