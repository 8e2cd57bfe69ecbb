package org.retinasynth.bench;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;
import org.retinasynth.RetinaSynthApplication;
import org.retinasynth.dataset.DatasetService;
import org.retinasynth.dataset.PhantomGenerator;
import org.retinasynth.dataset.UploadReport;
import org.retinasynth.security.ApiKeyService;
import org.retinasynth.security.Owner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Ingestion throughput of the real service path (ZIP safety checks, decode with limits,
 * field-of-view crop, resize, quality measures, PNG encode, blob writes, one DB transaction) against
 * a plain ImageIO decode-and-resize loop over the same bytes, measured in the same run.
 * The reference runs single-threaded (the plain loop) and on as many threads as the service uses,
 * so the ratio is not flattered by parallelism; both sides are warmed up untimed and then
 * alternate over several rounds, and the medians are compared, in wall time and in process CPU.
 *
 * <p>Run with {@code bench/ingest.sh}; real photos are read from {@code ../shared/data}.
 */
public final class IngestBench {

    private static final int SIZE = 64;

    public static void main(String[] args) throws Exception {
        Path shared = Path.of(args.length > 0 ? args[0] : "../shared/data");
        Path out = Files.createDirectories(Path.of("bench/out"));
        Path work = Files.createTempDirectory("retinasynth-bench-");
        System.out.printf(Locale.ROOT, "cores=%d maxHeap=%d MiB java=%s%n", Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20, System.getProperty("java.version"));

        try (ConfigurableApplicationContext app = new SpringApplicationBuilder(RetinaSynthApplication.class)
                .web(WebApplicationType.NONE)
                .run("--retinasynth.data-dir=" + work, "--retinasynth.security.print-first-key=false",
                        "--logging.level.root=WARN", "--retinasynth.role=api")) {
            DatasetService datasets = app.getBean(DatasetService.class);
            Owner owner = app.getBean(ApiKeyService.class).issue("bench", false, "bench").owner();

            List<Entry> phantoms = phantoms(2000, 512);
            Path phantomZip = zip(work.resolve("phantoms.zip"), phantoms, null);
            Path phantomWarm = zip(work.resolve("phantoms-warm.zip"), phantoms.subList(0, 200), null);
            run("phantoms 2000 x 512px JPEG", datasets, owner, phantomZip, phantoms, phantomWarm);

            Path photosDir = shared.resolve("srahim-dr-fundus-subset");
            if (Files.isDirectory(photosDir)) {
                List<Entry> photos = srahim(photosDir);
                Path photoZip = zip(work.resolve("photos.zip"), photos, labels(photos));
                List<Entry> few = photos.subList(0, 20);
                Path photoWarm = zip(work.resolve("photos-warm.zip"), few, labels(few));
                run("srahim 154 x 3872x2592 JPEG", datasets, owner, photoZip, photos, photoWarm);
            } else {
                System.out.println("skipped real photos: " + photosDir + " not found");
            }
        }
        System.out.println("bench output folder: " + out.toAbsolutePath());
    }

    private record Entry(String name, byte[] bytes, int grade) {
    }

    private static final int ROUNDS = 5;

    private static void run(String label, DatasetService datasets, Owner owner, Path zip, List<Entry> entries,
                            Path warmZip) throws Exception {
        long bytes = Files.size(zip);
        double mib = bytes / 1048576.0;
        int threads = Runtime.getRuntime().availableProcessors();

        // Untimed warm-up of both sides (JIT, decoders, class loading), so neither pays for it
        // inside a timed round.
        reference(entries, threads);
        ingest(datasets, owner, label + " warm-up", warmZip);

        double[] svc = new double[ROUNDS];
        double[] ref1 = new double[ROUNDS];
        double[] refN = new double[ROUNDS];
        double[] svcCpu = new double[ROUNDS];
        double[] refNCpu = new double[ROUNDS];
        long svcHeap = 0;
        long refHeap = 0;
        UploadReport report = null;
        for (int r = 0; r < ROUNDS; r++) {
            // interleaved, so a slow patch of the machine hits both sides
            resetPeaks();
            long t0 = System.nanoTime();
            reference(entries, 1);
            ref1[r] = (System.nanoTime() - t0) / 1e9;
            refHeap = Math.max(refHeap, peakHeap());
            t0 = System.nanoTime();
            long c0 = cpuNanos();
            reference(entries, threads);
            refN[r] = (System.nanoTime() - t0) / 1e9;
            refNCpu[r] = (cpuNanos() - c0) / 1e9;
            resetPeaks();
            t0 = System.nanoTime();
            c0 = cpuNanos();
            report = ingest(datasets, owner, label, zip);
            svc[r] = (System.nanoTime() - t0) / 1e9;
            svcCpu[r] = (cpuNanos() - c0) / 1e9;
            svcHeap = Math.max(svcHeap, peakHeap());
        }

        int n = entries.size();
        System.out.printf(Locale.ROOT, "%n== %s (%.1f MiB zip, %d images, accepted %d, rejected %d; median of %d rounds)%n",
                label, mib, n, report.accepted(), report.rejected(), ROUNDS);
        line("service ingest", median(svc), n, mib, svcHeap);
        line("ImageIO loop, 1 thread", median(ref1), n, mib, refHeap);
        line("ImageIO loop, " + threads + " threads", median(refN), n, mib, -1);
        StringBuilder rounds = new StringBuilder();
        for (int r = 0; r < ROUNDS; r++) {
            rounds.append(String.format(Locale.ROOT, " %.2f", refN[r] / svc[r]));
        }
        System.out.printf(Locale.ROOT, "ratio service / reference: %.2f (vs 1 thread), %.2f (vs %d threads; rounds:%s);"
                + " target >= 0.9 vs %d threads%n", median(ref1) / median(svc), median(refN) / median(svc), threads,
                rounds, threads);
        // CPU seconds of the whole process (all threads, GC and kernel time included) say how much
        // work each side did, whatever else the machine did meanwhile; wall time says what a user waits
        System.out.printf(Locale.ROOT, "process CPU: service %.2f s, %d-thread loop %.2f s; ratio %.2f%n",
                median(svcCpu), threads, median(refNCpu), median(refNCpu) / median(svcCpu));
    }

