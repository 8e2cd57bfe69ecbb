package org.retinasynth.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes every parser that reads user bytes: valid seeds (ZIP, NPZ, PNG, JPEG, TIFF, CSV) are
 * mutated by bit flips, overwrites, truncation and duplicated slices, plus pure random bytes.
 * Whatever comes in, a parser either returns or refuses with {@link InputRejectedException}: no
 * other exception, no hang. Seeded, so a failure names the case that reproduces it; set
 * {@code -Dfuzz.cases=100000} for a longer run than CI's.
 */
class ParserFuzzTest {

    private static final int CASES = Integer.getInteger("fuzz.cases", 400);
    private static final UploadLimits LIMITS = new UploadLimits(4_000_000, 16L << 20, 1_000, 64L << 20, 100);
    private static final byte[] PNG = encode("png");
    private static final byte[] JPEG = encode("jpeg");
    private static final byte[] TIFF = encode("tiff");
    private static final byte[] CSV = "filename,grade,split\na.png,0,train\nb.png,4,test\n"
            .getBytes(StandardCharsets.UTF_8);
    private static final byte[] ZIP = TestZips.zip(TestZips.entries("0/a.png", PNG, "4/b.jpg", JPEG,
            "labels.csv", CSV), ZipEntry.DEFLATED);
    private static final byte[] NPZ = TestZips.zip(TestZips.entries(
            "train_images.npy", NpzReaderTest.npy("|u1", new byte[2 * 4 * 4 * 3], 2, 4, 4, 3),
            "train_labels.npy", NpzReaderTest.npy("|u1", NpzReaderTest.u1(1, 3), 2, 1)), ZipEntry.STORED);

    @TempDir
    Path dir;

    private static byte[] encode(String format) {
        try {
            return ImageDecoderTest.encode(ImageDecoderTest.fundus(24, 16), format);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The seed with one to eight random edits, or (one case in ten) random bytes. */
    static byte[] mutate(byte[] seed, SplittableRandom r) {
        if (r.nextInt(10) == 0) {
            byte[] noise = new byte[1 + r.nextInt(300)];
            r.nextBytes(noise);
            return noise;
        }
        byte[] b = seed.clone();
        for (int edits = 1 + r.nextInt(8); edits > 0; edits--) {
            int at = r.nextInt(b.length);
            switch (r.nextInt(4)) {
                case 0 -> b[at] ^= (byte) (1 << r.nextInt(8));
                case 1 -> b[at] = (byte) r.nextInt(256);
                case 2 -> b = Arrays.copyOf(b, Math.max(1, at));
                default -> {
                    int len = 1 + r.nextInt(Math.min(256, b.length - at));
                    byte[] longer = Arrays.copyOf(b, b.length + len);
                    System.arraycopy(b, at, longer, at + len, b.length - at);
                    b = longer;
                }
            }
        }
        return b;
    }

    private interface Parse {
        void run(byte[] input) throws Exception;
    }

    private static void fuzz(String what, byte[] seed, long salt, Parse parse) throws Exception {
        SplittableRandom root = new SplittableRandom(salt);
        int refused = 0;
        for (int i = 0; i < CASES; i++) {
            byte[] input = mutate(seed, root.split());
            try {
                parse.run(input);
            } catch (InputRejectedException expected) {
                assertThat(expected.getMessage()).isNotBlank();
                refused++;
            } catch (Exception | Error e) {
                throw new AssertionError(what + " case " + i + " (salt " + salt + ") threw " + e, e);
            }
        }
        // the mutations must actually reach the refusal paths, or the fuzzer tests nothing
        assertThat(refused).as(what + " refusals").isGreaterThan(CASES / 10);
    }

    @Test
    void imageDecoderOnlyDecodesOrRefuses() throws Exception {
        String[] names = {"x.png", "x.jpg", "x.tif"};
        byte[][] seeds = {PNG, JPEG, TIFF};
        for (int f = 0; f < seeds.length; f++) {
            String name = names[f];
            fuzz(name, seeds[f], 11 + f, b -> {
                var img = ImageDecoder.decode(b, name, LIMITS).image();
                assertThat((long) img.getWidth() * img.getHeight()).isLessThanOrEqualTo(LIMITS.maxImagePixels());
            });
        }
    }

    @Test
    void zipReaderOnlyReadsOrRefuses() throws Exception {
        Path file = dir.resolve("fuzz.zip");
        fuzz("zip", ZIP, 21, b -> {
            Files.write(file, b);
            List<ZipArchiveReader.ArchiveEntry> entries = ZipArchiveReader.read(file, "fuzz.zip", LIMITS);
            assertThat(entries.stream().mapToLong(e -> e.bytes().length).sum())
                    .isLessThanOrEqualTo(LIMITS.maxArchiveBytes());
            entries.forEach(e -> assertThat(e.name()).doesNotContain("..").doesNotStartWith("/"));
        });
    }

    @Test
    void npzReaderOnlyReadsOrRefuses() throws Exception {
        Path file = dir.resolve("fuzz.npz");
        fuzz("npz", NPZ, 31, b -> {
            Files.write(file, b);
            NpzReader.read(file, "fuzz.npz", LIMITS);
        });
        fuzz("medmnist npz", NPZ, 32, b -> {
            Files.write(file, b);
            NpzReader.readMedMnist(file, "fuzz.npz", LIMITS);
        });
    }

    @Test
    void labelsCsvOnlyParsesOrRefuses() throws Exception {
        fuzz("csv", CSV, 41, b -> LabelsCsv.parse(b, "labels.csv"));
    }
}
