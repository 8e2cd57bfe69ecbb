package org.retinasynth.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.retinasynth.dataset.ImageDecoderTest.assertRejected;
import static org.retinasynth.dataset.TestZips.entries;
import static org.retinasynth.dataset.TestZips.write;
import static org.retinasynth.dataset.TestZips.zip;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.ZipEntry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.retinasynth.dataset.InputRejectedException.Kind;
import org.retinasynth.dataset.ZipArchiveReader.ArchiveEntry;

class ZipArchiveReaderTest {

    private static final UploadLimits LIMITS = UploadLimits.defaults();

    @TempDir
    Path dir;

    private static byte[] png() {
        try {
            return ImageDecoderTest.encode(ImageDecoderTest.fundus(8, 8), "png");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private List<ArchiveEntry> read(byte[] zip, UploadLimits limits) {
        return ZipArchiveReader.read(write(dir, "upload.tmp", zip), "photos.zip", limits);
    }

    private void assertZipRejected(byte[] zip, UploadLimits limits, Kind kind, String messagePart) {
        assertRejected(() -> read(zip, limits), kind, messagePart);
    }

    @Test
    void readsImageFolderZipAndSkipsJunk() {
        byte[] a = png();
        byte[] b = "not really a png".getBytes(StandardCharsets.US_ASCII);
        byte[] zip = zip(entries(
                "0/", null,
                "0/a.png", a,
                "4/", null,
                "4/b.png", b,
                "__MACOSX/0/._a.png", new byte[] {1, 2, 3},
                ".DS_Store", new byte[] {4, 5},
                "4/.DS_Store", new byte[] {4, 5},
                "4/Thumbs.db", new byte[] {6}), ZipEntry.DEFLATED);
        List<ArchiveEntry> read = read(zip, LIMITS);
        assertThat(read).extracting(ArchiveEntry::name).containsExactly("0/a.png", "4/b.png");
        assertThat(read.get(0).bytes()).isEqualTo(a);
        assertThat(read.get(1).bytes()).isEqualTo(b);
    }

    @Test
    void readsStoredEntries() {
        byte[] a = png();
        List<ArchiveEntry> read = read(zip(entries("0/a.png", a), ZipEntry.STORED), LIMITS);
        assertThat(read).singleElement().satisfies(e -> assertThat(e.bytes()).isEqualTo(a));
    }

    @Test
    void emptyZipGivesNoEntries() {
        assertThat(read(zip(entries(), ZipEntry.DEFLATED), LIMITS)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"../evil.png", "0/../../evil.png", "0/..", "a/./b.png", "a//b.png"})
    void traversalIsUnsafe(String name) {
        assertZipRejected(zip(name, png()), LIMITS, Kind.UNSAFE, "unsafe entry name");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/etc/x.png", "C:/x.png", "c:x.png"})
    void absolutePathsAreUnsafe(String name) {
        assertZipRejected(zip(name, png()), LIMITS, Kind.UNSAFE, "absolute");
    }

    @ParameterizedTest
    @ValueSource(strings = {"..\\x.png", "C:\\x.png", "\\\\server\\share\\x.png", "0\\a.png"})
    void backslashesAreUnsafe(String name) {
        assertZipRejected(zip(name, png()), LIMITS, Kind.UNSAFE, "backslash");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\u0000.png", "a\n.png", "a\u001b[31m.png", "evil\u202Egnp.exe"})
    void controlCharactersAreUnsafe(String name) {
        assertZipRejected(zip(name, png()), LIMITS, Kind.UNSAFE, "character");
    }

    @Test
    void traversalIsCheckedEvenForEntriesThatWouldBeSkipped() {
        assertZipRejected(zip("__MACOSX/../../evil", new byte[1]), LIMITS, Kind.UNSAFE, "traversal");
    }

    @Test
    void oneBadEntryRejectsTheWholeArchive() {
        byte[] zip = zip(entries("0/a.png", png(), "../evil.png", png()), ZipEntry.DEFLATED);
        assertZipRejected(zip, LIMITS, Kind.UNSAFE, "'../evil.png'");
    }

    @Test
    void duplicateNamesAreUnsafe() {
        byte[] honest = zip(entries("0/a.png", png(), "0/b.png", png()), ZipEntry.STORED);
        byte[] forged = TestZips.replaceAll(honest, "0/b.png".getBytes(), "0/a.png".getBytes());
        assertZipRejected(forged, LIMITS, Kind.UNSAFE, "more than once");
    }

    @ParameterizedTest
    @ValueSource(strings = {"inner.zip", "data.NPZ", "x.tar.gz", "x.tar", "x.7z", "x.rar", "0/deep/inner.zip"})
    void nestedArchivesByNameAreUnsafe(String name) {
        assertZipRejected(zip(name, new byte[] {1, 2, 3}), LIMITS, Kind.UNSAFE, "nested archives");
    }

    @Test
    void nestedZipDisguisedAsImageIsUnsafe() {
        byte[] inner = zip("a.png", png());
        assertZipRejected(zip("0/a.png", inner), LIMITS, Kind.UNSAFE, "another archive '0/a.png'");
    }

    @Test
    void gzipDisguisedAsImageIsUnsafe() {
        byte[] gz = {0x1F, (byte) 0x8B, 8, 0, 0, 0, 0, 0, 0, 3};
        assertZipRejected(zip("0/a.png", gz), LIMITS, Kind.UNSAFE, "another archive");
    }

    @Test
    void ratioBombIsStoppedByTheRatioLimit() {
        byte[] bomb = TestZips.zerosBomb("0/a.png", 50);
        assertThat(bomb.length).isLessThan(200_000);
        UploadLimits ratio10 = new UploadLimits(LIMITS.maxImagePixels(), LIMITS.maxImageBytes(), 100, 1L << 40, 10);
        assertZipRejected(bomb, ratio10, Kind.TOO_LARGE, "expands more than 10 times");
        // The default ratio limit (100) catches it too.
        assertZipRejected(bomb, LIMITS, Kind.TOO_LARGE, "zip bomb");
    }

    @Test
    void totalInflatedBytesAreLimited() {
        Random rnd = new Random(7);
        byte[][] noise = new byte[3][2 << 20];
        for (byte[] n : noise) {
            rnd.nextBytes(n);
        }
        byte[] zip = zip(entries("0/a.png", noise[0], "0/b.png", noise[1], "0/c.png", noise[2]), ZipEntry.DEFLATED);
        UploadLimits fiveMib = new UploadLimits(LIMITS.maxImagePixels(), LIMITS.maxImageBytes(), 100, 5 << 20, 100);
        assertZipRejected(zip, fiveMib, Kind.TOO_LARGE, "inflates to more than 5242880 bytes");
        assertThat(read(zip, LIMITS)).hasSize(3);
    }

    @Test
    void centralDirectoryThatUnderstatesTheSizeDoesNotFoolTheLimits() {
        byte[] bomb = TestZips.zerosBomb("0/a.png", 50);
        TestZips.patchCen(bomb, 0, 24, 1000); // uncompressed size: "1000 bytes"
        // The ratio limit is out of the way, so only counting real bytes can stop this.
        UploadLimits tenMib = new UploadLimits(LIMITS.maxImagePixels(), LIMITS.maxImageBytes(), 100, 10 << 20, 1e9);
        assertZipRejected(bomb, tenMib, Kind.TOO_LARGE, "inflates to more than 10485760 bytes");
    }

    @Test
    void sizeOrCrcThatDisagreesWithTheDataIsMalformed() {
        byte[] zip = zip(entries("0/a.png", png()), ZipEntry.DEFLATED);
        byte[] wrongSize = zip.clone();
        TestZips.patchCen(wrongSize, 0, 24, 10);
        assertZipRejected(wrongSize, LIMITS, Kind.MALFORMED, "does not match the size/CRC");
        byte[] wrongCrc = zip.clone();
        TestZips.patchCen(wrongCrc, 0, 16, 0x12345678);
        assertZipRejected(wrongCrc, LIMITS, Kind.MALFORMED, "does not match the size/CRC");
    }

    @Test
    void corruptedStoredDataIsMalformed() {
        byte[] data = new byte[1000];
        Arrays.fill(data, (byte) 'x');
        byte[] zip = zip(entries("0/a.png", data), ZipEntry.STORED);
        zip[500] = 'y'; // inside the stored data
        assertZipRejected(zip, LIMITS, Kind.MALFORMED, "'0/a.png'");
    }

    @Test
    void overlappingEntriesAreStoppedByTheOverallRatio() {
        // Moderately compressible data (~3x): each entry alone is under the ratio limit of 10.
        Random rnd = new Random(3);
        byte[] data = new byte[2 << 20];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) ('a' + rnd.nextInt(4));
        }
        byte[] single = zip("x0.bin", data);
        UploadLimits ratio10 = new UploadLimits(LIMITS.maxImagePixels(), LIMITS.maxImageBytes(), 100, 1L << 40, 10);
        assertThat(read(single, ratio10)).hasSize(1);
        byte[] overlapping = TestZips.overlapping(single, 10);
        assertZipRejected(overlapping, ratio10, Kind.TOO_LARGE, "times its size");
    }

    @Test
    void truncatedZipIsMalformed() {
        byte[] zip = zip(entries("0/a.png", png(), "4/b.png", png()), ZipEntry.DEFLATED);
        assertZipRejected(Arrays.copyOf(zip, zip.length / 2), LIMITS, Kind.MALFORMED, "'photos.zip'");
    }

    @Test
    void nonZipIsMalformed() {
        assertZipRejected("just,a,csv\n1,2,3\n".getBytes(StandardCharsets.US_ASCII), LIMITS, Kind.MALFORMED,
                "not a valid ZIP");
        assertZipRejected(new byte[0], LIMITS, Kind.MALFORMED, "photos.zip");
    }

    @Test
    void corruptCentralDirectoryIsMalformed() {
        byte[] zip = zip(entries("0/a.png", png()), ZipEntry.DEFLATED);
        TestZips.patchCen(zip, 0, 28, 0x7FFF); // name length running past the directory
        assertZipRejected(zip, LIMITS, Kind.MALFORMED, "photos.zip");
    }

    @Test
    void tooManyEntriesIsRejectedBeforeReading() {
        byte[] zip = zip(entries("a.png", png(), "b.png", png(), "c.png", png(), "d.png", png()), ZipEntry.DEFLATED);
        UploadLimits three = new UploadLimits(LIMITS.maxImagePixels(), LIMITS.maxImageBytes(), 3, 1L << 30, 100);
        assertZipRejected(zip, three, Kind.TOO_LARGE, "the limit is 3");
        UploadLimits four = new UploadLimits(LIMITS.maxImagePixels(), LIMITS.maxImageBytes(), 4, 1L << 30, 100);
        assertThat(read(zip, four)).hasSize(4);
    }

    @Test
    void unsafeNameReasons() {
        assertThat(ZipArchiveReader.unsafeReason("0/a.png")).isNull();
        assertThat(ZipArchiveReader.unsafeReason("0/")).isNull();
        assertThat(ZipArchiveReader.unsafeReason("grade 0/ümlaut ü.png")).isNull();
        assertThat(ZipArchiveReader.unsafeReason("a..b.png")).isNull();
        assertThat(ZipArchiveReader.unsafeReason("..")).contains("traversal");
    }
}
