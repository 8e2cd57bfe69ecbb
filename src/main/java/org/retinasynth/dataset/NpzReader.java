package org.retinasynth.dataset;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import org.retinasynth.dataset.InputRejectedException.Kind;
import org.retinasynth.dataset.ZipArchiveReader.ArchiveEntry;

/**
 * Reads NumPy {@code .npz} archives such as the MedMNIST releases, without NumPy and without ever
 * unpickling.
 *
 * <p>An npz is a zip of {@code .npy} files, so the archive goes through {@link ZipArchiveReader}
 * and gets the same bomb and name checks. The npy header is a Python dict literal; it is parsed
 * with a small strict parser that accepts only the three keys NumPy writes, never evaluated.
 * Object arrays are refused outright because loading them means unpickling, i.e. running code
 * chosen by the uploader.
 */
public final class NpzReader {

    /**
     * One array as stored: raw bytes in C order.
     *
     * @param dtype numpy type descriptor as written in the header, e.g. {@code "|u1"}, {@code "<i8"}
     * @param shape dimensions; empty for a scalar
     * @param data  exactly {@code product(shape) * itemsize} bytes
     */
    public record NpyArray(String dtype, int[] shape, byte[] data) {

        public NpyArray {
            Objects.requireNonNull(dtype, "dtype");
            Objects.requireNonNull(data, "data");
            shape = shape.clone();
            int itemSize = itemSize(dtype);
            if (itemSize < 0) {
                throw new IllegalArgumentException("unsupported dtype " + dtype);
            }
            long bytes = itemSize;
            for (int d : shape) {
                if (d < 0) {
                    throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
                }
                bytes = Math.multiplyExact(bytes, d);
            }
            if (bytes != data.length) {
                throw new IllegalArgumentException(data.length + " data bytes do not match dtype " + dtype
                        + " and shape " + Arrays.toString(shape));
            }
        }

        @Override
        public int[] shape() {
            return shape.clone();
        }

        /** Number of elements. */
        public int size() {
            return data.length / itemSize(dtype);
        }

        /**
         * Values of an integer array (any of {@code u1 i1 u2 i2 u4 i4 u8 i8}, either byte order).
         *
         * @throws InputRejectedException MALFORMED if the dtype is not an integer type or a value
         *                                does not fit in an int
         */
        public int[] asInts() {
            char kind = dtype.charAt(1);
            if (kind != 'u' && kind != 'i') {
                throw new InputRejectedException(Kind.MALFORMED, "Array of dtype " + dtype
                        + " does not hold integers");
            }
            int itemSize = itemSize(dtype);
            boolean unsigned = kind == 'u';
            ByteBuffer buf = ByteBuffer.wrap(data)
                    .order(dtype.charAt(0) == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
            int[] out = new int[data.length / itemSize];
            for (int i = 0; i < out.length; i++) {
                long v;
                switch (itemSize) {
                    case 1 -> v = unsigned ? buf.get() & 0xFFL : buf.get();
                    case 2 -> v = unsigned ? buf.getShort() & 0xFFFFL : buf.getShort();
                    case 4 -> v = unsigned ? buf.getInt() & 0xFFFF_FFFFL : buf.getInt();
                    default -> {
                        v = buf.getLong();
                        if (unsigned && v < 0) {
                            throw outOfIntRange(Long.toUnsignedString(v), i);
                        }
                    }
                }
                if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                    throw outOfIntRange(Long.toString(v), i);
                }
                out[i] = (int) v;
            }
            return out;
        }

        /**
         * The raw bytes of a {@code |u1} array (not a copy).
         *
         * @throws InputRejectedException MALFORMED for any other dtype
         */
        public byte[] asUint8() {
            if (!dtype.equals("|u1")) {
                throw new InputRejectedException(Kind.MALFORMED, "Array of dtype " + dtype
                        + " is not uint8 (|u1)");
            }
            return data;
        }

