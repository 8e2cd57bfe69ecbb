package org.retinasynth.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.geom.Ellipse2D;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FundusPreprocessorTest {

    @Test
    void componentFilteringOnRunsKeepsExactlyWhatAPixelFloodFillKeeps() {
        Random random = new Random(11);
        for (int trial = 0; trial < 300; trial++) {
            int w = 1 + random.nextInt(40);
            int h = 1 + random.nextInt(40);
            double density = random.nextDouble();
            boolean[] mask = new boolean[w * h];
            for (int i = 0; i < mask.length; i++) {
                mask[i] = random.nextDouble() < density;
            }
            if (trial % 3 == 0) { // a big disc among the specks, as in a photo
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        double dx = x - w / 2.0;
                        double dy = y - h / 2.0;
                        mask[y * w + x] |= dx * dx + dy * dy < w * h / 8.0;
                    }
                }
            }
            boolean[] expected = floodFillFilter(mask, w);
            boolean[] actual = mask.clone();
            FundusPreprocessor.keepLargeComponents(actual, w);
            assertThat(actual).as("trial %d, %dx%d", trial, w, h).isEqualTo(expected);
        }
    }

    /** The obvious version: label 4-connected components pixel by pixel, drop those under a tenth of the largest. */
    private static boolean[] floodFillFilter(boolean[] mask, int w) {
        int[] label = new int[mask.length];
        java.util.List<Integer> sizes = new java.util.ArrayList<>(java.util.List.of(0));
        for (int start = 0; start < mask.length; start++) {
            if (!mask[start] || label[start] != 0) {
                continue;
            }
            int id = sizes.size();
            int size = 0;
            java.util.ArrayDeque<Integer> todo = new java.util.ArrayDeque<>(java.util.List.of(start));
            label[start] = id;
            while (!todo.isEmpty()) {
                int i = todo.pop();
                size++;
                int x = i % w;
                for (int n : new int[] {x > 0 ? i - 1 : -1, x < w - 1 ? i + 1 : -1, i - w, i + w}) {
                    if (n >= 0 && n < mask.length && mask[n] && label[n] == 0) {
                        label[n] = id;
                        todo.push(n);
                    }
                }
            }
            sizes.add(size);
        }
        int largest = sizes.stream().mapToInt(Integer::intValue).max().orElse(0);
        boolean[] out = mask.clone();
        for (int i = 0; i < mask.length; i++) {
            out[i] = mask[i] && sizes.get(label[i]) * 10 >= largest;
        }
        return out;
    }


    /** A phantom on a black 3:2 frame, JPEG-compressed with noise in the border, like a camera. */
    @ParameterizedTest
    @CsvSource({"240, 3", "1024, 4"})
    void fieldOfViewRecoversTheDiscOnACameraFrame(int size, int tolerance) throws IOException {
        BufferedImage fundus = PhantomGenerator.renderEye(11, 2, size);
        Rectangle disc = nonBlackBox(fundus);
        int width = size * 3 / 2;
        BufferedImage framed = PhantomGenerator.withBlackBorder(fundus, width, size);
        addNoise(framed, 6, new Random(1));
        BufferedImage photo = jpegRoundTrip(framed, 0.75f);

        Rectangle box = FundusPreprocessor.fieldOfView(photo);

        int offset = (width - size) / 2;
        assertThat(box.x).isCloseTo(disc.x + offset, within(tolerance));
        assertThat(box.y).isCloseTo(disc.y, within(tolerance));
        assertThat(box.x + box.width).isCloseTo(disc.x + disc.width + offset, within(tolerance));
        assertThat(box.y + box.height).isCloseTo(disc.y + disc.height, within(tolerance));
        BufferedImage cropped = FundusPreprocessor.cropFieldOfView(photo);
        assertThat(cropped.getWidth()).isEqualTo(box.width);
        assertThat(cropped.getType()).isEqualTo(BufferedImage.TYPE_INT_RGB);
    }

    @Test
    void discCutOffTopAndBottomGivesFullHeightAndDiscWidth() {
        BufferedImage fundus = PhantomGenerator.renderEye(4, 0, 300);
        Rectangle disc = nonBlackBox(fundus);
        // Frame shorter than the disc: the camera clips it, as on many real photographs.
        BufferedImage frame = new BufferedImage(450, 240, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = frame.createGraphics();
        g.drawImage(fundus, 75, -30, null);
        g.dispose();

        Rectangle box = FundusPreprocessor.fieldOfView(frame);

        assertThat(box.y).isZero();
        assertThat(box.height).isEqualTo(240);
        assertThat(box.x).isCloseTo(75 + disc.x, within(3));
        assertThat(box.width).isCloseTo(disc.width, within(4));
    }

    @Test
    void textAndSpecksInTheBorderDoNotStretchTheBox() {
        BufferedImage fundus = PhantomGenerator.renderEye(5, 3, 200);
        BufferedImage framed = PhantomGenerator.withBlackBorder(fundus, 300, 200);
        Rectangle clean = FundusPreprocessor.fieldOfView(framed);
        Graphics2D g = framed.createGraphics();
        g.setColor(Color.WHITE);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
        g.drawString("OD 2019-04-01", 2, 14);
        g.dispose();
        Random rnd = new Random(3);
        for (int i = 0; i < 40; i++) {
            framed.setRGB(rnd.nextInt(40), 20 + rnd.nextInt(170), 0xFFFFFF);
        }

        assertThat(FundusPreprocessor.fieldOfView(framed)).isEqualTo(clean);
    }

    @Test
    void imagesWithoutABlackBorderAreKeptWhole() {
        BufferedImage bright = new BufferedImage(120, 80, BufferedImage.TYPE_INT_RGB);
        Random rnd = new Random(2);
        for (int y = 0; y < 80; y++) {
            for (int x = 0; x < 120; x++) {
                bright.setRGB(x, y, new Color(150 + rnd.nextInt(80), 60 + rnd.nextInt(40), 30).getRGB());
            }
        }
        assertThat(FundusPreprocessor.fieldOfView(bright)).isEqualTo(new Rectangle(0, 0, 120, 80));
        BufferedImage black = new BufferedImage(50, 40, BufferedImage.TYPE_INT_RGB);
        assertThat(FundusPreprocessor.fieldOfView(black)).isEqualTo(new Rectangle(0, 0, 50, 40));
    }

    @Test
    void retinaMnistStyleSquareCropIsKeptWhole() {
        // A 28 px centre crop whose disc touches the frame and leaves dark corners.
        BufferedImage fundus = PhantomGenerator.renderEye(8, 2, 34);
        BufferedImage crop = FundusPreprocessor.toRgb(fundus.getSubimage(3, 3, 28, 28));
        assertThat(FundusPreprocessor.fieldOfView(crop)).isEqualTo(new Rectangle(0, 0, 28, 28));
        assertThat(FundusPreprocessor.preprocess(crop, 28).getRGB(14, 14)).isEqualTo(crop.getRGB(14, 14));
    }

    @Test
    void squareResizePadsToASquareAndKeepsCirclesRound() {
        BufferedImage frame = new BufferedImage(300, 200, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = frame.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fill(new Ellipse2D.Double(75, 25, 150, 150));
        g.dispose();

        BufferedImage out = FundusPreprocessor.squareResize(frame, 64);

        assertThat(out.getWidth()).isEqualTo(64);
        assertThat(out.getHeight()).isEqualTo(64);
        assertThat(out.getType()).isEqualTo(BufferedImage.TYPE_INT_RGB);
        Rectangle bright = box(out, 128);
        // 150 of 300 px -> 32 px, centred both ways: the 300x200 frame was padded, not stretched.
        assertThat(bright.width).isCloseTo(32, within(1));
        assertThat(bright.height).isCloseTo(bright.width, within(1));
        assertThat(bright.x + bright.width / 2.0).isCloseTo(32, within(1.0));
        assertThat(bright.y + bright.height / 2.0).isCloseTo(32, within(1.0));
    }

    @Test
    void bigDownscaleAveragesInsteadOfAliasing() {
        // One-pixel stripes: point sampling would give black, white or moiré; averaging gives grey.
        BufferedImage stripes = new BufferedImage(1000, 1000, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 1000; y++) {
            for (int x = 0; x < 1000; x += 2) {
                stripes.setRGB(x, y, 0xFFFFFF);
            }
        }
        BufferedImage out = FundusPreprocessor.squareResize(stripes, 37);
        for (int y = 2; y < 35; y++) {
            for (int x = 2; x < 35; x++) {
                assertThat(out.getRGB(x, y) & 0xFF).isBetween(110, 145);
            }
        }
    }

    @Test
    void preprocessCropsThenResizesAndValidatesSize() {
        BufferedImage framed = PhantomGenerator.withBlackBorder(PhantomGenerator.renderEye(1, 4, 200), 300, 200);
        BufferedImage out = FundusPreprocessor.preprocess(framed, 64);
        assertThat(out.getWidth()).isEqualTo(64);
        assertThat(out.getHeight()).isEqualTo(64);
        // After cropping the disc fills the frame: its box spans nearly all 64 px both ways.
        Rectangle disc = box(out, 25);
        assertThat(disc.width).isGreaterThanOrEqualTo(62);
        assertThat(disc.height).isGreaterThanOrEqualTo(62);
        assertThat(FundusPreprocessor.preprocess(framed, 28).getWidth()).isEqualTo(28);
        assertThat(FundusPreprocessor.preprocess(framed, 256).getWidth()).isEqualTo(256);
        assertThatThrownBy(() -> FundusPreprocessor.preprocess(framed, 27))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FundusPreprocessor.preprocess(framed, 257))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void preprocessOfALargePhotoMatchesCropThenResize() {
        // 1536 px wide: detection works on 3x3 block averages, which preprocess reuses for the
        // resize; the result must match the plain crop-then-resize route.
        BufferedImage fundus = PhantomGenerator.renderEye(6, 3, 1000);
        BufferedImage framed = PhantomGenerator.withBlackBorder(fundus, 1536, 1024);
        for (int size : new int[] {28, 64, 256}) {
            BufferedImage fast = FundusPreprocessor.preprocess(framed, size);
            BufferedImage plain = FundusPreprocessor.squareResize(
                    FundusPreprocessor.cropFieldOfView(framed), size);
            double aligned = shiftedDiff(fast, plain, 0);
            assertThat(aligned).as("size %d", size).isLessThan(2.0);
            // A geometric offset shows as one shift direction matching better than none.
            assertThat(aligned).isLessThan(0.4 * shiftedDiff(fast, plain, 1));
            assertThat(aligned).isLessThan(0.4 * shiftedDiff(fast, plain, -1));
        }
    }

    /** Mean absolute channel difference between a and b shifted right by dx, over the overlap. */
    private static double shiftedDiff(BufferedImage a, BufferedImage b, int dx) {
        double sum = 0;
        int n = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = Math.max(0, dx); x < Math.min(a.getWidth(), a.getWidth() + dx); x++) {
                int p = a.getRGB(x, y);
                int q = b.getRGB(x - dx, y);
                for (int shift = 0; shift <= 16; shift += 8) {
                    sum += Math.abs(((p >> shift) & 0xFF) - ((q >> shift) & 0xFF));
                    n++;
                }
            }
        }
        return sum / n;
    }

    @Test
    void rgbBytesAreInterleavedHwcAndRoundTrip() {
        byte[] rgb = new byte[5 * 3 * 3];
        new Random(9).nextBytes(rgb);
        BufferedImage img = FundusPreprocessor.fromRgbBytes(rgb, 5, 3);
        assertThat(img.getType()).isEqualTo(BufferedImage.TYPE_INT_RGB);
        assertThat(FundusPreprocessor.toRgbBytes(img)).isEqualTo(rgb);
        // Pixel (x=1, y=2) starts at byte (2 * 5 + 1) * 3, red first.
        int c = img.getRGB(1, 2);
        assertThat((byte) (c >> 16)).isEqualTo(rgb[33]);
        assertThat((byte) (c >> 8)).isEqualTo(rgb[34]);
        assertThat((byte) c).isEqualTo(rgb[35]);
        assertThatThrownBy(() -> FundusPreprocessor.fromRgbBytes(rgb, 5, 4))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anyInputTypeIsReadAsPlainRgb() {
        BufferedImage grey = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSample(1, 1, 0, 128);
        // Grey 128 stays 128: no linear-to-sRGB brightening.
        assertThat(FundusPreprocessor.toRgb(grey).getRGB(1, 1) & 0xFFFFFF).isEqualTo(0x808080);

        BufferedImage grey16 = new BufferedImage(4, 4, BufferedImage.TYPE_USHORT_GRAY);
        grey16.getRaster().setSample(2, 0, 0, 0xFFFF);
        assertThat(FundusPreprocessor.toRgb(grey16).getRGB(2, 0) & 0xFFFFFF).isEqualTo(0xFFFFFF);

        BufferedImage argb = new BufferedImage(4, 4, BufferedImage.TYPE_INT_ARGB);
        argb.setRGB(0, 0, 0x00FF0000); // fully transparent red: border, so black
        argb.setRGB(1, 0, 0xFF00FF00);
        BufferedImage fromArgb = FundusPreprocessor.toRgb(argb);
        assertThat(fromArgb.getRGB(0, 0) & 0xFFFFFF).isZero();
        assertThat(fromArgb.getRGB(1, 0) & 0xFFFFFF).isEqualTo(0x00FF00);

        BufferedImage abgr = new BufferedImage(4, 4, BufferedImage.TYPE_4BYTE_ABGR);
        abgr.setRGB(3, 3, 0xFF123456);
        assertThat(FundusPreprocessor.toRgb(abgr).getRGB(3, 3) & 0xFFFFFF).isEqualTo(0x123456);

        BufferedImage indexed = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_INDEXED);
        indexed.setRGB(2, 2, 0xFFFF0000);
        assertThat(FundusPreprocessor.toRgb(indexed).getRGB(2, 2) & 0xFFFFFF).isEqualTo(0xFF0000);

        BufferedImage bgr = new BufferedImage(4, 4, BufferedImage.TYPE_3BYTE_BGR);
        bgr.setRGB(0, 1, 0xFFA1B2C3);
        assertThat(FundusPreprocessor.toRgb(bgr).getRGB(0, 1) & 0xFFFFFF).isEqualTo(0xA1B2C3);

        // 16-bit RGB, as a TIFF reader would return it.
        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB),
                false, false, Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
        WritableRaster raster = cm.createCompatibleWritableRaster(3, 2);
        raster.setPixel(2, 1, new int[] {0xFFFF, 0x8080, 0});
        BufferedImage rgb16 = new BufferedImage(cm, raster, false, null);
        assertThat(FundusPreprocessor.toRgb(rgb16).getRGB(2, 1) & 0xFFFFFF).isEqualTo(0xFF8000);

        // A sub-image's raster is offset into its parent's buffer.
        BufferedImage parent = PhantomGenerator.renderEye(2, 2, 64);
        BufferedImage sub = parent.getSubimage(10, 20, 30, 25);
        assertThat(FundusPreprocessor.toRgb(sub).getRGB(5, 7)).isEqualTo(parent.getRGB(15, 27));
    }

    static Rectangle nonBlackBox(BufferedImage img) {
        return box(img, 1);
    }

    /** Bounding box of pixels whose max channel reaches {@code level}. */
    static Rectangle box(BufferedImage img, int level) {
        int x0 = Integer.MAX_VALUE;
        int y0 = Integer.MAX_VALUE;
        int x1 = -1;
        int y1 = -1;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int c = img.getRGB(x, y);
                int v = Math.max((c >> 16) & 0xFF, Math.max((c >> 8) & 0xFF, c & 0xFF));
                if (v >= level) {
                    x0 = Math.min(x0, x);
                    y0 = Math.min(y0, y);
                    x1 = Math.max(x1, x);
                    y1 = Math.max(y1, y);
                }
            }
        }
        return new Rectangle(x0, y0, x1 - x0 + 1, y1 - y0 + 1);
    }

    private static void addNoise(BufferedImage img, int amplitude, Random rnd) {
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int c = img.getRGB(x, y);
                int r = clamp(((c >> 16) & 0xFF) + rnd.nextInt(2 * amplitude + 1) - amplitude);
                int g = clamp(((c >> 8) & 0xFF) + rnd.nextInt(2 * amplitude + 1) - amplitude);
                int b = clamp((c & 0xFF) + rnd.nextInt(2 * amplitude + 1) - amplitude);
                img.setRGB(x, y, r << 16 | g << 8 | b);
            }
        }
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }

    private static BufferedImage jpegRoundTrip(BufferedImage img, float quality) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality);
            writer.write(null, new IIOImage(img, null, null), param);
        } finally {
            writer.dispose();
        }
        return ImageIO.read(new ByteArrayInputStream(bytes.toByteArray()));
    }
}
