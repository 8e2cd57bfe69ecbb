package org.retinasynth.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PhantomGeneratorTest {

    @Test
    void sameSeedGivesIdenticalPixelsAndDifferentSeedDoesNot() {
        PhantomGenerator a = new PhantomGenerator(42);
        PhantomGenerator b = new PhantomGenerator(42);
        PhantomGenerator c = new PhantomGenerator(43);
        for (int grade = 0; grade < PhantomGenerator.GRADES; grade++) {
            int[] pa = pixels(a.render(grade, 96));
            assertThat(pixels(b.render(grade, 96))).isEqualTo(pa);
            assertThat(pixels(c.render(grade, 96))).isNotEqualTo(pa);
        }
    }

    @Test
    void successiveRendersAreDifferentEyes() {
        PhantomGenerator gen = new PhantomGenerator(7);
        assertThat(pixels(gen.render(0, 64))).isNotEqualTo(pixels(gen.render(0, 64)));
    }

    @ParameterizedTest
    @ValueSource(ints = {16, 28, 64, 257, 1024})
    void rendersRgbDiscOnBlack(int size) {
        BufferedImage img = new PhantomGenerator(1).render(3, size);
        assertThat(img.getType()).isEqualTo(BufferedImage.TYPE_INT_RGB);
        assertThat(img.getWidth()).isEqualTo(size);
        assertThat(img.getHeight()).isEqualTo(size);
        // Corners are outside the field of view, the centre inside it.
        for (int[] corner : new int[][] {{0, 0}, {size - 1, 0}, {0, size - 1}, {size - 1, size - 1}}) {
            assertThat(img.getRGB(corner[0], corner[1]) & 0xFFFFFF).isZero();
        }
        int centre = img.getRGB(size / 2, size / 2);
        assertThat((centre >> 16) & 0xFF).isGreaterThan(40);
    }

    @Test
    void rejectsGradeAndSizeOutOfRange() {
        PhantomGenerator gen = new PhantomGenerator(1);
        assertThatThrownBy(() -> gen.render(-1, 64)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> gen.render(5, 64)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> gen.render(0, 15)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> gen.render(0, 1025)).isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * The same eye rendered at each grade differs from its grade-0 self only by lesions, so the
     * mean change inside the disc measures lesion burden; it must rise with every grade step,
     * also at 64 px where the classifier is trained.
     */
    @ParameterizedTest
    @ValueSource(ints = {64, 128})
    void lesionBurdenRisesWithGradeForTheSameEye(int size) {
        for (long eye = 1; eye <= 12; eye++) {
            BufferedImage healthy = PhantomGenerator.renderEye(eye, 0, size);
            assertThat(pixels(PhantomGenerator.renderEye(eye, 0, size))).isEqualTo(pixels(healthy));
            double previous = 0;
            for (int grade = 1; grade < PhantomGenerator.GRADES; grade++) {
                double burden = meanAbsDiff(healthy, PhantomGenerator.renderEye(eye, grade, size));
                assertThat(burden).as("eye %d grade %d at %d px", eye, grade, size)
                        .isGreaterThan(previous * 1.2);
                previous = burden;
            }
        }
    }

    @Test
    void bloodLesionAreaRisesWithGradeAcrossRandomEyes() {
        // Through the public batch API, where every image is a different eye: count the cores of
        // dark-red blobs (pixels whose four neighbours are blood-coloured too), which keeps
        // haemorrhages and drops thin vessels, and compare grade averages.
        PhantomGenerator gen = new PhantomGenerator(2024);
        List<PhantomGenerator.Labelled> batch = gen.batch(6, 128);
        assertThat(batch).hasSize(30);
        double[] blood = new double[PhantomGenerator.GRADES];
        for (PhantomGenerator.Labelled l : batch) {
            assertThat(l.image().getWidth()).isEqualTo(128);
            blood[l.grade()] += bloodBlobPixels(l.image()) / 6.0;
        }
        assertThat(batch.get(0).grade()).isZero();
        assertThat(batch.get(29).grade()).isEqualTo(4);
        assertThat(blood[2]).isGreaterThan(2 * Math.max(blood[0], blood[1]));
        assertThat(blood[3]).isGreaterThan(5 * blood[2]);
        assertThat(blood[4]).isGreaterThan(1.3 * blood[3]);
    }

    @Test
    void opticDiscAppearsOnBothSides() {
        PhantomGenerator gen = new PhantomGenerator(5);
        int left = 0;
        int right = 0;
        for (int i = 0; i < 20; i++) {
            BufferedImage img = gen.render(0, 64);
            double x = brightCentroidX(img);
            if (x < 32) {
                left++;
            } else {
                right++;
            }
        }
        assertThat(left).isGreaterThan(2);
        assertThat(right).isGreaterThan(2);
    }

    @Test
    void sameEyeLooksAlikeAtDifferentSizes() {
        // Geometry is in disc units, so a 256 px render shrunk to 128 matches the 128 px render
        // apart from antialiasing and the pixel floors on tiny lesions.
        BufferedImage big = FundusPreprocessor.squareResize(PhantomGenerator.renderEye(9, 2, 256), 128);
        BufferedImage small = PhantomGenerator.renderEye(9, 2, 128);
        BufferedImage other = PhantomGenerator.renderEye(10, 2, 128);
        double same = meanAbsDiff(big, small);
        assertThat(same).isLessThan(6);
        assertThat(meanAbsDiff(other, small)).isGreaterThan(same * 2);
    }

    @Test
    void withBlackBorderCentresTheImage() {
        BufferedImage fundus = PhantomGenerator.renderEye(3, 1, 60);
        BufferedImage framed = PhantomGenerator.withBlackBorder(fundus, 90, 64);
        assertThat(framed.getWidth()).isEqualTo(90);
        assertThat(framed.getHeight()).isEqualTo(64);
        assertThat(framed.getRGB(15 + 30, 2 + 30)).isEqualTo(fundus.getRGB(30, 30));
        assertThat(framed.getRGB(5, 32) & 0xFFFFFF).isZero();
        assertThatThrownBy(() -> PhantomGenerator.withBlackBorder(fundus, 59, 64))
                .isInstanceOf(IllegalArgumentException.class);
    }

    static int[] pixels(BufferedImage img) {
        return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
    }

    static double meanAbsDiff(BufferedImage a, BufferedImage b) {
        int[] pa = pixels(a);
        int[] pb = pixels(b);
        double sum = 0;
        for (int i = 0; i < pa.length; i++) {
            for (int shift = 0; shift <= 16; shift += 8) {
                sum += Math.abs(((pa[i] >> shift) & 0xFF) - ((pb[i] >> shift) & 0xFF));
            }
        }
        return sum / (pa.length * 3.0);
    }

    private static int bloodBlobPixels(BufferedImage img) {
        int w = img.getWidth();
        int[] p = pixels(img);
        int n = 0;
        for (int y = 1; y < img.getHeight() - 1; y++) {
            for (int x = 1; x < w - 1; x++) {
                int i = y * w + x;
                if (blood(p[i]) && blood(p[i - 1]) && blood(p[i + 1]) && blood(p[i - w]) && blood(p[i + w])) {
                    n++;
                }
            }
        }
        return n;
    }

    /** Dark, saturated red: haemorrhage and vessel colours, not the orange fundus or its rim. */
    private static boolean blood(int c) {
        int r = (c >> 16) & 0xFF;
        int g = (c >> 8) & 0xFF;
        return r > 60 && r < 150 && g < 32 && g * 4 < r;
    }

    private static double brightCentroidX(BufferedImage img) {
        double sx = 0;
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int c = img.getRGB(x, y);
                if (((c >> 8) & 0xFF) > 170) {
                    sx += x;
                    n++;
                }
            }
        }
        assertThat(n).as("optic disc pixels").isPositive();
        return sx / n;
    }
}
