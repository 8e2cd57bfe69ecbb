package org.retinasynth.corruption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.retinasynth.testsupport.TestImages;

/** Each corruption does what its description says, measured on synthetic images. */
class CorruptionBehaviourTest {

    static final int H = 64;
    static final int W = 64;

    static float[] apply(String name, float[] clean, int h, int w, double s, long seed) {
        float[] x = clean.clone();
        CorruptionRegistry.get(name).apply(x, h, w, s, new SplittableRandom(seed));
        return x;
    }

    @Test
    void gaussianStdMatchesDocumentedSigmaOnMidGrey() {
        int h = 128;
        int w = 128;
        float[] grey = TestImages.constant(h, w, 0.5f);
        // Up to s = 0.4 (sigma 0.12) clamping at 0/1 is > 4 sigma away and negligible.
        for (double s : new double[] {0.1, 0.25, 0.4}) {
            float[] x = apply("gaussian", grey, h, w, s, 7);
            double mean = TestImages.mean(x);
            double var = 0;
            for (float v : x) {
                var += (v - mean) * (v - mean);
            }
            double std = Math.sqrt(var / x.length);
            double sigma = 0.3 * s;
            assertThat(mean).isCloseTo(0.5, within(0.01 * sigma + 0.001));
            // n = 49152: the standard error of the std is ~0.3 %; allow 2 %.
            assertThat(std).as("s=%s", s).isCloseTo(sigma, within(0.02 * sigma));
        }
    }

    @Test
    void saltPepperHitsDocumentedFractionWithBothPolarities() {
        int h = 128;
        int w = 128;
        int n = h * w;
        float[] x = apply("salt_pepper", TestImages.constant(h, w, 0.5f), h, w, 0.5, 3);
        int black = 0;
        int white = 0;
        for (int i = 0; i < n; i++) {
            // All three channels move together.
            assertThat(x[i + n]).isEqualTo(x[i]);
            assertThat(x[i + 2 * n]).isEqualTo(x[i]);
            black += x[i] == 0f ? 1 : 0;
            white += x[i] == 1f ? 1 : 0;
        }
        double p = 0.15;
        double sd = Math.sqrt(n * p * (1 - p));
        assertThat((double) black + white).isCloseTo(n * p, within(5 * sd));
        assertThat((double) black).isCloseTo(n * p / 2, within(5 * sd));
    }

    @Test
    void maskingZeroesDocumentedFractionOfPixels() {
        int h = 128;
        int w = 128;
        int n = h * w;
        float[] x = apply("masking", TestImages.constant(h, w, 0.5f), h, w, 1.0, 4);
        int zero = 0;
        for (int i = 0; i < n; i++) {
            boolean dropped = x[i] == 0f;
            assertThat(x[i + n] == 0f).isEqualTo(dropped);
            assertThat(x[i + 2 * n] == 0f).isEqualTo(dropped);
            zero += dropped ? 1 : 0;
        }
        double p = 0.6;
        assertThat((double) zero).isCloseTo(n * p, within(5 * Math.sqrt(n * p * (1 - p))));
    }

    @Test
    void blurLowersSharpnessAndKeepsMean() {
        float[] clean = TestImages.structured(H, W);
        double sharp = TestImages.laplacianVariance(clean, H, W);
        double previous = sharp;
        for (double s : new double[] {0.2, 0.5, 1.0}) {
            float[] x = apply("blur", clean, H, W, s, 0);
            double lv = TestImages.laplacianVariance(x, H, W);
            assertThat(lv).as("s=%s", s).isLessThan(previous);
            previous = lv;
            assertThat(TestImages.mean(x)).isCloseTo(TestImages.mean(clean), within(0.01));
        }
        assertThat(previous).isLessThan(0.05 * sharp);
    }

    @Test
    void defocusLowersSharpnessAndKeepsMean() {
        float[] clean = TestImages.structured(H, W);
        float[] x = apply("defocus", clean, H, W, 0.6, 0);
        assertThat(TestImages.laplacianVariance(x, H, W))
                .isLessThan(0.2 * TestImages.laplacianVariance(clean, H, W));
        assertThat(TestImages.mean(x)).isCloseTo(TestImages.mean(clean), within(0.01));
    }

    /** The same severity is the same optical blur at any resolution: sigma scales with width. */
    @Test
    void blurWidthScalesWithImageWidth() {
        double at64 = impulseSpread(64, 0.6);
        double at128 = impulseSpread(128, 0.6);
        assertThat(at64).isCloseTo(3 * 0.6, within(0.05));
        assertThat(at128 / at64).isCloseTo(2.0, within(0.05));
    }

    /** Horizontal standard deviation, in px, of the blurred image of one bright pixel. */
    private static double impulseSpread(int size, double s) {
        float[] x = new float[3 * size * size];
        int c = size / 2;
        x[c * size + c] = 1f;
        CorruptionRegistry.get("blur").apply(x, size, size, s, new SplittableRandom(0));
        double mass = 0;
        double second = 0;
        for (int y = 0; y < size; y++) {
            for (int xx = 0; xx < size; xx++) {
                double v = x[y * size + xx];
                mass += v;
                second += v * (xx - c) * (xx - c);
            }
        }
        assertThat(mass).isCloseTo(1.0, within(1e-3));
        return Math.sqrt(second / mass);
    }

    @Test
    void vignettingDarkensCornersMoreThanCentre() {
        float[] grey = TestImages.constant(H, W, 0.6f);
        float[] x = apply("vignetting", grey, H, W, 1.0, 0);
        double centre = TestImages.patchMean(x, H, W, H / 2, W / 2);
        double midEdge = TestImages.patchMean(x, H, W, H / 2, 0);
        for (int[] corner : new int[][] {{0, 0}, {0, W - 1}, {H - 1, 0}, {H - 1, W - 1}}) {
            double v = TestImages.patchMean(x, H, W, corner[0], corner[1]);
            assertThat(v).isLessThan(midEdge);
            assertThat(v).isCloseTo(0.6 * 0.2, within(0.03));
        }
        assertThat(midEdge).isLessThan(centre);
        assertThat(centre).isCloseTo(0.6, within(0.01));
    }

