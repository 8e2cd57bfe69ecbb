package org.retinasynth.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.retinasynth.dataset.ImageDecoderTest.assertRejected;
import static org.retinasynth.dataset.TestZips.entries;
import static org.retinasynth.dataset.TestZips.write;
import static org.retinasynth.dataset.TestZips.zip;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.retinasynth.dataset.InputRejectedException.Kind;
import org.retinasynth.dataset.NpzReader.MedMnistSplits;
import org.retinasynth.dataset.NpzReader.NpyArray;

class NpzReaderTest {

    private static final UploadLimits LIMITS = UploadLimits.defaults();

    @TempDir
    Path dir;

    // ---- building .npy / .npz by hand ----------------------------------------------------------

    /** The header dict exactly as numpy.lib.format writes it. */
    static String dict(String descr, boolean fortran, long... shape) {
        String dims = Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining(", "));
        String tuple = shape.length == 1 ? "(" + dims + ",)" : "(" + dims + ")";
        return "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': " + tuple
                + ", }";
    }

    static byte[] npyWithHeader(String dict, byte[] data, int major) {
        int prefix = major == 1 ? 10 : 12;
        StringBuilder header = new StringBuilder(dict);
        while ((prefix + header.length() + 1) % 64 != 0) {
            header.append(' ');
        }
        header.append('\n');
        byte[] h = header.toString().getBytes(StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        ByteBuffer len = ByteBuffer.allocate(major == 1 ? 2 : 4).order(ByteOrder.LITTLE_ENDIAN);
        if (major == 1) {
            len.putShort((short) h.length);
        } else {
            len.putInt(h.length);
        }
        out.writeBytes(len.array());
        out.writeBytes(h);
        out.writeBytes(data);
        return out.toByteArray();
    }

    static byte[] npy(String descr, byte[] data, long... shape) {
        return npyWithHeader(dict(descr, false, shape), data, 1);
    }

    static byte[] u1(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    static byte[] i8(long... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            b.putLong(v);
        }
        return b.array();
    }

    /** n colour images h x w whose pixel (y, x) of image i is (i, y, x). */
    static byte[] rgbPixels(int n, int h, int w) {
        byte[] b = new byte[n * h * w * 3];
        int o = 0;
        for (int i = 0; i < n; i++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    b[o++] = (byte) i;
                    b[o++] = (byte) y;
                    b[o++] = (byte) x;
                }
            }
        }
        return b;
    }

    private Path npz(int method, Object... nameThenNpy) {
        return write(dir, "upload.tmp", zip(entries(nameThenNpy), method));
    }

    private MedMnistSplits medMnist(Object... nameThenNpy) {
        return NpzReader.readMedMnist(npz(ZipEntry.DEFLATED, nameThenNpy), "retina.npz", LIMITS);
    }

    private void assertMedMnistRejected(Kind kind, String messagePart, Object... nameThenNpy) {
        Path file = npz(ZipEntry.DEFLATED, nameThenNpy);
        assertRejected(() -> NpzReader.readMedMnist(file, "retina.npz", LIMITS), kind, messagePart);
    }

    private static final byte[] TRAIN_IMAGES = npy("|u1", rgbPixels(2, 4, 5), 2, 4, 5, 3);
    private static final byte[] TRAIN_LABELS = npy("|u1", u1(0, 4), 2, 1);

    // ---- MedMNIST layout ------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(ints = {ZipEntry.STORED, ZipEntry.DEFLATED})
    void roundTripsMedMnistLayout(int method) {
        byte[] grey = u1(0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150, 160, 170, 180, 190);
        Path file = npz(method,
                "train_images.npy", TRAIN_IMAGES,
                "train_labels.npy", TRAIN_LABELS,
                "val_images.npy", npy("|u1", grey, 1, 4, 5),
                "val_labels.npy", npy("<i8", i8(3), 1));
        MedMnistSplits splits = NpzReader.readMedMnist(file, "retina.npz", LIMITS);

        assertThat(splits.splits()).containsOnlyKeys("train", "val");
        MedMnistSplits.Split train = splits.splits().get("train");
        assertThat(train.labels()).containsExactly(0, 4);
        assertThat(train.images()).hasSize(2);
        BufferedImage second = train.images().get(1);
        assertThat(second.getType()).isEqualTo(BufferedImage.TYPE_INT_RGB);
        assertThat(second.getWidth()).isEqualTo(5);
        assertThat(second.getHeight()).isEqualTo(4);
        assertThat(second.getRGB(4, 3) & 0xFFFFFF).isEqualTo(0x010304);

        MedMnistSplits.Split val = splits.splits().get("val");
        assertThat(val.labels()).containsExactly(3);
        assertThat(val.images().get(0).getRGB(1, 2) & 0xFFFFFF).isEqualTo(0x6E6E6E); // grey 110 -> RGB
    }

    @Test
    void splitsComeInTrainValTestOrder() {
        MedMnistSplits splits = medMnist(
                "test_images.npy", TRAIN_IMAGES, "test_labels.npy", TRAIN_LABELS,
                "train_images.npy", TRAIN_IMAGES, "train_labels.npy", TRAIN_LABELS);
        assertThat(splits.splits().keySet()).containsExactly("train", "test");
    }

    @Test
    void labelsAreReturnedAsIsEvenOutOfGradeRange() {
        MedMnistSplits splits = medMnist("train_images.npy", TRAIN_IMAGES,
                "train_labels.npy", npy("<i8", i8(-1, 99), 2));
        assertThat(splits.splits().get("train").labels()).containsExactly(-1, 99);
    }

    @Test
    void floatImagesAreMalformed() {
        assertMedMnistRejected(Kind.MALFORMED, "train_images has dtype <f4; expected uint8",
                "train_images.npy", npy("<f4", new byte[2 * 4 * 5 * 3 * 4], 2, 4, 5, 3),
                "train_labels.npy", TRAIN_LABELS);
    }

    @Test
    void floatLabelsAreMalformed() {
        assertMedMnistRejected(Kind.MALFORMED, "train_labels has dtype <f8; expected an integer dtype",
                "train_images.npy", TRAIN_IMAGES,
                "train_labels.npy", npy("<f8", new byte[16], 2));
    }

    @Test
    void wrongImageShapeIsMalformed() {
        assertMedMnistRejected(Kind.MALFORMED, "train_images has shape [2, 4, 5, 4]",
                "train_images.npy", npy("|u1", new byte[2 * 4 * 5 * 4], 2, 4, 5, 4),
                "train_labels.npy", TRAIN_LABELS);
        assertMedMnistRejected(Kind.MALFORMED, "train_images has shape [40]",
                "train_images.npy", npy("|u1", new byte[40], 40),
                "train_labels.npy", TRAIN_LABELS);
    }

    @Test
    void wrongLabelShapeIsMalformed() {
        assertMedMnistRejected(Kind.MALFORMED, "train_labels has shape [2, 2]",
                "train_images.npy", TRAIN_IMAGES,
                "train_labels.npy", npy("|u1", u1(0, 1, 2, 3), 2, 2));
    }

    @Test
    void countMismatchIsMalformed() {
        assertMedMnistRejected(Kind.MALFORMED, "train_labels has 3 labels but train_images has 2 images",
                "train_images.npy", TRAIN_IMAGES,
                "train_labels.npy", npy("|u1", u1(0, 1, 2), 3, 1));
    }

    @Test
    void halfASplitIsMalformed() {
        assertMedMnistRejected(Kind.MALFORMED, "has val_images but no val_labels",
                "train_images.npy", TRAIN_IMAGES, "train_labels.npy", TRAIN_LABELS,
                "val_images.npy", TRAIN_IMAGES);
    }

    @Test
    void unexpectedArrayIsMalformed() {
        assertMedMnistRejected(Kind.MALFORMED, "unexpected array 'validation_images'",
                "train_images.npy", TRAIN_IMAGES, "train_labels.npy", TRAIN_LABELS,
                "validation_images.npy", TRAIN_IMAGES);
    }

    @Test
    void noSplitIsMalformed() {
        assertMedMnistRejected(Kind.MALFORMED, "has no split");
    }

    @Test
    void oversizedImagesAreTooLarge() {
        Path file = npz(ZipEntry.DEFLATED, "train_images.npy", TRAIN_IMAGES, "train_labels.npy", TRAIN_LABELS);
        UploadLimits tiny = new UploadLimits(19, LIMITS.maxImageBytes(), 100, 1L << 30, 100);
        assertRejected(() -> NpzReader.readMedMnist(file, "retina.npz", tiny), Kind.TOO_LARGE, "5x4 images");
    }

    // ---- NPY parsing ----------------------------------------------------------------------------

    @Test
    void readsArraysKeyedWithoutExtension() {
        Map<String, NpyArray> arrays = NpzReader.read(npz(ZipEntry.STORED, "a.npy", npy("<i8", i8(5, 6), 2),
                "b.npy", npy("|u1", u1(1, 2, 3, 4, 5, 6), 2, 3)), LIMITS);
        assertThat(arrays).containsOnlyKeys("a", "b");
        assertThat(arrays.get("a").dtype()).isEqualTo("<i8");
        assertThat(arrays.get("a").shape()).containsExactly(2);
        assertThat(arrays.get("a").asInts()).containsExactly(5, 6);
        assertThat(arrays.get("b").shape()).containsExactly(2, 3);
        assertThat(arrays.get("b").asUint8()).containsExactly(1, 2, 3, 4, 5, 6);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void readsAllFormatVersions(int major) {
        NpyArray a = NpzReader.parseNpy(npyWithHeader(dict("|u1", false, 3), u1(7, 8, 9), major), "x");
        assertThat(a.asInts()).containsExactly(7, 8, 9);
    }

    @Test
    void scalarAndEmptyArraysParse() {
        assertThat(NpzReader.parseNpy(npyWithHeader(dict("<i8", false), i8(42), 1), "x").asInts()).containsExactly(42);
        assertThat(NpzReader.parseNpy(npy("|u1", new byte[0], 0, 5), "x").size()).isZero();
    }

    @Test
    void asIntsHandlesEveryIntegerDtypeAndByteOrder() {
        assertThat(NpzReader.parseNpy(npy("|i1", u1(0xFF), 1), "x").asInts()).containsExactly(-1);
        assertThat(NpzReader.parseNpy(npy("|u1", u1(0xFF), 1), "x").asInts()).containsExactly(255);
        assertThat(NpzReader.parseNpy(npy("<u2", u1(0x01, 0x80), 1), "x").asInts()).containsExactly(0x8001);
        assertThat(NpzReader.parseNpy(npy(">u2", u1(0x01, 0x80), 1), "x").asInts()).containsExactly(0x0180);
        assertThat(NpzReader.parseNpy(npy("<i2", u1(0xFE, 0xFF), 1), "x").asInts()).containsExactly(-2);
        assertThat(NpzReader.parseNpy(npy(">i2", u1(0xFF, 0xFE), 1), "x").asInts()).containsExactly(-2);
        assertThat(NpzReader.parseNpy(npy("<i4", u1(4, 0, 0, 0), 1), "x").asInts()).containsExactly(4);
        assertThat(NpzReader.parseNpy(npy(">i4", u1(0, 0, 0, 4), 1), "x").asInts()).containsExactly(4);
        assertThat(NpzReader.parseNpy(npy("<u4", u1(4, 0, 0, 0), 1), "x").asInts()).containsExactly(4);
        assertThat(NpzReader.parseNpy(npy(">u8", u1(0, 0, 0, 0, 0, 0, 0, 3), 1), "x").asInts()).containsExactly(3);
        assertThat(NpzReader.parseNpy(npy("<i8", i8(-7), 1), "x").asInts()).containsExactly(-7);
    }

    @Test
    void asIntsRejectsValuesOutsideIntRange() {
        NpyArray big = NpzReader.parseNpy(npy("<i8", i8(1L << 40), 1), "x");
        assertRejected(big::asInts, Kind.MALFORMED, "does not fit");
        NpyArray bigU4 = NpzReader.parseNpy(npy("<u4", u1(0xFF, 0xFF, 0xFF, 0xFF), 1), "x");
        assertRejected(bigU4::asInts, Kind.MALFORMED, "4294967295");
        NpyArray hugeU8 = NpzReader.parseNpy(npy("<u8", i8(-1), 1), "x");
        assertRejected(hugeU8::asInts, Kind.MALFORMED, "18446744073709551615");
        NpyArray floats = NpzReader.parseNpy(npy("<f4", new byte[4], 1), "x");
        assertRejected(floats::asInts, Kind.MALFORMED, "does not hold integers");
        assertRejected(floats::asUint8, Kind.MALFORMED, "not uint8");
    }

    @Test
    void objectDtypeIsUnsafe() {
        byte[] pickled = {(byte) 0x80, 4, (byte) 0x95, 0, 0, 0, 0, 0, 0, 0, 0, '.'};
        assertRejected(() -> NpzReader.parseNpy(npy("|O", pickled, 1), "'x.npy'"), Kind.UNSAFE, "object dtype");
        assertRejected(() -> NpzReader.parseNpy(npy("<O", pickled, 1), "'x.npy'"), Kind.UNSAFE, "unpickling");
        Path file = npz(ZipEntry.DEFLATED, "train_images.npy", npy("|O", pickled, 2),
                "train_labels.npy", TRAIN_LABELS);
        assertRejected(() -> NpzReader.readMedMnist(file, "retina.npz", LIMITS), Kind.UNSAFE,
                "'train_images.npy' in 'retina.npz'");
    }

    @Test
    void rawPickleIsUnsafe() {
        byte[] pickle = {(byte) 0x80, 4, (byte) 0x95, 5, 0, 0, 0, 0, 0, 0, 0, 'c', 'o', 's', '\n'};
        assertRejected(() -> NpzReader.read(npz(ZipEntry.STORED, "a.npy", pickle), LIMITS), Kind.UNSAFE, "pickle");
    }

    @Test
    void fortranOrderIsMalformed() {
        assertRejected(() -> NpzReader.parseNpy(npyWithHeader(dict("|u1", true, 2, 2), u1(1, 2, 3, 4), 1), "'f.npy'"),
                Kind.MALFORMED, "Fortran");
    }

    @Test
    void truncatedOrOverlongDataIsMalformed() {
        assertRejected(() -> NpzReader.parseNpy(npy("<i8", new byte[15], 2), "'t.npy'"), Kind.MALFORMED,
                "needs 16 data bytes but has 15 (truncated)");
        assertRejected(() -> NpzReader.parseNpy(npy("|u1", new byte[5], 4), "'t.npy'"), Kind.MALFORMED,
                "needs 4 data bytes but has 5");
        byte[] full = npy("|u1", new byte[10], 10);
        assertRejected(() -> NpzReader.parseNpy(Arrays.copyOf(full, 30), "'t.npy'"), Kind.MALFORMED, "truncated");
        assertRejected(() -> NpzReader.parseNpy(Arrays.copyOf(full, 9), "'t.npy'"), Kind.MALFORMED, "truncated");
    }

    @Test
    void overflowingShapeIsMalformed() {
        assertRejected(() -> NpzReader.parseNpy(npy("<i8", new byte[8], 2_000_000_000L, 2_000_000_000L, 8),
                "'o.npy'"), Kind.MALFORMED, "overflows");
        assertRejected(() -> NpzReader.parseNpy(npy("|u1", new byte[8], 1L << 40), "'o.npy'"), Kind.MALFORMED,
                "overflows");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{'descr': '|u1', 'fortran_order': False}",
        "{'descr': '|u1', 'fortran_order': False, 'shape': (1,), 'extra': 1}",
        "{'descr': '|u1', 'descr': '|u1', 'fortran_order': False, 'shape': (1,)}",
        "{'descr': __import__('os').system('true'), 'fortran_order': False, 'shape': (1,)}",
        "{'descr': '|u1', 'fortran_order': False, 'shape': (1)}",
        "{'descr': '|u1', 'fortran_order': False, 'shape': (-1,)}",
        "{'descr': '|u1', 'fortran_order': 0, 'shape': (1,)}",
        "{'descr': [('a', '|u1')], 'fortran_order': False, 'shape': (1,)}",
        "{'descr': '|u1', 'fortran_order': False, 'shape': (1,)} + 1",
        "{'descr': '|u1', 'fortran_order': False, 'shape': (1,)",
        "{'descr': '<U5', 'fortran_order': False, 'shape': (1,)}",
        "{'descr': 'u1', 'fortran_order': False, 'shape': (1,)}",
        "{'descr': '|u1', 'fortran_order': False, 'shape': '(1,)'}",
    })
    void malformedHeadersAreRejectedNotEvaluated(String header) {
        assertRejected(() -> NpzReader.parseNpy(npyWithHeader(header, new byte[1], 1), "'h.npy'"), Kind.MALFORMED, "'h.npy'");
    }

    @Test
    void oversizedHeaderIsMalformed() {
        String dict = dict("|u1", false, 1) + " ".repeat(20_000);
        assertRejected(() -> NpzReader.parseNpy(npyWithHeader(dict, new byte[1], 2), "'h.npy'"), Kind.MALFORMED,
                "header");
    }

    @Test
    void badMagicAndVersionAreMalformed() {
        assertRejected(() -> NpzReader.parseNpy("hello".getBytes(), "'m.npy'"), Kind.MALFORMED, "magic");
        byte[] v4 = npyWithHeader(dict("|u1", false, 1), new byte[1], 2);
        v4[6] = 4;
        assertRejected(() -> NpzReader.parseNpy(v4, "'m.npy'"), Kind.MALFORMED, "version 4.0");
    }

    @Test
    void nonNpyEntryIsMalformed() {
        Path file = npz(ZipEntry.DEFLATED, "a.npy", npy("|u1", u1(1), 1), "readme.txt", "hi".getBytes());
        assertRejected(() -> NpzReader.read(file, LIMITS), Kind.MALFORMED, "'readme.txt'");
    }

    @Test
    void zipSafetyChecksApplyToNpz() {
        Path traversal = npz(ZipEntry.DEFLATED, "../a.npy", npy("|u1", u1(1), 1));
        assertRejected(() -> NpzReader.read(traversal, "r.npz", LIMITS), Kind.UNSAFE, "traversal");
        Path bomb = write(dir, "bomb.tmp", TestZips.zerosBomb("train_images.npy", 50));
        assertRejected(() -> NpzReader.read(bomb, "r.npz", LIMITS), Kind.TOO_LARGE, "zip bomb");
        Path notZip = write(dir, "raw.tmp", npy("|u1", u1(1), 1));
        assertRejected(() -> NpzReader.read(notZip, "r.npz", LIMITS), Kind.MALFORMED, "not a valid ZIP");
    }
}
