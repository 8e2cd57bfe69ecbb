package org.retinasynth.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.Ellipse2D;
import java.awt.image.BufferedImage;
import java.awt.image.ConvolveOp;
import java.awt.image.Kernel;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImageQualityTest {

    private final BufferedImage fundus = PhantomGenerator.renderEye(21, 3, 256);

    @Test
    void blurLowersSharpness() {
        float[] k = new float[25];
        Arrays.fill(k, 1f / 25);
        BufferedImage blurred = new ConvolveOp(new Kernel(5, 5, k), ConvolveOp.EDGE_NO_OP, null)
                .filter(fundus, null);
        ImageQuality sharp = ImageQuality.measure(fundus);
        ImageQuality soft = ImageQuality.measure(blurred);
        assertThat(soft.sharpness()).isLessThan(sharp.sharpness() / 3);
        assertThat(soft.brightness()).isCloseTo(sharp.brightness(), within(5.0));
    }

    @Test
    void darkerImageHasLowerBrightnessAndContrast() {
        BufferedImage dark = scaled(fundus, 0.6);
        ImageQuality q = ImageQuality.measure(fundus);
        ImageQuality d = ImageQuality.measure(dark);
        assertThat(d.brightness()).isCloseTo(q.brightness() * 0.6, within(3.0));
        assertThat(d.contrast()).isLessThan(q.contrast() * 0.7);
    }

    @Test
    void flatImageHasNoContrastOrSharpness() {
        BufferedImage flat = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = flat.createGraphics();
        g.setColor(new Color(180, 90, 40));
        g.fillRect(0, 0, 40, 30);
        g.dispose();
        ImageQuality q = ImageQuality.measure(flat);
        assertThat(q.brightness()).isCloseTo(0.299 * 180 + 0.587 * 90 + 0.114 * 40, within(1e-9));
        assertThat(q.contrast()).isCloseTo(0, within(1e-9));
        assertThat(q.sharpness()).isCloseTo(0, within(1e-9));
    }

    @Test
    void blackBorderIsIgnored() {
        // A flat disc on black: the border must neither dim the mean nor add contrast, and the
        // disc edge must not count as detail.
        BufferedImage disc = new BufferedImage(100, 100, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = disc.createGraphics();
        g.setColor(new Color(180, 90, 40));
        g.fill(new Ellipse2D.Double(10, 10, 80, 80));
        g.dispose();
        ImageQuality q = ImageQuality.measure(disc);
        assertThat(q.brightness()).isCloseTo(0.299 * 180 + 0.587 * 90 + 0.114 * 40, within(1e-9));
        assertThat(q.contrast()).isCloseTo(0, within(1e-9));
        assertThat(q.sharpness()).isCloseTo(0, within(1e-9));
    }

    @Test
    void channelStatsArePerChannelOnAZeroToOneScale() {
        BufferedImage half = new BufferedImage(4, 2, BufferedImage.TYPE_INT_RGB);
        for (int x = 0; x < 4; x++) {
            half.setRGB(x, 0, 0xFF0066);
        }
        ImageQuality.ChannelStats s = ImageQuality.channelStats(half);
        assertThat(s.meanR()).isCloseTo(0.5, within(1e-9));
        assertThat(s.stdR()).isCloseTo(0.5, within(1e-9));
        assertThat(s.meanG()).isZero();
        assertThat(s.stdG()).isZero();
        assertThat(s.meanB()).isCloseTo(0.2, within(1e-9));
        assertThat(s.mean()).containsExactly(s.meanR(), s.meanG(), s.meanB());

        // Pooled over images, not averaged per image: a second all-black image halves the mean.
        BufferedImage black = new BufferedImage(4, 2, BufferedImage.TYPE_INT_RGB);
        assertThat(ImageQuality.channelStats(List.of(half, black)).meanR()).isCloseTo(0.25, within(1e-9));
    }

    private static BufferedImage scaled(BufferedImage img, double f) {
        BufferedImage out = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int c = img.getRGB(x, y);
                int r = (int) Math.round(((c >> 16) & 0xFF) * f);
                int gg = (int) Math.round(((c >> 8) & 0xFF) * f);
                int b = (int) Math.round((c & 0xFF) * f);
                out.setRGB(x, y, r << 16 | gg << 8 | b);
            }
        }
        return out;
    }
}