        private static InputRejectedException outOfIntRange(String value, int index) {
            return new InputRejectedException(Kind.MALFORMED, "Value " + value + " at index " + index
                    + " does not fit in a 32-bit integer");
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof NpyArray other && dtype.equals(other.dtype) && Arrays.equals(shape, other.shape)
                    && Arrays.equals(data, other.data);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * dtype.hashCode() + Arrays.hashCode(shape)) + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "NpyArray[" + dtype + " " + Arrays.toString(shape) + "]";
        }
    }

    /**
     * The splits found in a MedMNIST-layout npz, in the order train, val, test (absent ones left
     * out).
     */
    public record MedMnistSplits(Map<String, Split> splits) {

        public MedMnistSplits {
            splits = Collections.unmodifiableMap(new LinkedHashMap<>(splits));
        }

        /**
         * One split.
         *
         * @param name   "train", "val" or "test"
         * @param images TYPE_INT_RGB; grey arrays are expanded to RGB
         * @param labels one per image, as stored; the caller checks the grade range
         */
        public record Split(String name, List<BufferedImage> images, int[] labels) {
            @Override
            public String toString() {
                return "Split[" + name + ", " + images.size() + " images]";
            }
        }
    }

    /** NumPy's own cap (numpy.lib.format, max_header_size); longer headers are refused there too. */
    private static final int MAX_HEADER_LENGTH = 10_000;
    private static final int MAX_DIMS = 64;
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final List<String> SPLITS = List.of("train", "val", "test");

    private NpzReader() {
    }

    /** Same as {@link #read(Path, String, UploadLimits)}, naming the archive by its file name. */
    public static Map<String, NpyArray> read(Path npz, UploadLimits limits) {
        return read(npz, String.valueOf(npz.getFileName()), limits);
    }

    /**
     * Reads every array of the npz, keyed by entry name without {@code .npy}.
     *
     * @param displayName the name the user uploaded it as; used in messages
     * @throws InputRejectedException MALFORMED, TOO_LARGE or UNSAFE (see {@link ZipArchiveReader},
     *                                plus object dtypes and pickled data)
     */
    public static Map<String, NpyArray> read(Path npz, String displayName, UploadLimits limits) {
        List<ArchiveEntry> entries = ZipArchiveReader.read(npz, displayName, limits);
        Map<String, NpyArray> arrays = new LinkedHashMap<>();
        for (ArchiveEntry entry : entries) {
            String where = "'" + entry.name() + "' in '" + displayName + "'";
            if (!entry.name().endsWith(".npy")) {
                throw new InputRejectedException(Kind.MALFORMED, "Entry " + where
                        + " is not a .npy array; an .npz may only contain .npy files");
            }
            String key = entry.name().substring(0, entry.name().length() - ".npy".length());
            arrays.put(key, parseNpy(entry.bytes(), where));
        }
        return arrays;
    }

    /**
     * Parses one {@code .npy} file.
     *
     * @param where names the array in messages, e.g. {@code "'x.npy' in 'upload.npz'"}
     */
    public static NpyArray parseNpy(byte[] b, String where) {
        if (b.length < MAGIC.length || !Arrays.equals(b, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            // 0x80 is pickle's PROTO opcode: np.save(allow_pickle=True) of a non-array, or a
            // pickle renamed to .npy.
            if (b.length > 0 && (b[0] & 0xFF) == 0x80) {
                throw new InputRejectedException(Kind.UNSAFE, "Array " + where
                        + " is a Python pickle; pickled data is never loaded");
            }
            throw new InputRejectedException(Kind.MALFORMED, "Array " + where
                    + " is not a NumPy .npy file (bad magic bytes)");
        }
        if (b.length < 10) {
            throw new InputRejectedException(Kind.MALFORMED, "Array " + where + " is truncated in its header");
        }
        int major = b[6] & 0xFF;
        int minor = b[7] & 0xFF;
        long headerLength;
        int headerStart;
        if (major == 1 && minor == 0) {
            headerLength = (b[8] & 0xFF) | (b[9] & 0xFF) << 8;
            headerStart = 10;
        } else if ((major == 2 || major == 3) && minor == 0) {
            if (b.length < 12) {
                throw new InputRejectedException(Kind.MALFORMED, "Array " + where + " is truncated in its header");
            }
            headerLength = ByteBuffer.wrap(b, 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xFFFF_FFFFL;
            headerStart = 12;
        } else {
            throw new InputRejectedException(Kind.MALFORMED, "Array " + where + " uses .npy format version "
                    + major + "." + minor + "; only 1.0, 2.0 and 3.0 are supported");
        }
        if (headerLength > MAX_HEADER_LENGTH) {
            throw new InputRejectedException(Kind.MALFORMED, "Array " + where + " has a " + headerLength
                    + "-byte header; at most " + MAX_HEADER_LENGTH + " bytes are accepted");
        }
        if (headerStart + headerLength > b.length) {
            throw new InputRejectedException(Kind.MALFORMED, "Array " + where + " is truncated in its header");
        }
        // Versions 1 and 2 are latin-1, 3 is UTF-8; a valid header is ASCII either way.
        String header = new String(b, headerStart, (int) headerLength,
                major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Map<String, Object> dict = new HeaderParser(header, where).parse();

        Object descr = dict.get("descr");
        Object fortran = dict.get("fortran_order");
        Object shapeValue = dict.get("shape");
        if (!(descr instanceof String dtype) || !(fortran instanceof Boolean fortranOrder)
                || !(shapeValue instanceof long[] dims)) {
            throw new InputRejectedException(Kind.MALFORMED, "Array " + where
                    + " has a header without valid 'descr', 'fortran_order' and 'shape' entries");
        }
        if (dtype.replaceFirst("^[<>|=]", "").startsWith("O")) {
            throw new InputRejectedException(Kind.UNSAFE, "Array " + where + " has object dtype " + dtype
                    + "; loading it would mean unpickling, which is never done");
        }
        int itemSize = itemSize(dtype);
        if (itemSize < 0) {
            throw new InputRejectedException(Kind.MALFORMED, "Array " + where + " has unsupported dtype '"
                    + dtype + "'; only plain numeric dtypes (bool, int, uint, float) are read");
        }
        if (fortranOrder) {
            throw new InputRejectedException(Kind.MALFORMED, "Array " + where
                    + " is stored in Fortran (column-major) order; save it with C order");
        }
        if (dims.length > MAX_DIMS) {
            throw new InputRejectedException(Kind.MALFORMED, "Array " + where + " has " + dims.length
                    + " dimensions; at most " + MAX_DIMS + " are accepted");
        }
        int[] shape = new int[dims.length];
        long expected = itemSize;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] > Integer.MAX_VALUE) {
                throw shapeTooLarge(where, dims);
            }
            shape[i] = (int) dims[i];
            try {
                expected = Math.multiplyExact(expected, dims[i]);
            } catch (ArithmeticException e) {
                throw shapeTooLarge(where, dims);
            }
        }
        long actual = b.length - headerStart - headerLength;
        if (actual != expected) {
            throw new InputRejectedException(Kind.MALFORMED, "Array " + where + " of dtype " + dtype + " and shape "
                    + Arrays.toString(dims) + " needs " + expected + " data bytes but has " + actual
                    + (actual < expected ? " (truncated)" : ""));
        }
        return new NpyArray(dtype, shape, Arrays.copyOfRange(b, (int) (headerStart + headerLength), b.length));
    }

    /** Same as {@link #readMedMnist(Path, String, UploadLimits)}, naming the archive by its file name. */
    public static MedMnistSplits readMedMnist(Path npz, UploadLimits limits) {
        return readMedMnist(npz, String.valueOf(npz.getFileName()), limits);
    }

    /**
     * Reads an npz in the MedMNIST layout: for each split present among train/val/test, a uint8
     * {@code <split>_images} array of shape N×H×W×3, N×H×W×1 or N×H×W (grey), and an integer
     * {@code <split>_labels} array of shape N or N×1. Any other array is refused, so a misnamed
     * split cannot be dropped silently.
     *
     * @throws InputRejectedException MALFORMED for a wrong layout, dtype or count; TOO_LARGE when
     *                                one image exceeds {@link UploadLimits#maxImagePixels()}; plus
     *                                everything {@link #read} throws
     */
    public static MedMnistSplits readMedMnist(Path npz, String displayName, UploadLimits limits) {
        Map<String, NpyArray> arrays = read(npz, displayName, limits);
        String file = "'" + displayName + "'";
        Set<String> expected = Set.of("train_images", "train_labels", "val_images", "val_labels", "test_images",
                "test_labels");
        for (String key : arrays.keySet()) {
            if (!expected.contains(key)) {
                throw new InputRejectedException(Kind.MALFORMED, "MedMNIST file " + file + " contains an unexpected"
                        + " array '" + key + "'; expected only <split>_images and <split>_labels for splits "
                        + "train, val, test");
            }
        }
        Map<String, MedMnistSplits.Split> splits = new LinkedHashMap<>();
        for (String split : SPLITS) {
            NpyArray images = arrays.get(split + "_images");
            NpyArray labels = arrays.get(split + "_labels");
            if (images == null && labels == null) {
                continue;
            }
            if (images == null || labels == null) {
                throw new InputRejectedException(Kind.MALFORMED, "MedMNIST file " + file + " has "
                        + (images == null ? split + "_labels but no " + split + "_images"
                        : split + "_images but no " + split + "_labels"));
            }
            splits.put(split, toSplit(split, images, labels, file, limits));
        }
        if (splits.isEmpty()) {
            throw new InputRejectedException(Kind.MALFORMED, "MedMNIST file " + file
                    + " has no split: expected train_images/train_labels, val_images/val_labels"
                    + " or test_images/test_labels");
        }
        return new MedMnistSplits(splits);
    }

    private static MedMnistSplits.Split toSplit(String split, NpyArray images, NpyArray labels, String file,
                                                UploadLimits limits) {
        String imagesName = split + "_images";
        String labelsName = split + "_labels";
        int[] s = images.shape();
        if (!images.dtype().equals("|u1")) {
            throw new InputRejectedException(Kind.MALFORMED, "In " + file + ", " + imagesName + " has dtype "
                    + images.dtype() + "; expected uint8 (|u1)");
        }
        boolean rgbShape = s.length == 4 && (s[3] == 3 || s[3] == 1);
        if (!(s.length == 3 || rgbShape)) {
            throw new InputRejectedException(Kind.MALFORMED, "In " + file + ", " + imagesName + " has shape "
                    + Arrays.toString(s) + "; expected N×H×W×3 (colour) or N×H×W (grey)");
        }
        int n = s[0];
        int h = s[1];
        int w = s[2];
        int channels = s.length == 4 ? s[3] : 1;
        if (n == 0 || h == 0 || w == 0) {
            throw new InputRejectedException(Kind.MALFORMED, "In " + file + ", " + imagesName + " has shape "
                    + Arrays.toString(s) + "; no dimension may be 0");
        }
        if ((long) h * w > limits.maxImagePixels()) {
            throw new InputRejectedException(Kind.TOO_LARGE, "In " + file + ", " + imagesName + " holds "
                    + w + "x" + h + " images; the limit is " + limits.maxImagePixels() + " pixels per image");
        }
        if (labels.dtype().length() < 2 || "ui".indexOf(labels.dtype().charAt(1)) < 0) {
            throw new InputRejectedException(Kind.MALFORMED, "In " + file + ", " + labelsName + " has dtype "
                    + labels.dtype() + "; expected an integer dtype");
        }
        int[] ls = labels.shape();
        if (!(ls.length == 1 || (ls.length == 2 && ls[1] == 1))) {
            throw new InputRejectedException(Kind.MALFORMED, "In " + file + ", " + labelsName + " has shape "
                    + Arrays.toString(ls) + "; expected N or N×1 (one label per image)");
        }
        if (ls[0] != n) {
            throw new InputRejectedException(Kind.MALFORMED, "In " + file + ", " + labelsName + " has " + ls[0]
                    + " labels but " + imagesName + " has " + n + " images");
        }
        int[] labelValues;
        try {
            labelValues = labels.asInts();
        } catch (InputRejectedException e) {
            throw new InputRejectedException(e.kind(), "In " + file + ", " + labelsName + ": " + e.getMessage(), e);
        }
        byte[] px = images.asUint8();
        int perImage = h * w * channels;
        List<BufferedImage> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
            int[] rgb = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
            int base = i * perImage;
            for (int p = 0; p < h * w; p++) {
                if (channels == 3) {
                    int o = base + 3 * p;
                    rgb[p] = (px[o] & 0xFF) << 16 | (px[o + 1] & 0xFF) << 8 | (px[o + 2] & 0xFF);
                } else {
                    int g = px[base + p] & 0xFF;
                    rgb[p] = g << 16 | g << 8 | g;
                }
            }
            out.add(img);
        }
        return new MedMnistSplits.Split(split, Collections.unmodifiableList(out), labelValues);
    }

    /** Bytes per element, or -1 for anything but a plain numeric dtype with an explicit byte order. */
    static int itemSize(String dtype) {
        return switch (dtype) {
            case "|u1", "|i1", "|b1" -> 1;
            case "<u2", ">u2", "<i2", ">i2", "<f2", ">f2" -> 2;
            case "<u4", ">u4", "<i4", ">i4", "<f4", ">f4" -> 4;
            case "<u8", ">u8", "<i8", ">i8", "<f8", ">f8" -> 8;
            default -> -1;
        };
    }

    private static InputRejectedException shapeTooLarge(String where, long[] dims) {
        return new InputRejectedException(Kind.MALFORMED, "Array " + where + " declares shape "
                + Arrays.toString(dims) + ", whose size overflows");
    }

    /**
     * Strict parser for the header dict NumPy writes, e.g.
     * {@code {'descr': '<u1', 'fortran_order': False, 'shape': (1080, 28, 28, 3), }}. Accepts string,
     * bool and int-tuple values only; anything else (lists, nested dicts, calls) is rejected.
     */
    private static final class HeaderParser {
        private final String s;
        private final String where;
        private int pos;

        HeaderParser(String s, String where) {
            this.s = s;
            this.where = where;
        }

        Map<String, Object> parse() {
            Map<String, Object> dict = new LinkedHashMap<>();
            skipSpace();
            expect('{');
            skipSpace();
            while (peek() != '}') {
                String key = string();
                if (!Set.of("descr", "fortran_order", "shape").contains(key)) {
                    throw error("unknown key '" + key + "'");
                }
                skipSpace();
                expect(':');
                skipSpace();
                Object value = value();
                if (dict.put(key, value) != null) {
                    throw error("duplicate key '" + key + "'");
                }
                skipSpace();
                if (peek() == ',') {
                    pos++;
                    skipSpace();
                } else if (peek() != '}') {
                    throw error("expected ',' or '}'");
                }
            }
            pos++;
            skipSpace();
            if (pos != s.length()) {
                throw error("unexpected text after the dict");
            }
            return dict;
        }

        private Object value() {
            char c = peek();
            if (c == '\'' || c == '"') {
                return string();
            }
            if (c == '(') {
                return tuple();
            }
            if (s.startsWith("True", pos)) {
                pos += 4;
                return Boolean.TRUE;
            }
            if (s.startsWith("False", pos)) {
                pos += 5;
                return Boolean.FALSE;
            }
            if (c == '[') {
                throw error("structured dtypes are not supported");
            }
            throw error("unsupported value at position " + pos);
        }

        private long[] tuple() {
            expect('(');
            List<Long> values = new ArrayList<>();
            boolean trailingComma = false;
            skipSpace();
            while (peek() != ')') {
                values.add(integer());
                trailingComma = false;
                skipSpace();
                if (peek() == ',') {
                    pos++;
                    trailingComma = true;
                    skipSpace();
                } else if (peek() != ')') {
                    throw error("expected ',' or ')' in shape");
                }
                if (values.size() > MAX_DIMS) {
                    throw error("more than " + MAX_DIMS + " dimensions");
                }
            }
            pos++;
            // "(3)" is the int 3 in Python, not a tuple; NumPy always writes "(3,)".
            if (values.size() == 1 && !trailingComma) {
                throw error("shape must be a tuple");
            }
            return values.stream().mapToLong(Long::longValue).toArray();
        }

        private long integer() {
            int start = pos;
            while (pos < s.length() && Character.isDigit(s.charAt(pos)) && s.charAt(pos) < 128) {
                pos++;
            }
            if (pos == start) {
                throw error("expected a non-negative integer in shape");
            }
            if (pos - start > 18) {
                throw error("shape dimension too large");
            }
            return Long.parseLong(s.substring(start, pos));
        }

        private String string() {
            char quote = peek();
            if (quote != '\'' && quote != '"') {
                throw error("expected a quoted string");
            }
            int end = s.indexOf(quote, pos + 1);
            if (end < 0) {
                throw error("unterminated string");
            }
            String value = s.substring(pos + 1, end);
            if (value.indexOf('\\') >= 0) {
                throw error("escape sequences are not supported");
            }
            pos = end + 1;
            return value;
        }

        private void skipSpace() {
            while (pos < s.length() && (s.charAt(pos) == ' ' || s.charAt(pos) == '\n')) {
                pos++;
            }
        }

        private char peek() {
            if (pos >= s.length()) {
                throw error("unexpected end of header");
            }
            return s.charAt(pos);
        }

        private void expect(char c) {
            if (peek() != c) {
                throw error("expected '" + c + "'");
            }
            pos++;
        }

        private InputRejectedException error(String why) {
            return new InputRejectedException(Kind.MALFORMED, "Array " + where + " has an invalid header: " + why);
        }
    }
}