    @Test
    void colourCastChangesChannelMeansUnequally() {
        float[] grey = TestImages.constant(H, W, 0.5f);
        float[] x = apply("colour_cast", grey, H, W, 1.0, 0);
        double dr = TestImages.channelMean(x, H, W, 0) - 0.5;
        double dg = TestImages.channelMean(x, H, W, 1) - 0.5;
        double db = TestImages.channelMean(x, H, W, 2) - 0.5;
        // Towards yellow-green: blue drops most, green rises, red drops a little.
        assertThat(db).isCloseTo(-0.25, within(1e-4));
        assertThat(dg).isCloseTo(+0.075, within(1e-4));
        assertThat(dr).isCloseTo(-0.05, within(1e-4));
        assertThat(Math.abs(dg - dr)).isGreaterThan(0.05);
        assertThat(Math.abs(db - dr)).isGreaterThan(0.05);
    }

    @Test
    void contrastKeepsChannelMeansAndShrinksDeviations() {
        float[] clean = TestImages.smooth(H, W);
        float[] x = apply("contrast", clean, H, W, 0.5, 0);
        for (int c = 0; c < 3; c++) {
            assertThat(TestImages.channelMean(x, H, W, c))
                    .isCloseTo(TestImages.channelMean(clean, H, W, c), within(1e-5));
        }
        double m = TestImages.channelMean(clean, H, W, 0);
        int i = 5 * W + 50;
        assertThat(x[i] - m).isCloseTo((clean[i] - m) * 0.6, within(1e-5));
    }

    @Test
    void illuminationAndGammaGoBothWaysAcrossSeeds() {
        float[] grey = TestImages.constant(8, 8, 0.4f);
        for (String name : new String[] {"illumination", "gamma"}) {
            boolean brighter = false;
            boolean darker = false;
            for (long seed = 0; seed < 20; seed++) {
                float v = apply(name, grey, 8, 8, 1.0, seed)[0];
                brighter |= v > 0.4f;
                darker |= v < 0.4f;
            }
            assertThat(brighter && darker).as(name).isTrue();
        }
        // Documented extremes: factor 2^±1; gamma 2.5^±1.
        float ill = apply("illumination", grey, 8, 8, 1.0, 0)[0];
        assertThat(ill == 0.8f || ill == 0.2f).as("illumination gave %s", ill).isTrue();
        float gam = apply("gamma", grey, 8, 8, 1.0, 0)[0];
        assertThat(Math.abs(gam - Math.pow(0.4, 2.5)) < 1e-6 || Math.abs(gam - Math.pow(0.4, 0.4)) < 1e-6)
                .as("gamma gave %s", gam).isTrue();
    }

    @Test
    void unevenFieldIsASmoothRampWithDocumentedRange() {
        float[] grey = TestImages.constant(H, W, 0.5f);
        float[] x = apply("uneven_field", grey, H, W, 1.0, 11);
        double min = 1;
        double max = 0;
        double maxStep = 0;
        for (int y = 0; y < H; y++) {
            for (int xx = 0; xx < W; xx++) {
                double v = x[y * W + xx];
                min = Math.min(min, v);
                max = Math.max(max, v);
                if (xx > 0) {
                    maxStep = Math.max(maxStep, Math.abs(v - x[y * W + xx - 1]));
                }
            }
        }
        // Factor 0.5..1.5 reached at opposite corners, and no edges anywhere.
        assertThat(min).isCloseTo(0.25, within(1e-3));
        assertThat(max).isCloseTo(0.75, within(1e-3));
        assertThat(maxStep).isLessThan(0.02);
    }

    @Test
    void jpegQualityMapping() {
        assertThat(Jpeg.quality(1e-9)).isEqualTo(95);
        assertThat(Jpeg.quality(0.5)).isEqualTo(50);
        assertThat(Jpeg.quality(1.0)).isEqualTo(5);
    }

    /**
     * Block artefacts: pixel steps across 8x8 block borders, relative to steps inside blocks. On a
     * smooth image they are equal before compression and grow as quality drops.
     */
    @Test
    void jpegBlockingGrowsAsQualityDrops() {
        float[] clean = TestImages.smooth(H, W);
        double before = blockiness(clean, H, W);
        assertThat(before).isCloseTo(1.0, within(0.2));
        double previous = before;
        for (double s : new double[] {0.5, 0.8, 1.0}) {
            double b = blockiness(apply("jpeg", clean, H, W, s, 0), H, W);
            assertThat(b).as("s=%s (quality %s)", s, Jpeg.quality(s)).isGreaterThan(previous);
            previous = b;
        }
        assertThat(previous).isGreaterThan(2.0);
    }

    private static double blockiness(float[] chw, int h, int w) {
        double border = 0;
        double inner = 0;
        int nb = 0;
        int ni = 0;
        for (int c = 0; c < 3; c++) {
            int o = c * h * w;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x + 1 < w; x++) {
                    double dh = Math.abs(chw[o + y * w + x + 1] - chw[o + y * w + x]);
                    double dv = Math.abs(chw[o + x * w + y + w] - chw[o + x * w + y]);
                    if (x % 8 == 7) {
                        border += dh + dv;
                        nb += 2;
                    } else {
                        inner += dh + dv;
                        ni += 2;
                    }
                }
            }
        }
        return (border / nb) / (inner / ni + 1e-9);
    }
}
