package org.retinasynth.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class SummaryTest {

    @Test
    void sampleStandardDeviation() {
        Summary s = Summary.of(1, 2, 3, 4);
        assertThat(s.mean()).isEqualTo(2.5);
        assertThat(s.sd()).isCloseTo(Math.sqrt(5.0 / 3), within(1e-12)); // squares 2.25+.25+.25+2.25 over 3
        assertThat(s.n()).isEqualTo(4);
        assertThat(Summary.of(7)).isEqualTo(new Summary(7, 0, 1));
    }

    /** diffs 2, 3, 4: mean 3, sd 1; t(0.975, 2 df) = 4.303 from the table. */
    @Test
    void pairedDifferenceUsesStudentT() {
        PairedDifference d = PairedDifference.of(new double[] {3, 5, 7}, new double[] {1, 2, 3});
        double half = 4.302653 / Math.sqrt(3);
        assertThat(d.mean()).isEqualTo(3.0);
        assertThat(d.low()).isCloseTo(3 - half, within(1e-5));
        assertThat(d.high()).isCloseTo(3 + half, within(1e-5));
        assertThat(d.n()).isEqualTo(3);
        assertThat(Summary.of(2, 3, 4).halfWidth95()).isCloseTo(half, within(1e-5));
        assertThat(Summary.of(2).halfWidth95()).isNaN();
    }

    @Test
    void pairingRemovesSharedSeedVariance() {
        double[] reference = {0.50, 0.70, 0.60, 0.80, 0.55};
        double[] arm = new double[reference.length];
        for (int i = 0; i < arm.length; i++) {
            arm[i] = reference[i] + 0.02 + (i % 2 == 0 ? 0.001 : -0.001);
        }
        PairedDifference d = PairedDifference.of(arm, reference);
        assertThat(d.low()).isGreaterThan(0);
        assertThat(PairedDifference.of(new double[] {1}, new double[] {0.5}).low()).isNaN();
    }
}
