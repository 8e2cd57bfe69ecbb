package org.retinasynth.dataset;

import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.color.ColorSpace;
import java.awt.geom.AffineTransform;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferInt;
import java.awt.image.DirectColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.awt.image.SampleModel;
import java.awt.image.SinglePixelPackedSampleModel;
import java.awt.image.WritableRaster;
import java.util.Arrays;

/**
 * The one preprocessing path shared by training, generation and the demo endpoints, so that every
 * model sees images prepared the same way: crop the camera's black border down to the retinal
 * field of view, pad to a square, resize, and pack as uint8 RGB.
 *
 * <p>Real fundus photographs are large (10-16 MP) and decoding them is the main cost, so the
 * work here must stay well below it: pixels are read row by row straight from the decoded raster
 * into box averages, never copied whole and never through {@code BufferedImage.getRGB}, which
 * converts colour models pixel by pixel and would cost more than the decode itself.
 */
public final class FundusPreprocessor {

    /** Smallest and largest edge we train at; 28 matches RetinaMNIST, 256 bounds GPU memory. */
    public static final int MIN_SIZE = 28;
    public static final int MAX_SIZE = 256;

    /** FOV detection runs on a copy at most this large: the disc edge needs no more detail. */
    static final int DETECT_MAX_EDGE = 512;

    /** JPEG noise in a "black" border rarely exceeds this; thresholds never go below it. */
    static final int BLACK_FLOOR = 20;

    private static final int[] RGB_MASKS = {0xFF0000, 0xFF00, 0xFF};
    private static final DirectColorModel RGB_MODEL = new DirectColorModel(24, 0xFF0000, 0xFF00, 0xFF);

    private FundusPreprocessor() {
    }

    /** Packed 0xRRGGBB pixels, row-major, no padding: the working form of every image here. */
    record Pixels(int[] rgb, int width, int height) {

        BufferedImage toImage() {
            // Wrap rather than copy: every Pixels array is freshly made, so sharing it is safe,
            // and a 10 MP copy is not free. These masks make BufferedImage report TYPE_INT_RGB.
            WritableRaster raster = Raster.createPackedRaster(new DataBufferInt(rgb, rgb.length),
                    width, height, width, RGB_MASKS, null);
            return new BufferedImage(RGB_MODEL, raster, false, null);
        }
    }

    /**
     * Bounding box of the retinal disc, ignoring the black surround. Falls back to the whole image
     * when no convincing border is found, e.g. for images that are already cropped.
     */
    public static Rectangle fieldOfView(BufferedImage src) {
        return fieldOfView(RowReader.of(src));
    }

    /** A copy of the field-of-view region as TYPE_INT_RGB. */
    public static BufferedImage cropFieldOfView(BufferedImage src) {
        RowReader reader = RowReader.of(src);
        return reader.read(fieldOfView(reader)).toImage();
    }

    /**
     * Pads to a centred square with black, then resizes to {@code size x size}. Padding keeps the
     * disc round; stretching would distort lesion shapes and vessel calibres.
     */
    public static BufferedImage squareResize(BufferedImage src, int size) {
        if (size < 1) {
            throw new IllegalArgumentException("size must be positive, got " + size);
        }
        return squareResize(RowReader.of(src), new Rectangle(0, 0, src.getWidth(), src.getHeight()),
                size);
    }

    /** Crop to the field of view, then {@link #squareResize}; size must be in 28..256. */
    public static BufferedImage preprocess(BufferedImage src, int size) {
        return preprocessWithFieldOfView(src, size).image();
    }

    /** A preprocessed image with the field-of-view box it was cut from, in source pixels. */
    public record Preprocessed(Rectangle fieldOfView, BufferedImage image) {
    }

