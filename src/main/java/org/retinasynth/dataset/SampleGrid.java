package org.retinasynth.dataset;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.awt.image.SinglePixelPackedSampleModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * A labelled contact sheet (one row per grade, say) for eyeballing datasets and generated
 * samples: a person judging a generative model looks at rows of images side by side, not at
 * numbers alone.
 */
public final class SampleGrid {

    /** The JDK writer deflates at level (int) (9 * (1 - quality)): 0.85 gives level 1. */
    private static final float FAST_DEFLATE = 0.85f;

    static final int GAP = 4;
    static final Color BACKGROUND = new Color(0xE6, 0xE6, 0xE6);

    private SampleGrid() {
    }

    /**
     * One row per label; every cell is scaled to {@code cellSize} square (aspect kept, centred).
     * Rows may have different lengths; the grid is as wide as the longest.
     */
    public static BufferedImage render(List<String> rowLabels, List<List<BufferedImage>> rows,
            int cellSize) {
        if (rowLabels.size() != rows.size()) {
            throw new IllegalArgumentException(
                    rowLabels.size() + " labels for " + rows.size() + " rows");
        }
        if (cellSize < 1) {
            throw new IllegalArgumentException("cellSize must be positive, got " + cellSize);
        }
        int columns = rows.stream().mapToInt(List::size).max().orElse(0);
        // Size the label font to the cell, so small thumbnails do not get huge captions.
        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, Math.max(10, Math.min(16, cellSize / 4)));
        int margin = labelMargin(rowLabels, font);
        int width = margin + columns * (cellSize + GAP) + GAP;
        int height = rows.size() * (cellSize + GAP) + GAP;
        BufferedImage out = new BufferedImage(Math.max(1, width), Math.max(1, height),
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setColor(BACKGROUND);
            g.fillRect(0, 0, out.getWidth(), out.getHeight());
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION,
                    RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING,
                    RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setFont(font);
            FontMetrics fm = g.getFontMetrics();
            for (int r = 0; r < rows.size(); r++) {
                int y = GAP + r * (cellSize + GAP);
                g.setColor(Color.DARK_GRAY);
                g.drawString(rowLabels.get(r), GAP, y + (cellSize + fm.getAscent()) / 2);
                List<BufferedImage> row = rows.get(r);
                for (int c = 0; c < row.size(); c++) {
                    drawCell(g, row.get(c), margin + GAP + c * (cellSize + GAP), y, cellSize);
                }
            }
        } finally {
            g.dispose();
        }
        return out;
    }

    /**
     * PNG-encodes an image; PNG because lossless matters when judging fine lesions. Plain RGB
     * images (all that this service makes) go through {@link PngEncoder}; anything else through
     * the JDK writer on an in-memory stream at deflate level 1 ({@code ImageIO.write} buffers
     * through a temporary file and deflates at level 4).
     */
    public static byte[] png(BufferedImage img) {
        if (img.getType() == BufferedImage.TYPE_INT_RGB
                && img.getRaster().getDataBuffer() instanceof DataBufferInt ints
                && img.getRaster().getSampleModel() instanceof SinglePixelPackedSampleModel sm
                && sm.getScanlineStride() == img.getWidth() && ints.getOffset() == 0
                && img.getRaster().getSampleModelTranslateX() == 0 && img.getRaster().getSampleModelTranslateY() == 0
                && img.getRaster().getWidth() == sm.getWidth()) {
            return PngEncoder.encode(ints.getData(), img.getWidth(), img.getHeight());
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
        try (ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(FAST_DEFLATE);
            writer.setOutput(out);
            writer.write(null, new IIOImage(img, null, null), param);
        } catch (IOException e) {
            // Writing to memory cannot fail for I/O reasons; keep callers free of checked noise.
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    private static int labelMargin(List<String> labels, Font font) {
        if (labels.stream().allMatch(String::isEmpty)) {
            return 0;
        }
        // Measure with a scratch graphics: the output image does not exist yet.
        BufferedImage scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = scratch.createGraphics();
        try {
            FontMetrics fm = g.getFontMetrics(font);
            return GAP + labels.stream().mapToInt(fm::stringWidth).max().orElse(0);
        } finally {
            g.dispose();
        }
    }

    private static void drawCell(Graphics2D g, BufferedImage img, int x, int y, int cell) {
        double scale = Math.min((double) cell / img.getWidth(), (double) cell / img.getHeight());
        int w = Math.max(1, (int) Math.round(img.getWidth() * scale));
        int h = Math.max(1, (int) Math.round(img.getHeight() * scale));
        g.drawImage(img, x + (cell - w) / 2, y + (cell - h) / 2, w, h, null);
    }
}