    private static UploadReport ingest(DatasetService datasets, Owner owner, String label, Path zip) {
        String id = datasets.create(owner, new DatasetService.NewDataset(label + " " + System.nanoTime(), null, SIZE,
                null, 1L, null, null)).id();
        try {
            return datasets.uploadZip(owner, id, zip, zip.getFileName().toString(), Files.size(zip), false);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void line(String what, double seconds, int n, double mib, long heap) {
        System.out.printf(Locale.ROOT, "%-24s: %7.2f s  %7.1f img/s  %6.1f MiB/s%s%n", what, seconds, n / seconds,
                mib / seconds, heap < 0 ? "" : "  peak heap " + (heap >> 20) + " MiB");
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        return s[s.length / 2];
    }

    /** The plain loop: decode with ImageIO, resize to the working size, nothing else. */
    private static void reference(List<Entry> entries, int threads) throws Exception {
        var stream = threads > 1 ? entries.parallelStream() : entries.stream();
        long checksum = stream.mapToLong(e -> {
            try {
                BufferedImage img = ImageIO.read(new ByteArrayInputStream(e.bytes()));
                BufferedImage small = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_INT_RGB);
                Graphics2D g = small.createGraphics();
                g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
                g.drawImage(img, 0, 0, SIZE, SIZE, null);
                g.dispose();
                return small.getRGB(SIZE / 2, SIZE / 2);
            } catch (IOException ex) {
                throw new IllegalStateException(ex);
            }
        }).sum();
        if (checksum == 42) {
            System.out.println("(checksum guard)");
        }
    }

    private static List<Entry> phantoms(int count, int size) throws IOException {
        PhantomGenerator gen = new PhantomGenerator(2026);
        List<Entry> list = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int grade = i % PhantomGenerator.GRADES;
            BufferedImage framed = PhantomGenerator.withBlackBorder(gen.render(grade, size), size * 3 / 2, size);
            var buf = new java.io.ByteArrayOutputStream();
            ImageIO.write(framed, "jpg", buf);
            list.add(new Entry(grade + "/phantom_" + i + ".jpg", buf.toByteArray(), grade));
        }
        return list;
    }

    /** ICDR grade of the repository's ten classes (maculopathy is not a DR grade; ADED counts as 4). */
    private static int gradeOfClass(int classId) {
        return switch (classId) {
            case 1 -> 0;
            case 2, 3 -> 1;
            case 4, 5 -> 2;
            case 6, 7 -> 3;
            default -> 4;
        };
    }

    private static List<Entry> srahim(Path dir) throws IOException {
        List<Entry> list = new ArrayList<>();
        List<String> lines = Files.readAllLines(dir.resolve("labels.csv"));
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            Path file = dir.resolve(f[0]);
            list.add(new Entry(file.getFileName().toString().replace(".jpg", "") + "_" + f[1] + ".jpg",
                    Files.readAllBytes(file), gradeOfClass(Integer.parseInt(f[1]))));
        }
        return list;
    }

    private static byte[] labels(List<Entry> entries) {
        StringBuilder csv = new StringBuilder("filename,grade\n");
        entries.forEach(e -> csv.append(e.name()).append(',').append(e.grade()).append('\n'));
        return csv.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** JPEGs do not deflate: stored entries, as a camera export would be. */
    private static Path zip(Path target, List<Entry> entries, byte[] labelsCsv) throws IOException {
        try (OutputStream os = Files.newOutputStream(target); ZipOutputStream z = new ZipOutputStream(os)) {
            for (Entry e : entries) {
                put(z, e.name(), e.bytes());
            }
            if (labelsCsv != null) {
                put(z, "labels.csv", labelsCsv);
            }
        }
        return target;
    }

    private static void put(ZipOutputStream z, String name, byte[] bytes) throws IOException {
        ZipEntry ze = new ZipEntry(name);
        ze.setMethod(ZipEntry.STORED);
        ze.setSize(bytes.length);
        CRC32 crc = new CRC32();
        crc.update(bytes);
        ze.setCrc(crc.getValue());
        z.putNextEntry(ze);
        z.write(bytes);
        z.closeEntry();
    }

    private static void resetPeaks() {
        System.gc();
        ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
    }

    private static long peakHeap() {
        return ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP)
                .mapToLong(p -> p.getPeakUsage().getUsed()).sum();
    }
}