    /** {@link #preprocess} that also returns the box, reading the source image only once. */
    public static Preprocessed preprocessWithFieldOfView(BufferedImage src, int size) {
        if (size < MIN_SIZE || size > MAX_SIZE) {
            throw new IllegalArgumentException(
                    "size must be in " + MIN_SIZE + ".." + MAX_SIZE + ", got " + size);
        }
        Detection fov = detect(RowReader.of(src));
        // The box lies on the detection grid, so when the resize shrinks at least as much as
        // detection did, it can start from the block averages already made: a box average of
        // box averages is still exact, and the full-size photo is read only once.
        int side = Math.max(fov.box.width, fov.box.height);
        int factor = side / size;
        if (fov.k > 1 && fov.k <= factor) {
            Rectangle r = new Rectangle(fov.box.x / fov.k, fov.box.y / fov.k,
                    ceilDiv(fov.box.x + fov.box.width, fov.k) - fov.box.x / fov.k,
                    ceilDiv(fov.box.y + fov.box.height, fov.k) - fov.box.y / fov.k);
            int more = factor / fov.k;
            Pixels reduced = boxDownscale(RowReader.of(fov.reduced), r, more);
            return new Preprocessed(fov.box,
                    drawSquare(reduced, fov.k * more, fov.box.width, fov.box.height, size));
        }
        return new Preprocessed(fov.box, squareResize(RowReader.of(src), fov.box, size));
    }

    /** HWC interleaved uint8 RGB, the tensor layout the training code streams. */
    public static byte[] toRgbBytes(BufferedImage img) {
        Pixels p = pixels(img);
        byte[] out = new byte[p.rgb.length * 3];
        for (int i = 0, j = 0; i < p.rgb.length; i++) {
            int c = p.rgb[i];
            out[j++] = (byte) (c >> 16);
            out[j++] = (byte) (c >> 8);
            out[j++] = (byte) c;
        }
        return out;
    }

    /** Inverse of {@link #toRgbBytes}. */
    public static BufferedImage fromRgbBytes(byte[] rgb, int width, int height) {
        if (width < 1 || height < 1 || rgb.length != (long) width * height * 3) {
            throw new IllegalArgumentException("expected " + width + "x" + height + "x3 bytes, got "
                    + rgb.length);
        }
        int[] px = new int[width * height];
        for (int i = 0, j = 0; i < px.length; i++, j += 3) {
            px[i] = (rgb[j] & 0xFF) << 16 | (rgb[j + 1] & 0xFF) << 8 | (rgb[j + 2] & 0xFF);
        }
        return new Pixels(px, width, height).toImage();
    }

    /** Converts any image (grey, alpha, indexed, 16-bit) to plain TYPE_INT_RGB. */
    public static BufferedImage toRgb(BufferedImage src) {
        if (src.getType() == BufferedImage.TYPE_INT_RGB) {
            return src;
        }
        return pixels(src).toImage();
    }

    // ---------------------------------------------------------------- field of view

    /** The box, and the k x k block averages it was found on (reused by the resize). */
    record Detection(Rectangle box, Pixels reduced, int k) {
    }

    static Rectangle fieldOfView(RowReader src) {
        return detect(src).box;
    }

    static Detection detect(RowReader src) {
        // Integer block factor: the box is scaled back by the same factor, so it stays exact
        // up to one block (a few pixels of a multi-megapixel photo).
        int k = Math.max(1, ceilDiv(Math.max(src.width, src.height), DETECT_MAX_EDGE));
        Pixels small = boxDownscale(src, new Rectangle(0, 0, src.width, src.height), k);
        return new Detection(findDisc(small, k, src.width, src.height), small, k);
    }

