package org.retinasynth.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Fuzzes every parser that reads user bytes: valid seeds (ZIP, NPZ, PNG, JPEG, TIFF, CSV) are
 * mutated by byte flips, overwrites, truncation and splicing. Whatever comes in, a parser either
 * returns or refuses with {@link InputRejectedException}: no other exception, no hang, no crash.
 */
class ParserFuzzTest {

    private static final UploadLimits LIMITS = new UploadLimits(4_000_000, 16L << 20, 1_000, 64L << 20, 100);
    private static final byte[] PNG = encode("png");
    private static final byte[] JPEG = encode("jpeg");
    private static final byte[] TIFF = encode("tiff");
    private static final byte[] CSV = "filename,grade,split\na.png,0,train\nb.png,4,test\n"
            .getBytes(StandardCharsets.UTF_8);
    private static final byte[] ZIP = TestZips.zip(TestZips.entries("0/a.png", PNG, "4/b.jpg", JPEG,
            "labels.csv", CSV), java.util.zip.ZipEntry.DEFLATED);
    private static final byte[] NPZ = TestZips.zip(TestZips.entries(
            "train_images.npy", NpzReaderTest.npy("|u1", new byte[2 * 4 * 4 * 3], 2, 4, 4, 3),
            "train_labels.npy", NpzReaderTest.npy("|u1", NpzReaderTest.u1(1, 3), 2, 1)),
            java.util.zip.ZipEntry.STORED);

    private static byte[] encode(String format) {
        try {
            return ImageDecoderTest.encode(ImageDecoderTest.fundus(24, 16), format);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A seed with a few mutations applied. */
    private static Arbitrary<byte[]> mutated(byte[] seed) {
        Arbitrary<int[]> edit = Combinators.combine(Arbitraries.integers().between(0, 3),
                        Arbitraries.integers().between(0, seed.length - 1), Arbitraries.integers().between(0, 255))
                .as((kind, at, value) -> new int[] {kind, at, value});
        return edit.list().ofMinSize(1).ofMaxSize(8).map(edits -> {
            byte[] b = seed.clone();
            for (int[] e : edits) {
                int at = Math.min(e[1], b.length - 1);
                switch (e[0]) {
                    case 0 -> b[at] ^= (byte) (1 << (e[2] & 7));           // bit flip
                    case 1 -> b[at] = (byte) e[2];                         // overwrite
                    case 2 -> b = Arrays.copyOf(b, Math.max(1, at));       // truncate
                    default -> {                                           // duplicate a slice
                        int len = Math.min(e[2] + 1, b.length - at);
                        byte[] longer = Arrays.copyOf(b, b.length + len);
                        System.arraycopy(b, at, longer, at + len, b.length - at);
                        b = longer;
                    }
                }
                if (b.length == 0) {
                    b = new byte[] {0};
                }
            }
            return b;
        });
    }

    @Provide
    Arbitrary<Tuple.Tuple2<String, byte[]>> images() {
        return Arbitraries.oneOf(mutated(PNG).map(b -> Tuple.of("png", b)),
                mutated(JPEG).map(b -> Tuple.of("jpeg", b)), mutated(TIFF).map(b -> Tuple.of("tiff", b)));
    }

    @Provide
    Arbitrary<byte[]> zips() {
        return mutated(ZIP);
    }

    @Provide
    Arbitrary<byte[]> npzs() {
        return mutated(NPZ);
    }

    @Provide
    Arbitrary<byte[]> csvs() {
        return Arbitraries.oneOf(mutated(CSV), Arbitraries.bytes().array(byte[].class).ofMaxSize(200));
    }

    @Property(tries = 400)
    void imageDecoderOnlyDecodesOrRefuses(@ForAll("images") Tuple.Tuple2<String, byte[]> input) {
        refusesOrReturns(() -> {
            ImageDecoder.DecodedImage img = ImageDecoder.decode(input.get2(), "x." + input.get1(), LIMITS);
            assertThat((long) img.image().getWidth() * img.image().getHeight()).isLessThanOrEqualTo(4_000_000);
        });
    }

    @Property(tries = 300)
    void zipReaderOnlyReadsOrRefuses(@ForAll("zips") byte[] zip) throws IOException {
        Path file = Files.createTempFile("fuzz", ".zip");
        try {
            Files.write(file, zip);
            refusesOrReturns(() -> {
                List<ZipArchiveReader.ArchiveEntry> entries = ZipArchiveReader.read(file, "fuzz.zip", LIMITS);
                long total = entries.stream().mapToLong(e -> e.bytes().length).sum();
                assertThat(total).isLessThanOrEqualTo(LIMITS.maxArchiveBytes());
                entries.forEach(e -> assertThat(e.name()).doesNotContain("..").doesNotStartWith("/"));
            });
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Property(tries = 300)
    void npzReaderOnlyReadsOrRefuses(@ForAll("npzs") byte[] npz) throws IOException {
        Path file = Files.createTempFile("fuzz", ".npz");
        try {
            Files.write(file, npz);
            refusesOrReturns(() -> {
                Map<String, NpzReader.NpyArray> arrays = NpzReader.read(file, "fuzz.npz", LIMITS);
                assertThat(arrays).isNotNull();
            });
            refusesOrReturns(() -> NpzReader.readMedMnist(file, "fuzz.npz", LIMITS));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Property(tries = 300)
    void labelsCsvOnlyParsesOrRefuses(@ForAll("csvs") byte[] csv) {
        refusesOrReturns(() -> LabelsCsv.parse(csv, "labels.csv"));
    }

    private static void refusesOrReturns(Runnable parse) {
        try {
            parse.run();
        } catch (InputRejectedException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }
}
