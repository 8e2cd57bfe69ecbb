package org.retinasynth.dataset;

import java.awt.Dimension;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;

import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageInputStreamImpl;

import org.retinasynth.dataset.InputRejectedException.Kind;

/**
 * Decodes one uploaded image (PNG, JPEG or TIFF) without trusting it.
 *
 * <p>The format comes from the magic bytes, never from the file name, because names are chosen by
 * the uploader. Width and height are read from the header and checked against
 * {@link UploadLimits#maxImagePixels()} before any pixel is decoded, so that a few hundred bytes
 * claiming 100000 x 100000 pixels cannot make us allocate 40 GB. ImageIO is lenient with broken
 * files (a truncated JPEG decodes to a grey-filled image plus a warning); a training set must not
 * silently contain such images, so every decoder warning counts as corruption.
 */
public final class ImageDecoder {

    /**
     * A decoded image.
     *
     * @param format      "png", "jpeg" or "tiff", as detected from the content
     * @param width       of the file, as its header declares it
     * @param height      of the file, as its header declares it
     * @param subsampling the image holds every {@code subsampling}-th pixel of every
     *                    {@code subsampling}-th row of the file (1 = all of them)
     */
    public record DecodedImage(BufferedImage image, String format, int width, int height, int subsampling) {
    }