    private static Rectangle findDisc(Pixels small, int k, int fullWidth, int fullHeight) {
        Rectangle whole = new Rectangle(0, 0, fullWidth, fullHeight);
        int w = small.width;
        int h = small.height;

        // max(R,G,B): the red channel carries fundus brightness, but green/blue keep a
        // saturated-white artefact or a greyscale image from looking dark.
        int[] level = new int[w * h];
        int[] hist = new int[256];
        for (int i = 0; i < level.length; i++) {
            int c = small.rgb[i];
            int v = Math.max((c >> 16) & 0xFF, Math.max((c >> 8) & 0xFF, c & 0xFF));
            level[i] = v;
            hist[v]++;
        }
        // A fraction of a high percentile adapts to dim and bright cameras alike; the floor keeps
        // JPEG ringing in the border out of the mask when the whole photo is dark.
        int p98 = percentile(hist, level.length, 0.98);
        int threshold = Math.max(BLACK_FLOOR, (int) Math.round(0.15 * p98));

        boolean[] mask = new boolean[w * h];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = level[i] >= threshold;
        }
        // The disc is one large connected region; text, logos and specks in the border are
        // small separate blobs, even where they share rows or columns with the disc.
        keepLargeComponents(mask, w);
        // Sparse bright pixels (noise, text, a frame notch) must not stretch the box, so a row or
        // column counts only with enough mask pixels, and we keep the longest run of such.
        int[] cols = longestRun(columnCounts(mask, w, h, 0, h), Math.max(1, h / 50), Math.max(1, w / 50));
        if (cols == null) {
            return whole;
        }
        int[] rows = longestRun(rowCounts(mask, w, h, cols[0], cols[1] + 1), Math.max(1, w / 50),
                Math.max(1, h / 50));
        if (rows == null) {
            return whole;
        }
        // Recount columns inside the chosen rows, so text beside the disc above or below it
        // cannot widen the box.
        int[] cols2 = longestRun(columnCounts(mask, w, h, rows[0], rows[1] + 1), Math.max(1, h / 50),
                Math.max(1, w / 50));
        if (cols2 != null) {
            cols = cols2;
        }
        int bw = cols[1] - cols[0] + 1;
        int bh = rows[1] - rows[0] + 1;
        // A real disc is large and roughly round (possibly clipped top/bottom); anything else
        // means we misread the image, and keeping it whole is the safe choice.
        if (bw < w / 4 || bh < h / 4) {
            return whole;
        }
        // Trimming a sliver would shift and rescale the disc for nothing.
        if (bw >= w - Math.max(2, w * 0.04) && bh >= h - Math.max(2, h * 0.04)) {
            return whole;
        }
        // Camera frames are 3:2 or 4:3; a square image whose disc already spans most of it was
        // cropped by someone before us (RetinaMNIST, MedMNIST+, Kaggle "cropped" sets). Its dim
        // rim would otherwise be trimmed by a pixel or three, rescaling the data it was
        // published with.
        if (fullWidth == fullHeight && bw >= w * 0.75 && bh >= h * 0.75) {
            return whole;
        }
        int x0 = cols[0] * k;
        int y0 = rows[0] * k;
        int x1 = Math.min(fullWidth, (cols[1] + 1) * k);
        int y1 = Math.min(fullHeight, (rows[1] + 1) * k);
        return new Rectangle(x0, y0, x1 - x0, y1 - y0);
    }

    /**
     * Clears every 4-connected component smaller than a tenth of the largest. Not just the
     * largest one: a dim photo can split the disc along a dark band.
     *
     * <p>Components are found on runs of set pixels rather than pixel by pixel: a disc is one or
     * two runs per row, and two runs in neighbouring rows touch exactly when their columns
     * overlap, so a union-find over runs gives the same components as a flood fill for a
     * fraction of its cost (the fill was most of the field-of-view search).
     */
    static void keepLargeComponents(boolean[] mask, int w) {
        int h = mask.length / w;
        int capacity = (w + 1) / 2 * h;
        int[] runStart = new int[capacity];
        int[] runEnd = new int[capacity];
        int[] rowFirstRun = new int[h + 1];
        int runs = 0;
        for (int y = 0; y < h; y++) {
            rowFirstRun[y] = runs;
            int row = y * w;
            for (int x = 0; x < w; x++) {
                if (mask[row + x]) {
                    runStart[runs] = row + x;
                    while (x < w && mask[row + x]) {
                        x++;
                    }
                    runEnd[runs++] = row + x;
                }
            }
        }
        rowFirstRun[h] = runs;

        int[] parent = new int[runs];
        for (int r = 0; r < runs; r++) {
            parent[r] = r;
        }
        for (int y = 1; y < h; y++) {
            // both rows' runs are sorted by column: walk them together
            int a = rowFirstRun[y - 1];
            int b = rowFirstRun[y];
            int aEnd = rowFirstRun[y];
            int bEnd = rowFirstRun[y + 1];
            while (a < aEnd && b < bEnd) {
                int as = runStart[a] - (y - 1) * w;
                int ae = runEnd[a] - (y - 1) * w;
                int bs = runStart[b] - y * w;
                int be = runEnd[b] - y * w;
                if (as < be && bs < ae) {
                    UnionFind.union(parent, a, b);
                }
                if (ae <= be) {
                    a++;
                } else {
                    b++;
                }
            }
        }
        int[] size = new int[runs];
        int largest = 0;
        for (int r = 0; r < runs; r++) {
            int root = UnionFind.find(parent, r);
            size[root] += runEnd[r] - runStart[r];
            largest = Math.max(largest, size[root]);
        }
        for (int r = 0; r < runs; r++) {
            if (size[UnionFind.find(parent, r)] * 10 < largest) {
                Arrays.fill(mask, runStart[r], runEnd[r], false);
            }
        }
    }

    private static int percentile(int[] hist, int total, double q) {
        long target = (long) Math.ceil(q * total);
        long seen = 0;
        for (int v = 0; v < hist.length; v++) {
            seen += hist[v];
            if (seen >= target) {
                return v;
            }
        }
        return hist.length - 1;
    }

    private static int[] columnCounts(boolean[] mask, int w, int h, int y0, int y1) {
        int[] counts = new int[w];
        for (int y = y0; y < y1; y++) {
            int row = y * w;
            for (int x = 0; x < w; x++) {
                if (mask[row + x]) {
                    counts[x]++;
                }
            }
        }
        return counts;
    }

    private static int[] rowCounts(boolean[] mask, int w, int h, int x0, int x1) {
        int[] counts = new int[h];
        for (int y = 0; y < h; y++) {
            int row = y * w;
            int n = 0;
            for (int x = x0; x < x1; x++) {
                if (mask[row + x]) {
                    n++;
                }
            }
            counts[y] = n;
        }
        return counts;
    }

    /**
     * Longest run of indices whose count reaches {@code minCount}, bridging gaps up to
     * {@code maxGap} (a dark haemorrhage or a vessel can empty a line inside the disc).
     * Returns {first, last} or null.
     */
    private static int[] longestRun(int[] counts, int minCount, int maxGap) {
        int bestStart = -1;
        int bestEnd = -1;
        int start = -1;
        int end = -1;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] < minCount) {
                continue;
            }
            if (start >= 0 && i - end - 1 <= maxGap) {
                end = i;
            } else {
                start = i;
                end = i;
            }
            if (end - start > bestEnd - bestStart) {
                bestStart = start;
                bestEnd = end;
            }
        }
        return bestStart < 0 ? null : new int[] {bestStart, bestEnd};
    }

    // ---------------------------------------------------------------- resize

    static BufferedImage squareResize(RowReader src, Rectangle region, int size) {
        int side = Math.max(region.width, region.height);
        // Box-average by an integer factor first so that the last bilinear step shrinks by less
        // than 2x: bilinear alone would skip most source pixels and alias vessels into noise.
        int k = Math.max(1, side / size);
        return drawSquare(boxDownscale(src, region, k), k, region.width, region.height, size);
    }

    /**
     * Draws the block averages of a {@code width x height} region, {@code block} source pixels
     * per reduced pixel, centred in a black square scaled so that its side becomes {@code size}.
     */
    private static BufferedImage drawSquare(Pixels reduced, int block, int width, int height, int size) {
        int side = Math.max(width, height);
        double scale = (double) size / side;
        BufferedImage out = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION,
                    RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            double offX = (side - width) / 2.0 * scale;
            double offY = (side - height) / 2.0 * scale;
            // Scale by the true block size, not reduced-width/width: a partial last block would
            // otherwise be stretched to a full one, shifting everything by up to a pixel. The
            // overhang of that partial block is clipped off instead.
            g.clip(new Rectangle2D.Double(offX, offY, width * scale, height * scale));
            AffineTransform at = new AffineTransform();
            at.translate(offX, offY);
            at.scale(block * scale, block * scale);
            g.drawImage(reduced.toImage(), at, null);
        } finally {
            g.dispose();
        }
        return out;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    /**
     * Averages k x k blocks of a region, reading source rows one at a time so a 10 MP photo is
     * never copied whole. Edge blocks average what they cover, so nothing outside the region
     * leaks in.
     */
    static Pixels boxDownscale(RowReader src, Rectangle region, int k) {
        int w = region.width;
        int h = region.height;
        if (k == 1) {
            return src.read(region);
        }
        int ow = (w + k - 1) / k;
        int oh = (h + k - 1) / k;
        int[] out = new int[ow * oh];
        int[] row = new int[w];
        int[] sr = new int[ow];
        int[] sg = new int[ow];
        int[] sb = new int[ow];
        for (int oy = 0; oy < oh; oy++) {
            Arrays.fill(sr, 0);
            Arrays.fill(sg, 0);
            Arrays.fill(sb, 0);
            int y0 = oy * k;
            int y1 = Math.min(h, y0 + k);
            for (int y = y0; y < y1; y++) {
                src.readRow(region.y + y, region.x, w, row);
                for (int ox = 0, x = 0; ox < ow; ox++) {
                    int xEnd = Math.min(w, x + k);
                    int r = 0;
                    int g = 0;
                    int b = 0;
                    for (; x < xEnd; x++) {
                        int c = row[x];
                        r += (c >> 16) & 0xFF;
                        g += (c >> 8) & 0xFF;
                        b += c & 0xFF;
                    }
                    sr[ox] += r;
                    sg[ox] += g;
                    sb[ox] += b;
                }
            }
            int rowsIn = y1 - y0;
            for (int ox = 0; ox < ow; ox++) {
                int cnt = rowsIn * (Math.min(w, (ox + 1) * k) - ox * k);
                int half = cnt / 2;
                // Rounded division by a multiply: three integer divisions per block cost about as
                // much as summing it. Exact: a true quotient's fraction is 0 or >= 1/cnt, far above
                // both the 1e-9 nudge and the product's rounding error.
                double inv = 1.0 / cnt;
                out[oy * ow + ox] = (int) ((sr[ox] + half) * inv + 1e-9) << 16
                        | (int) ((sg[ox] + half) * inv + 1e-9) << 8 | (int) ((sb[ox] + half) * inv + 1e-9);
            }
        }
        return new Pixels(out, ow, oh);
    }

    // ---------------------------------------------------------------- pixel access

    /** Packed RGB pixels of any image. */
    static Pixels pixels(BufferedImage src) {
        return RowReader.of(src).read(new Rectangle(0, 0, src.getWidth(), src.getHeight()));
    }

    /**
     * Reads rows of any image as packed 0xRRGGBB. Fast paths read the data buffers of the
     * layouts ImageIO produces for JPEG and PNG; other grey/RGB rasters go through their samples;
     * only colour spaces that are neither (CMYK, float) pay for a Java2D colour conversion.
     */
    abstract static class RowReader {
        final int width;
        final int height;

        RowReader(int width, int height) {
            this.width = width;
            this.height = height;
        }

        /** Writes {@code w} pixels of row {@code y}, starting at column {@code x0}, into dst. */
        abstract void readRow(int y, int x0, int w, int[] dst);

        Pixels read(Rectangle r) {
            int[] out = new int[r.width * r.height];
            int[] row = new int[r.width];
            for (int y = 0; y < r.height; y++) {
                readRow(r.y + y, r.x, r.width, row);
                System.arraycopy(row, 0, out, y * r.width, r.width);
            }
            return new Pixels(out, r.width, r.height);
        }

        static RowReader of(Pixels p) {
            return new RowReader(p.width, p.height) {
                @Override
                void readRow(int y, int x0, int n, int[] dst) {
                    System.arraycopy(p.rgb, y * p.width + x0, dst, 0, n);
                }
            };
        }

        static RowReader of(BufferedImage src) {
            int w = src.getWidth();
            int h = src.getHeight();
            Raster raster = src.getRaster();
            ColorModel cm = src.getColorModel();
            SampleModel sm = raster.getSampleModel();
            DataBuffer db = raster.getDataBuffer();
            // A sub-image's raster is a window into its parent's buffer.
            int tx = -raster.getSampleModelTranslateX();
            int ty = -raster.getSampleModelTranslateY();
            int csType = cm.getColorSpace().getType();
            boolean rgbOrGrey = csType == ColorSpace.TYPE_RGB || csType == ColorSpace.TYPE_GRAY;

            if (cm instanceof IndexColorModel icm) {
                return new RowReader(w, h) {
                    private int[] idx = new int[0];

                    @Override
                    void readRow(int y, int x0, int n, int[] dst) {
                        if (idx.length < n) {
                            idx = new int[n];
                        }
                        raster.getSamples(x0, y, n, 1, 0, idx);
                        for (int x = 0; x < n; x++) {
                            dst[x] = overBlack(icm.getRGB(idx[x]));
                        }
                    }
                };
            }

            if (cm instanceof DirectColorModel dcm && db instanceof DataBufferInt dbi
                    && sm instanceof SinglePixelPackedSampleModel spp && !dcm.hasAlpha()
                    && dcm.getRedMask() == 0xFF0000 && dcm.getGreenMask() == 0xFF00
                    && dcm.getBlueMask() == 0xFF && csType == ColorSpace.TYPE_RGB) {
                // TYPE_INT_RGB: straight copies.
                int[] data = dbi.getData();
                int stride = spp.getScanlineStride();
                int base = dbi.getOffset() + ty * stride + tx;
                return new RowReader(w, h) {
                    @Override
                    void readRow(int y, int x0, int n, int[] dst) {
                        int p = base + y * stride + x0;
                        for (int x = 0; x < n; x++) {
                            dst[x] = data[p + x] & 0xFFFFFF;
                        }
                    }
                };
            }

            if (cm instanceof ComponentColorModel && rgbOrGrey && db instanceof DataBufferByte dbb
                    && sm instanceof PixelInterleavedSampleModel pism && db.getNumBanks() == 1) {
                // TYPE_3BYTE_BGR from JPEG, 4BYTE_ABGR and BYTE_GRAY from PNG.
                byte[] data = dbb.getData();
                int stride = pism.getScanlineStride();
                int ps = pism.getPixelStride();
                int[] off = pism.getBandOffsets();
                int base = dbb.getOffset() + ty * stride + tx * ps;
                boolean grey = cm.getNumColorComponents() == 1;
                boolean alpha = cm.hasAlpha() && !cm.isAlphaPremultiplied();
                int oa = cm.hasAlpha() ? off[cm.getNumComponents() - 1] : 0;
                int or = off[0];
                int og = grey ? off[0] : off[1];
                int ob = grey ? off[0] : off[2];
                return new RowReader(w, h) {
                    @Override
                    void readRow(int y, int x0, int n, int[] dst) {
                        int p = base + y * stride + x0 * ps;
                        for (int x = 0; x < n; x++, p += ps) {
                            int r = data[p + or] & 0xFF;
                            int g = data[p + og] & 0xFF;
                            int b = data[p + ob] & 0xFF;
                            if (alpha) {
                                int a = data[p + oa] & 0xFF;
                                r = r * a / 255;
                                g = g * a / 255;
                                b = b * a / 255;
                            }
                            dst[x] = r << 16 | g << 8 | b;
                        }
                    }
                };
            }

            int type = db.getDataType();
            boolean integral = type == DataBuffer.TYPE_BYTE || type == DataBuffer.TYPE_USHORT
                    || type == DataBuffer.TYPE_INT;
            if ((cm instanceof ComponentColorModel || cm instanceof DirectColorModel) && rgbOrGrey
                    && integral) {
                // 16-bit TIFF/PNG, packed ARGB and the like: scale each band to 8 bits. Grey
                // samples are taken as display values (R=G=B); converting through Java's linear
                // CS_GRAY would brighten mid-tones.
                int bands = raster.getNumBands();
                boolean greyOnly = cm.getNumColorComponents() == 1;
                boolean alpha = cm.hasAlpha() && !cm.isAlphaPremultiplied();
                int[] max = new int[bands];
                for (int b = 0; b < bands; b++) {
                    max[b] = (int) ((1L << sm.getSampleSize(b)) - 1);
                }
                return new RowReader(w, h) {
                    private int[] s = new int[0];

                    @Override
                    void readRow(int y, int x0, int n, int[] dst) {
                        if (s.length < n * bands) {
                            s = new int[n * bands];
                        }
                        raster.getPixels(x0, y, n, 1, s);
                        for (int x = 0; x < n; x++) {
                            int q = x * bands;
                            double a = alpha ? s[q + bands - 1] / (double) max[bands - 1] : 1.0;
                            int r = scale8(s[q], max[0], a);
                            int g = greyOnly ? r : scale8(s[q + 1], max[1], a);
                            int b = greyOnly ? r : scale8(s[q + 2], max[2], a);
                            dst[x] = r << 16 | g << 8 | b;
                        }
                    }
                };
            }

            // CMYK, float rasters, exotic colour spaces: let Java2D do the colour conversion.
            BufferedImage tmp = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = tmp.createGraphics();
            try {
                g.drawImage(src, 0, 0, null);
            } finally {
                g.dispose();
            }
            return of(tmp);
        }
    }

    private static int scale8(int v, int max, double alpha) {
        return (int) Math.round(Math.min(max, Math.max(0, v)) * 255.0 / max * alpha);
    }

    /** Transparent regions count as black border, as a camera would record them. */
    private static int overBlack(int argb) {
        int a = argb >>> 24;
        if (a == 255) {
            return argb & 0xFFFFFF;
        }
        int r = ((argb >> 16) & 0xFF) * a / 255;
        int g = ((argb >> 8) & 0xFF) * a / 255;
        int b = (argb & 0xFF) * a / 255;
        return r << 16 | g << 8 | b;
    }
}
