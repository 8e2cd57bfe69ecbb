package org.retinasynth.corruption;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.spi.ImageWriterSpi;
import javax.imageio.stream.MemoryCacheImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.retinasynth.image.Img;

/**
 * JPEG re-compression: screening programmes and PACS exports store fundus images as lossy JPEG,
 * often at low quality, so block artefacts and chroma loss are a real acquisition shift. This is
 * the one corruption that has to go through a BufferedImage, because the codec is ImageIO's.
 */
final class Jpeg {

    static final int MAX_QUALITY = 95;
    static final int MIN_QUALITY = 5;

    private Jpeg() {}

    static List<Corruption> corruptions() {
        return List.of(new NamedCorruption("jpeg",
                "JPEG re-compression with ImageIO's baseline encoder (4:2:0 chroma): quality = "
                        + "round(95 - 90*s), i.e. 95 down to 5; s = 0 skips encoding.",
                Jpeg::jpeg));
    }

    static int quality(double s) {
        return (int) Math.round(MAX_QUALITY - (MAX_QUALITY - MIN_QUALITY) * s);
    }

    static void jpeg(float[] chw, int h, int w, double s, SplittableRandom rng) {
        Img.readInto(roundTrip(Img.toBufferedImage(chw, h, w), quality(s)), chw);
    }

    /**
     * Memory-cached streams on purpose: {@code ImageIO.createImageOutputStream} would use a temp
     * file whenever the global ImageIO cache is on, which is the default.
     */
    static BufferedImage roundTrip(BufferedImage image, int quality) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(image.getWidth() * image.getHeight());
        ImageWriter writer = Codec.newWriter();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality / 100f);
            writer.write(null, new IIOImage(image, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException("JPEG encoding failed", e);
        } finally {
            writer.dispose();
        }
        ImageReader reader = Codec.newReader();
        try (MemoryCacheImageInputStream in =
                new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            reader.setInput(in, true, true);
            return reader.read(0);
        } catch (IOException e) {
            throw new UncheckedIOException("JPEG decoding failed", e);
        } finally {
            reader.dispose();
        }
    }

    /**
     * Looked up once, lazily: scanning the ImageIO registry per call costs more than encoding a
     * 64x64 image. Writers and readers themselves are not thread-safe, so one is made per call.
     */
    private static final class Codec {
        private static final ImageWriterSpi WRITER_SPI;
        private static final ImageReaderSpi READER_SPI;

        static {
            Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("jpeg");
            Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName("jpeg");
            if (!writers.hasNext() || !readers.hasNext()) {
                throw new IllegalStateException("no ImageIO JPEG codec available");
            }
            WRITER_SPI = writers.next().getOriginatingProvider();
            READER_SPI = readers.next().getOriginatingProvider();
        }

        static ImageWriter newWriter() {
            try {
                return WRITER_SPI.createWriterInstance();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        static ImageReader newReader() {
            try {
                return READER_SPI.createReaderInstance();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