    static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    private static final byte[] JPEG_MAGIC = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF};
    private static final byte[] TIFF_LE_MAGIC = {'I', 'I', 42, 0};
    private static final byte[] TIFF_BE_MAGIC = {'M', 'M', 0, 42};

    private ImageDecoder() {
    }

    /**
     * Checks size, format and header dimensions, then decodes the first image in the file.
     *
     * @param name shown to the user in error messages (the upload or archive entry name)
     * @throws InputRejectedException TOO_LARGE, UNSUPPORTED_TYPE or MALFORMED
     */
    public static DecodedImage decode(byte[] bytes, String name, UploadLimits limits) {
        return decode(bytes, name, limits, Integer.MAX_VALUE);
    }

    /**
     * Smallest shorter edge, in multiples of the working size, kept when decoding for
     * preprocessing: the final resize then still averages at least 4 x 4 decoded pixels into each
     * working pixel, so the subsampling does not alias (measured against a full decode in
     * {@code ImageDecoderTest}).
     */
    static final int OVERSAMPLING = 4;

    /**
     * Decodes for {@link FundusPreprocessor#preprocessWithFieldOfView} at {@code workingSize}: the
     * one decode that ingestion and the model endpoints share, so an uploaded image and a stored
     * one are prepared alike.
     */
    public static DecodedImage decodeForWorkingSize(byte[] bytes, String name, UploadLimits limits, int workingSize) {
        return decode(bytes, name, limits, OVERSAMPLING * workingSize);
    }

    /**
     * As {@link #decode(byte[], String, UploadLimits)}, but keeps only every s-th pixel of every
     * s-th row, s the largest integer that leaves the shorter edge at least {@code minShortEdge}
     * (1 when the file is smaller). The decoder still reads and checks the whole file; what it
     * saves is converting and storing pixels that a shrinking resize would average away, which
     * for a 64 px working size is most of them.
     */
    public static DecodedImage decode(byte[] bytes, String name, UploadLimits limits, int minShortEdge) {
        if (minShortEdge < 1) {
            throw new IllegalArgumentException("minShortEdge must be positive, got " + minShortEdge);
        }
        try (Header header = readHeader(bytes, name, limits)) {
            List<String> warnings = new ArrayList<>();
            header.reader.addIIOReadWarningListener(new IIOReadWarningListener() {
                @Override
                public void warningOccurred(ImageReader source, String warning) {
                    warnings.add(warning);
                }
            });
            int step = Math.max(1, Math.min(header.width, header.height) / minShortEdge);
            BufferedImage image;
            try {
                ImageReadParam param = header.reader.getDefaultReadParam();
                if (step > 1) {
                    param.setSourceSubsampling(step, step, 0, 0);
                }
                image = header.reader.read(0, param);
            } catch (IOException | RuntimeException e) {
                // Plugins signal broken data with IOException but also with unchecked exceptions
                // (IndexOutOfBounds, IllegalArgument, NegativeArraySize...); all mean corrupt input.
                throw corrupt(name, header.format, e);
            }
            if (!warnings.isEmpty()) {
                throw new InputRejectedException(Kind.MALFORMED, "Image '" + name + "' is a corrupt or truncated "
                        + header.format.toUpperCase() + " file (decoder reported: " + warnings.get(0) + ")");
            }
            if (image == null || image.getWidth() != ceilDiv(header.width, step)
                    || image.getHeight() != ceilDiv(header.height, step)) {
                throw new InputRejectedException(Kind.MALFORMED, "Image '" + name
                        + "' decoded to a size that does not match its header (" + header.width + "x"
                        + header.height + ")");
            }
            return new DecodedImage(image, header.format, header.width, header.height, step);
        }
    }

    /**
     * Checks size, format and header dimensions without decoding pixels. Cheap enough to run on
     * every entry of an archive before decoding any of them.
     *
     * @throws InputRejectedException TOO_LARGE, UNSUPPORTED_TYPE or MALFORMED
     */
    public static Dimension probe(byte[] bytes, String name, UploadLimits limits) {
        try (Header header = readHeader(bytes, name, limits)) {
            return new Dimension(header.width, header.height);
        }
    }

    /**
     * Returns "png", "jpeg" or "tiff" from the magic bytes, or null for anything else.
     */
    public static String detectFormat(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        if (startsWith(bytes, PNG_MAGIC)) {
            return "png";
        }
        if (startsWith(bytes, JPEG_MAGIC)) {
            return "jpeg";
        }
        if (startsWith(bytes, TIFF_LE_MAGIC) || startsWith(bytes, TIFF_BE_MAGIC)) {
            return "tiff";
        }
        return null;
    }

    private static Header readHeader(byte[] bytes, String name, UploadLimits limits) {
        Objects.requireNonNull(limits, "limits");
        if (bytes == null || bytes.length == 0) {
            throw new InputRejectedException(Kind.MALFORMED, "Image '" + name + "' is empty");
        }
        if (bytes.length > limits.maxImageBytes()) {
            throw new InputRejectedException(Kind.TOO_LARGE, "Image '" + name + "' is " + bytes.length
                    + " bytes; the limit is " + limits.maxImageBytes() + " bytes per image");
        }
        String format = detectFormat(bytes);
        if (format == null) {
            throw new InputRejectedException(Kind.UNSUPPORTED_TYPE, "File '" + name
                    + "' is not a PNG, JPEG or TIFF image (checked by content, not by file name)");
        }
        ImageReader reader = readerFor(format, name);
        // The bytes are already in memory: ImageIO's own stream factory would copy them again
        // into a cache, or spool them to a temp file.
        ImageInputStream in = new ByteArrayImageInputStream(bytes);
        Header header = new Header(format, reader, in);
        try {
            // Not seek-forward-only: TIFF strips may lie before the IFD that describes them.
            reader.setInput(in, false, true);
            header.width = reader.getWidth(0);
            header.height = reader.getHeight(0);
        } catch (IOException | RuntimeException e) {
            header.close();
            throw corrupt(name, format, e);
        }
        if (header.width <= 0 || header.height <= 0) {
            header.close();
            throw new InputRejectedException(Kind.MALFORMED, "Image '" + name + "' declares an invalid size "
                    + header.width + "x" + header.height);
        }
        long pixels = (long) header.width * header.height;
        if (pixels > limits.maxImagePixels()) {
            header.close();
            throw new InputRejectedException(Kind.TOO_LARGE, "Image '" + name + "' declares " + header.width
                    + "x" + header.height + " = " + pixels + " pixels; the limit is "
                    + limits.maxImagePixels() + " pixels (checked before decoding)");
        }
        return header;
    }

    private static ImageReader readerFor(String format, String name) {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format);
        if (!readers.hasNext()) {
            throw new InputRejectedException(Kind.UNSUPPORTED_TYPE, "Image '" + name + "' is "
                    + format.toUpperCase() + ", but no " + format + " decoder is installed");
        }
        return readers.next();
    }

    private static InputRejectedException corrupt(String name, String format, Throwable e) {
        String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new InputRejectedException(Kind.MALFORMED, "Image '" + name + "' is a corrupt or truncated "
                + format.toUpperCase() + " file (" + detail + ")", e);
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        if (bytes.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** Reader plus stream, so both are released on every path. */
    private static final class Header implements AutoCloseable {
        final String format;
        final ImageReader reader;
        final ImageInputStream in;
        int width;
        int height;

        Header(String format, ImageReader reader, ImageInputStream in) {
            this.format = format;
            this.reader = reader;
            this.in = in;
        }

        @Override
        public void close() {
            reader.dispose();
            try {
                in.close();
            } catch (IOException ignored) {
                // in-memory stream; nothing to release
            }
        }
    }

    /** Random access over the upload's bytes without copying them. */
    private static final class ByteArrayImageInputStream extends ImageInputStreamImpl {
        private final byte[] data;

        ByteArrayImageInputStream(byte[] data) {
            this.data = data;
        }

        @Override
        public int read() {
            if (streamPos >= data.length) {
                return -1;
            }
            bitOffset = 0;
            return data[(int) streamPos++] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            if (streamPos >= data.length) {
                return -1;
            }
            bitOffset = 0;
            int n = (int) Math.min(len, data.length - streamPos);
            System.arraycopy(data, (int) streamPos, b, off, n);
            streamPos += n;
            return n;
        }

        @Override
        public long length() {
            return data.length;
        }
    }
}
