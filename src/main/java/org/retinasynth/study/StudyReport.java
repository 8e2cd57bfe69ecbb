package org.retinasynth.study;

import java.util.List;
import java.util.Map;
import org.retinasynth.metrics.ClassificationMetrics;
import org.retinasynth.metrics.PairedDifference;
import org.retinasynth.metrics.SampleChecks;
import org.retinasynth.metrics.Summary;
import org.retinasynth.training.EpochMetrics;

/**
 * What a finished study reports: raw per-seed results, the summaries over seeds computed from them,
 * and the provenance that ties every number and figure to its spec, seeds and data hash.
 */
public record StudyReport(String studyId, Map<String, Object> provenance, List<ArmSummary> arms,
                          List<RepresentationSummary> representation, List<QualityRow> syntheticQuality,
                          List<RobustnessSummary> robustness, List<ClassifierRun> classifierRuns,
                          List<GenerativeRun> generativeRuns, List<Figure> figures, List<String> notes,
                          List<QualitySummary> syntheticQualityOverSeeds, List<ExternalSummary> external) {

    /**
     * One classifier's scores on an external test set.
     *
     * @param contentSha256 the set as this unit read it (see {@code DatasetService.SizedImages#contentSha256})
     */
    public record ExternalScores(String name, String datasetId, String contentSha256, int images, Scores scores) {
    }

    /**
     * Every arm on one external test set, summarised like the internal test split (mean ± sd,
     * paired differences to REAL and to REAL_OVERSAMPLED, per-grade recall, summed confusion).
     */
    public record ExternalSummary(String name, String datasetId, String contentSha256, int images,
                                  int[] countsPerGrade, List<ArmSummary> arms, List<Transfer> transfer) {
    }

    /**
     * What an arm loses from the internal test split to one external set: the drop (internal minus
     * external, per seed) and, paired by seed, its drop minus the drop of each arm it is measured
     * against (REAL, REAL_CLASSIC and, for a DVAE arm, the same arm built on the VAE). Below 0: the
     * arm loses less than that one.
     *
     * @param dropMinus compared arm, then metric, to the paired difference of drops
     */
    public record Transfer(String arm, Map<String, Summary> drop,
                           Map<String, Map<String, PairedDifference>> dropMinus) {
    }

    /** The classification scores of one classifier on one test condition. */
    public record Scores(double accuracy, double balancedAccuracy, double macroF1, double[] recall,
                         double quadraticWeightedKappa, double macroAuc, int[][] confusion) {

        static Scores of(ClassificationMetrics m) {
            return new Scores(m.accuracy(), m.balancedAccuracy(), m.macroF1(), m.recall(), m.quadraticWeightedKappa(),
                    m.macroAuc(), m.confusion());
        }
    }

    /** A corrupted test condition: a registered corruption or {@code equipment_shift}, at a severity. */
    public record RobustnessPoint(String condition, double severity, double accuracy, double balancedAccuracy,
                                  double macroF1) {
    }

    /**
     * One arm x seed classifier: what it trained on, how training went and how it scored.
     *
     * @param external   its scores on each external test set (empty without any)
     * @param imagesRead distinct images it read, per phase ({@code training}: fitting, {@code selection}:
     *                   choosing the epoch, {@code scoring}) and per source ({@code dataset/SPLIT} of the
     *                   study's dataset, {@code external/NAME}, {@code synthetic}): the record that external
     *                   sets are only ever scored. Roles, not ids, so that reruns compare key for key
     * @param encoder    the generative model whose encoder the classifier started from; null for a
     *                   classifier trained from scratch
     * @param filter     how a *_BALANCED arm's synthetic images were filtered; null for every other arm
     */
    public record ClassifierRun(String arm, int seed, int realImages, int syntheticImages, int[] trainCountsPerGrade,
                                int epochsRun, int selectedEpoch, List<Double> trainLoss, List<Double> valLoss,
                                Scores test, List<RobustnessPoint> robustness, double seconds,
                                List<ExternalScores> external, Map<String, Map<String, Integer>> imagesRead,
                                EncoderSource encoder, FilterRun filter) {
    }

    /**
     * The trained VAE or DVAE an encoder-initialised classifier started from.
     *
     * @param unit        the study unit that trained or loaded it ({@code gen/TYPE/sN|all})
     * @param modelSha256 the content hash of that unit's model archive, the exact weights copied
     * @param frozen      whether the encoder stayed as it was (the head alone trained)
     */
    public record EncoderSource(String model, String unit, String modelSha256, boolean frozen) {
    }

    /**
     * The grader filter of one *_BALANCED arm and seed.
     *
     * @param model         the generative model sampled (VAE or DVAE)
     * @param grader        the study unit whose classifier graded the samples ({@code clf/REAL/sN})
     * @param threshold     the probability of the intended grade a sample needed
     * @param drawsPerImage the budget: at most this many draws per image asked for, per grade
     * @param grades        per grade topped up: requested, drawn, passed, accepted, acceptance rate
     */
    public record FilterRun(String model, String grader, double threshold, int drawsPerImage,
                         List<org.retinasynth.generation.GradeFilter.FilterTally> grades) {
    }

    /** A VAE or DVAE's representation under one input condition (clean or corrupted test images). */
    public record RepresentationPoint(String condition, double probeAccuracy, double latentStability,
                                      double psnr, double ssim) {
    }

    /**
     * One trained (or loaded) generative model, its loss history and its test-set scores.
     *
     * @param external   its representation on each external test set (probe still trained on the
     *                   training split), under the clean and the representation-corruption condition
     * @param imagesRead distinct images it read per phase and source, as in {@link ClassifierRun}
     */
    public record GenerativeRun(String model, int seed, String source, List<EpochMetrics> history,
                                double testNegativeElbo, double testIwaeLogLikelihood,
                                List<RepresentationPoint> representation, double seconds,
                                List<ExternalRepresentation> external, Map<String, Map<String, Integer>> imagesRead) {
    }

    /** A generative model's representation points on one external test set. */
    public record ExternalRepresentation(String name, String contentSha256, List<RepresentationPoint> points) {
    }

    /**
     * Real test images vs a synthetic (or real training) set in the study's feature space.
     *
     * @param twoSampleAuc a real-vs-synthetic linear classifier's test AUC (0.5: indistinguishable);
     *                     for the all-grades row of a generative model, else null
     * @param memorisation nearest-training-image distances of the samples against held-out real
     *                     images; likewise
     * @param seed         the seed of the models and of the REAL classifier whose features scored them
     *                     (null in reports made when only seed 0 was scored)
     */
    public record QualityRow(String source, String grade, int realCount, int fakeCount, double frechetDistance,
                             double precision, double recall, double density, double coverage, Double twoSampleAuc,
                             SampleChecks.Memorisation memorisation, Integer seed) {

        QualityRow withSeed(int s) {
            return new QualityRow(source, grade, realCount, fakeCount, frechetDistance, precision, recall, density,
                    coverage, twoSampleAuc, memorisation, s);
        }
    }

    /** One source and grade's quality figures over the seeds' models: mean ± sd of each. */
    public record QualitySummary(String source, String grade, Map<String, Summary> metrics) {
    }

    /** An arm over seeds: mean +- sd per metric and the paired difference to REAL with its 95% interval. */
    /**
     * @param differenceToOversampled arm minus REAL_OVERSAMPLED per seed, on the metrics and each
     *                                grade's recall ({@code recall[g]}); empty without that arm
     */
    public record ArmSummary(String arm, Map<String, Summary> metrics, Map<String, PairedDifference> differenceToReal,
                             List<Summary> recallPerGrade, int[][] confusionSummedOverSeeds,
                             Map<String, PairedDifference> differenceToOversampled) {
    }

    /** VAE vs DVAE on one representation metric: both over seeds, and DVAE minus VAE paired by seed. */
    public record RepresentationSummary(String metric, String condition, Summary vae, Summary dvae,
                                        PairedDifference dvaeMinusVae) {
    }

    /**
     * One point of a metric-vs-severity curve: an arm's metric under a condition, over seeds.
     *
     * @param differenceToReal arm minus REAL under the same condition and seed, with its 95% interval;
     *                         null for REAL itself and with fewer than 2 paired seeds
     */
    public record RobustnessSummary(String arm, String condition, double severity, String metric, Summary value,
                                    PairedDifference differenceToReal) {
    }

    /** A figure of the report and where it comes from. */
    public record Figure(String name, String caption, String sha256, List<String> arms, List<Integer> seeds) {
    }
}
