package org.retinasynth.study;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.retinasynth.corruption.CorruptionSpec;
import org.retinasynth.metrics.PairedDifference;
import org.retinasynth.study.StudyReport.ClassifierRun;
import org.retinasynth.study.StudyReport.ExternalScores;
import org.retinasynth.study.StudyReport.Scores;
import org.retinasynth.study.StudySpec.Arm;

/** The internal-to-external drop and its paired comparisons, computed from per-seed runs. */
class StudyTransferTest {

    private static Scores ba(double balancedAccuracy) {
        return new Scores(balancedAccuracy + 0.1, balancedAccuracy, balancedAccuracy - 0.1, new double[] {0.5, 0.5},
                0, 0.5, new int[][] {{1, 0}, {0, 1}});
    }

    private static ClassifierRun run(Arm arm, int seed, double internal, double external) {
        return new ClassifierRun(arm.name(), seed, 10, 0, new int[] {5, 5}, 1, 1, List.of(1.0), List.of(1.0),
                ba(internal), List.of(), 1, List.of(new ExternalScores("site-b", "x", "h", 8, ba(external))), Map.of(),
                null, null);
    }

    private static StudySpec spec(List<Arm> arms) {
        return new StudySpec("d", arms, 3, false, 1.0, null, false, 1.0, false,
                new StudySpec.Generative(1, 8, 1e-3, 4, 4, CorruptionSpec.parse("gaussian:0.3"), 1, 0, "BERNOULLI",
                        "FITTED", null, null, null, null, null),
                new StudySpec.Classifier(1, 8, 1e-3, 16, 0.1, 1e-4, false, 0), null, null, null, null, 2, null, null, null);
    }

    @Test
    void eachArmsDropIsPairedBySeedWithRealClassicAndItsVaeCounterpart() {
        double[] realExternal = {0.4, 0.5, 0.3};
        double[] dvaeExternal = {0.55, 0.56, 0.54};
        double[] vaeExternal = {0.5, 0.49, 0.47};
        List<ClassifierRun> runs = new ArrayList<>();
        for (int s = 0; s < 3; s++) {
            runs.add(run(Arm.REAL, s, 0.6, realExternal[s]));
            runs.add(run(Arm.REAL_DVAE, s, 0.6, dvaeExternal[s]));
            runs.add(run(Arm.REAL_VAE, s, 0.58, vaeExternal[s]));
        }
        List<StudyReport.Transfer> t = StudyReportBuilder.transfer(spec(List.of(Arm.REAL, Arm.REAL_VAE, Arm.REAL_DVAE)),
                runs, "site-b");

        assertThat(t).extracting(StudyReport.Transfer::arm).containsExactly("REAL", "REAL_VAE", "REAL_DVAE");
        StudyReport.Transfer real = t.get(0);
        assertThat(real.drop().get("balancedAccuracy").mean()).isCloseTo(0.2, within(1e-9));
        assertThat(real.dropMinus()).isEmpty(); // REAL_CLASSIC is not in the study
        StudyReport.Transfer dvae = t.get(2);
        assertThat(dvae.dropMinus()).containsOnlyKeys("REAL", "REAL_VAE");
        PairedDifference vsReal = dvae.dropMinus().get("REAL").get("balancedAccuracy");
        // drops 0.05, 0.04, 0.06 against 0.2, 0.1, 0.3
        assertThat(vsReal.mean()).isCloseTo(-0.15, within(1e-9));
        assertThat(vsReal.n()).isEqualTo(3);
        PairedDifference vsVae = dvae.dropMinus().get("REAL_VAE").get("balancedAccuracy");
        // the VAE arm's drops: 0.08, 0.09, 0.11
        assertThat(vsVae.mean()).isCloseTo((0.05 - 0.08 + 0.04 - 0.09 + 0.06 - 0.11) / 3, within(1e-9));
        assertThat(vsVae.high()).isLessThan(0);
        assertThat(t.get(1).dropMinus()).containsOnlyKeys("REAL");
    }
}
