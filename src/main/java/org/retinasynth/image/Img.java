package org.retinasynth.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferInt;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.util.Objects;

/**
 * An RGB image as the training code sees it: CHW floats in [0,1]. It exists so that decoding and
 * encoding happen once at the edges and everything in between works on plain arrays.
 *
 * <p>The array is shared, not copied (copying per batch is what this representation avoids), so
 * record equality is array identity; compare pixels with {@link java.util.Arrays#equals}.
 *
 * @param chw    3 planes (R, G, B) of {@code height * width} values, row-major
 * @param height rows
 * @param width  columns
 */
public record Img(float[] chw, int height, int width) {

    public Img {
        Objects.requireNonNull(chw, "chw");
        checkShape(chw, height, width);
    }

    /**
     * Decodes any BufferedImage to CHW floats. Grey images are replicated to three channels and
     * alpha is dropped: fundus photographs are opaque, and the models are RGB.
     */
    public static Img fromBufferedImage(BufferedImage image) {
        int h = image.getHeight();
        int w = image.getWidth();
        float[] chw = new float[Math.multiplyExact(3, Math.multiplyExact(h, w))];
        readInto(image, chw);
        return new Img(chw, h, w);
    }

    /** Encodes to an 8-bit {@link BufferedImage#TYPE_INT_RGB} image (values rounded). */
    public BufferedImage toBufferedImage() {
        return toBufferedImage(chw, height, width);
    }

    /** As {@link #toBufferedImage()}, for callers that hold a bare array. */
    public static BufferedImage toBufferedImage(float[] chw, int h, int w) {
        checkShape(chw, h, w);
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] argb = ((DataBufferInt) out.getRaster().getDataBuffer()).getData();
        int plane = h * w;
        for (int i = 0; i < plane; i++) {
            argb[i] = to8(chw[i]) << 16 | to8(chw[i + plane]) << 8 | to8(chw[i + 2 * plane]);
        }
        return out;
    }

    /** Decodes into an existing array, so JPEG re-compression can write back in place. */
    public static void readInto(BufferedImage image, float[] chw) {
        int h = image.getHeight();
        int w = image.getWidth();
        checkShape(chw, h, w);
        int plane = h * w;
        ColorModel cm = image.getColorModel();
        ColorSpace cs = cm.getColorSpace();
        int colours = cm.getNumColorComponents();
        int transfer = cm.getTransferType();
        // Raw samples are the displayed values for integer sRGB or grey images; reading them
        // directly is faster than getRGB and, for grey, avoids Java's linear-grey conversion.
        boolean raw = !(cm instanceof IndexColorModel)
                && !cm.isAlphaPremultiplied()
                && (transfer == DataBuffer.TYPE_BYTE
                        || transfer == DataBuffer.TYPE_USHORT
                        || transfer == DataBuffer.TYPE_INT)
                && ((colours == 3 && cs.isCS_sRGB())
                        || (colours == 1 && cs.getType() == ColorSpace.TYPE_GRAY));
        if (raw) {
            Raster raster = image.getRaster();
            int[] row = new int[w];
            for (int c = 0; c < 3; c++) {
                int band = colours == 1 ? 0 : c;
                // Divide rather than multiply by a reciprocal: k / 255f is exactly what the 8-bit
                // paths produce, so decode(encode(x)) is bit-exact for 8-bit values.
                float max = (1L << cm.getComponentSize(band)) - 1;
                if (colours == 1 && c > 0) {
                    System.arraycopy(chw, 0, chw, c * plane, plane);
                    continue;
                }
                // Offsets by the raster origin: a sub-image's raster does not start at (0,0).
                for (int y = 0; y < h; y++) {
                    raster.getSamples(raster.getMinX(), raster.getMinY() + y, w, 1, band, row);
                    int base = c * plane + y * w;
                    for (int x = 0; x < w; x++) {
                        chw[base + x] = row[x] / max;
                    }
                }
            }
            return;
        }
        int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
        for (int i = 0; i < plane; i++) {
            int p = argb[i];
            chw[i] = ((p >> 16) & 0xff) / 255f;
            chw[i + plane] = ((p >> 8) & 0xff) / 255f;
            chw[i + 2 * plane] = (p & 0xff) / 255f;
        }
    }

    /** Rejects an array that is not 3 planes of {@code h * w}, so a wrong size fails where it is passed. */
    public static void checkShape(float[] chw, int h, int w) {
        if (h <= 0 || w <= 0 || chw.length != 3L * h * w) {
            throw new IllegalArgumentException(
                    "expected 3*" + h + "*" + w + " CHW values, got " + chw.length);
        }
    }

    /** The corruptions' clamp, repeated so this package depends on nothing else in the service. */
    private static int to8(float v) {
        return Math.round((v < 0f ? 0f : (v > 1f ? 1f : v)) * 255f);
    }
}
