package org.retinasynth.dataset;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import javax.imageio.ImageIO;
import org.retinasynth.common.ConflictException;
import org.retinasynth.common.NotFoundException;
import org.retinasynth.jobs.JobService;
import org.retinasynth.security.Owner;
import org.retinasynth.storage.BlobStore;
import org.springframework.stereotype.Service;
import tools.jackson.databind.ObjectMapper;

/**
 * Datasets of one owner: creation, the three upload routes (files + CSV, ZIP, MedMNIST NPZ),
 * demo phantoms, statistics and sample grids. Every method takes the calling {@link Owner}; a
 * dataset of another owner is simply not found.
 */
@Service
public class DatasetService {

    /** What a caller may choose when creating a dataset; nulls take the configured defaults. */
    public record NewDataset(String name, String description, Integer workingSize, List<String> classNames,
                             Long splitSeed, Double valFraction, Double testFraction) {
    }

    /** An uploaded file as the API received it. */
    public record UploadedFile(String name, byte[] bytes) {
    }

    public record Page<T>(List<T> items, int page, int size, long total) {
    }

    /** Stored bytes with what a download needs to label them. */
    public record Blob(byte[] bytes, String filename, String mediaType) {
    }

    private final DatasetRepository repository;
    private final ImageIngestion ingestion;
    private final BlobStore blobs;
    private final DatasetProperties defaults;
    private final UploadLimits limits;
    private final ObjectMapper json;
    private final JobService jobs;
    private final GridCache grids;
    /** Perceptual prints by processed blob: a blob's pixels never change, so neither does its print. */
    private final Cache<String, Duplicates.Print> prints = Caffeine.newBuilder()
            .maximumWeight(64L << 20)
            .<String, Duplicates.Print>weigher((sha, p) -> p.thumbnail().length + 64)
            .build();

    DatasetService(DatasetRepository repository, ImageIngestion ingestion, BlobStore blobs,
                   DatasetProperties defaults, UploadLimits limits, ObjectMapper json, JobService jobs,
                   GridCache grids) {
        this.jobs = jobs;
        this.grids = grids;
        this.repository = repository;
        this.ingestion = ingestion;
        this.blobs = blobs;
        this.defaults = defaults;
        this.limits = limits;
        this.json = json;
    }

    public Dataset create(Owner owner, NewDataset spec) {
        int size = spec.workingSize() != null ? spec.workingSize() : defaults.workingSize();
        if (size < FundusPreprocessor.MIN_SIZE || size > FundusPreprocessor.MAX_SIZE) {
            throw new IllegalArgumentException("workingSize must be between " + FundusPreprocessor.MIN_SIZE + " and "
                    + FundusPreprocessor.MAX_SIZE + ", was " + size);
        }
        List<String> classes = spec.classNames() == null || spec.classNames().isEmpty()
                ? GradeScale.ICDR : spec.classNames().stream().map(String::trim).toList();
        if (classes.size() < 2 || classes.size() > 100 || Set.copyOf(classes).size() != classes.size()
                || classes.stream().anyMatch(c -> c.isEmpty() || c.length() > 100 || c.contains("\n"))) {
            throw new IllegalArgumentException(
                    "classNames must be 2-100 distinct, non-empty single-line names of at most 100 characters");
        }
        double val = spec.valFraction() != null ? spec.valFraction() : defaults.valFraction();
        double test = spec.testFraction() != null ? spec.testFraction() : defaults.testFraction();
        if (val < 0 || test < 0 || val + test >= 1) {
            throw new IllegalArgumentException("valFraction and testFraction must be >= 0 and sum to less than 1");
        }
        if (repository.nameTaken(owner.id(), spec.name())) {
            throw new ConflictException("you already have a dataset named '" + spec.name() + "'");
        }
        long seed = spec.splitSeed() != null ? spec.splitSeed() : ThreadLocalRandom.current().nextLong(1L << 48);
        Dataset d = new Dataset(UUID.randomUUID().toString(), owner.id(), spec.name(), spec.description(), size,
                classes, seed, val, test, OffsetDateTime.now(ZoneOffset.UTC), 0);
        repository.insert(d);
        return d;
    }

    public Dataset get(Owner owner, String id) {
        return repository.find(owner.id(), id).orElseThrow(() -> new NotFoundException("dataset", id));
    }

    public Page<Dataset> list(Owner owner, int page, int size) {
        return new Page<>(repository.page(owner.id(), page, size), page, size, repository.count(owner.id()));
    }

    /**
     * Deletes rows first, then the blobs no other image still references. While training jobs or
     * studies that read the dataset are queued or running: 409 naming them, or with {@code cascade}
     * they are cancelled first. Ended jobs keep its id (and content hash) as provenance.
     */
    public void delete(Owner owner, String id, boolean cascade) {
        get(owner, id);
        jobs.release("dataset '" + id + "'", jobs.readingDataset(id), cascade);
        Set<String> keys = repository.delete(owner.id(), id);
        keys.stream().filter(k -> !repository.blobReferenced(k)).forEach(blobs::delete);
    }

    /**
     * Files with labels from a CSV, or, without a CSV, one grade (and optional split) for all.
     *
     * @param allowPatientOverlap store given splits that put one patient in two splits (else 422)
     */
    public UploadReport uploadFiles(Owner owner, String id, List<UploadedFile> files, byte[] labelsCsv,
                                    String grade, String split, boolean allowPatientOverlap) {
        Dataset d = get(owner, id);
        long bytes = files.stream().mapToLong(f -> f.bytes().length).sum() + (labelsCsv == null ? 0 : labelsCsv.length);
        List<UploadedFile> named = files.stream().map(f -> new UploadedFile(safeName(f.name()), f.bytes())).toList();
        if (labelsCsv != null) {
            return withCsvLabels(d, "files", named, labelsCsv, bytes, allowPatientOverlap);
        }
        if (grade == null || grade.isBlank()) {
            throw new InputRejectedException(InputRejectedException.Kind.BAD_LABELS,
                    "Labels are missing: send a 'labels' CSV (filename,grade[,split,quality,device]) or a 'grade' for all files");
        }
        ImageIngestion.Label label = new ImageIngestion.Label(grade, parseSplit(split), null, null);
        List<ImageIngestion.Candidate> candidates = named.stream()
                .map(f -> new ImageIngestion.Candidate(f.name(), f.bytes(), null, label)).toList();
        return ingestion.ingest(d, "files", candidates, List.of(), bytes, allowPatientOverlap);
    }

    /**
     * A ZIP holding a labels CSV, or in ImageFolder layout where a file's parent folder names its
     * grade ({@code 0/…}, {@code train/3/…}) and an enclosing folder may name its split.
     */
    public UploadReport uploadZip(Owner owner, String id, Path zip, String displayName, long bytes,
                                  boolean allowPatientOverlap) {
        Dataset d = get(owner, id);
        requireZipContainer(zip, "ZIP archive");
        List<ZipArchiveReader.ArchiveEntry> entries = ZipArchiveReader.read(zip, displayName, limits);
        List<ZipArchiveReader.ArchiveEntry> csvs = entries.stream()
                .filter(e -> e.name().toLowerCase(Locale.ROOT).endsWith(".csv")).toList();
        if (csvs.size() > 1) {
            throw new InputRejectedException(InputRejectedException.Kind.BAD_LABELS,
                    "The archive holds more than one CSV; keep exactly one labels file");
        }
        List<UploadedFile> files = entries.stream().filter(e -> !csvs.contains(e))
                .map(e -> new UploadedFile(e.name(), e.bytes())).toList();
        if (csvs.size() == 1) {
            return withCsvLabels(d, "zip", files, csvs.get(0).bytes(), bytes, allowPatientOverlap);
        }
        List<ImageIngestion.Candidate> candidates = new ArrayList<>();
        List<UploadReport.RejectedFile> rejected = new ArrayList<>();
        for (UploadedFile f : files) {
            String[] parts = f.name().split("/");
            if (parts.length < 2) {
                rejected.add(new UploadReport.RejectedFile(f.name(),
                        "not in a grade folder (ImageFolder layout: <grade>/<file>) and the archive has no labels CSV"));
                continue;
            }
            Split split = Arrays.stream(parts, 0, parts.length - 2).map(Split::parse)
                    .flatMap(java.util.Optional::stream).findFirst().orElse(null);
            candidates.add(new ImageIngestion.Candidate(f.name(), f.bytes(), null,
                    new ImageIngestion.Label(parts[parts.length - 2], split, null, null)));
        }
        return ingestion.ingest(d, "zip", candidates, rejected, bytes, allowPatientOverlap);
    }

    /** A MedMNIST-layout NPZ; its train/val/test arrays keep their split. */
    public UploadReport uploadNpz(Owner owner, String id, Path npz, String displayName, long bytes) {
        Dataset d = get(owner, id);
        requireZipContainer(npz, "NumPy .npz file");
        NpzReader.MedMnistSplits splits = NpzReader.readMedMnist(npz, displayName, limits);
        List<ImageIngestion.Candidate> candidates = new ArrayList<>();
        for (NpzReader.MedMnistSplits.Split s : splits.splits().values()) {
            Split split = Split.parse(s.name()).orElseThrow();
            for (int i = 0; i < s.images().size(); i++) {
                BufferedImage image = s.images().get(i);
                candidates.add(new ImageIngestion.Candidate(String.format(Locale.ROOT, "%s_%05d.png", s.name(), i),
                        SampleGrid.png(image), image,
                        new ImageIngestion.Label(Integer.toString(s.labels()[i]), split, null, null)));
            }
        }
        return ingestion.ingest(d, "npz", candidates, List.of(), bytes, false);
    }

    /** A dataset of synthetic phantoms with known grades, framed like real 3:2 camera images. */
    public Dataset createDemo(Owner owner, NewDataset spec, List<Integer> countsPerGrade, int imageSize, long seed) {
        if (countsPerGrade.size() != PhantomGenerator.GRADES || countsPerGrade.stream().anyMatch(c -> c < 0 || c > 2000)) {
            throw new IllegalArgumentException("countsPerGrade must list " + PhantomGenerator.GRADES
                    + " counts between 0 and 2000");
        }
        if (imageSize < 32 || imageSize > 1024) {
            throw new IllegalArgumentException("imageSize must be between 32 and 1024");
        }
        Dataset d = create(owner, new NewDataset(spec.name(), spec.description(), spec.workingSize(), GradeScale.ICDR,
                spec.splitSeed() != null ? spec.splitSeed() : seed, spec.valFraction(), spec.testFraction()));
        PhantomGenerator generator = new PhantomGenerator(seed);
        List<ImageIngestion.Candidate> candidates = new ArrayList<>();
        long bytes = 0;
        for (int grade = 0; grade < PhantomGenerator.GRADES; grade++) {
            for (int i = 0; i < countsPerGrade.get(grade); i++) {
                BufferedImage framed = PhantomGenerator.withBlackBorder(generator.render(grade, imageSize),
                        imageSize * 3 / 2, imageSize);
                byte[] png = SampleGrid.png(framed);
                bytes += png.length;
                candidates.add(new ImageIngestion.Candidate(
                        String.format(Locale.ROOT, "phantom_g%d_%04d.png", grade, i), png, null,
                        new ImageIngestion.Label(Integer.toString(grade), null, "phantom", "phantom-generator")));
            }
        }
        if (!candidates.isEmpty()) {
            ingestion.ingest(d, "demo", candidates, List.of(), bytes, false);
        }
        return get(owner, d.id());
    }

    public Page<DatasetImage> images(Owner owner, String id, Integer grade, Split split, int page, int size) {
        get(owner, id);
        return new Page<>(repository.images(id, grade, split, size, (long) page * size), page, size,
                repository.countImages(id, grade, split));
    }

    public DatasetImage image(Owner owner, String id, String imageId) {
        get(owner, id);
        return repository.image(id, imageId).orElseThrow(() -> new NotFoundException("image", imageId));
    }

    public Blob original(Owner owner, String id, String imageId) {
        DatasetImage i = image(owner, id, imageId);
        String media = switch (i.originalFormat()) {
            case "jpeg" -> "image/jpeg";
            case "tiff" -> "image/tiff";
            default -> "image/png";
        };
        return new Blob(blob(i.originalSha256()), i.filename().substring(i.filename().lastIndexOf('/') + 1), media);
    }

    public Blob processed(Owner owner, String id, String imageId) {
        DatasetImage i = image(owner, id, imageId);
        return new Blob(blob(i.processedSha256()), i.id() + ".png", "image/png");
    }

    public List<UploadReport> uploads(Owner owner, String id) {
        get(owner, id);
        return repository.uploadReports(id).stream().map(r -> json.readValue(r, UploadReport.class)).toList();
    }

    public DatasetStats stats(Owner owner, String id) {
        Dataset d = get(owner, id);
        int classes = d.classNames().size();
        List<DatasetImage> all = repository.images(id, null, null, Integer.MAX_VALUE, 0);
        Long[] byGrade = new Long[classes];
        Arrays.fill(byGrade, 0L);
        Map<String, List<Long>> bySplit = new LinkedHashMap<>();
        for (Split s : Split.values()) {
            bySplit.put(s.label(), new ArrayList<>(java.util.Collections.nCopies(classes, 0L)));
        }
        Map<Integer, List<DatasetImage>> perGrade = new HashMap<>();
        for (DatasetImage i : all) {
            byGrade[i.grade()]++;
            List<Long> row = bySplit.get(i.split().label());
            row.set(i.grade(), row.get(i.grade()) + 1);
            perGrade.computeIfAbsent(i.grade(), g -> new ArrayList<>()).add(i);
        }
        List<Integer> missing = new ArrayList<>();
        long max = 0;
        long min = Long.MAX_VALUE;
        for (int g = 0; g < classes; g++) {
            if (byGrade[g] == 0) {
                missing.add(g);
            } else {
                max = Math.max(max, byGrade[g]);
                min = Math.min(min, byGrade[g]);
            }
        }
        List<DatasetStats.GradeSummary> summaries = new ArrayList<>();
        for (int g = 0; g < classes; g++) {
            List<DatasetImage> imgs = perGrade.getOrDefault(g, List.of());
            summaries.add(new DatasetStats.GradeSummary(g, d.classNames().get(g), imgs.size(),
                    summary(imgs, i -> i.width()), summary(imgs, i -> i.height()),
                    summary(imgs, i -> i.imageQuality().brightness()), summary(imgs, i -> i.imageQuality().contrast()),
                    summary(imgs, i -> i.imageQuality().sharpness())));
        }
        Map<String, Set<Split>> splitsOfPatient = new java.util.TreeMap<>();
        Map<String, Long> byEye = new java.util.TreeMap<>();
        long withoutPatient = 0;
        for (DatasetImage i : all) {
            if (i.patient() == null) {
                withoutPatient++;
            } else {
                splitsOfPatient.computeIfAbsent(i.patient(), p -> java.util.EnumSet.noneOf(Split.class)).add(i.split());
            }
            if (i.eye() != null) {
                byEye.merge(i.eye(), 1L, Long::sum);
            }
        }
        Map<String, Long> patientsBySplit = new LinkedHashMap<>();
        for (Split s : Split.values()) {
            patientsBySplit.put(s.label(), splitsOfPatient.values().stream().filter(v -> v.contains(s)).count());
        }
        List<DatasetStats.PatientOverlap> overlap = splitsOfPatient.entrySet().stream()
                .filter(e -> e.getValue().size() > 1)
                .map(e -> new DatasetStats.PatientOverlap(e.getKey(), e.getValue().stream().map(Split::label).toList()))
                .toList();
        return new DatasetStats(id, all.size(), d.classNames(), List.of(byGrade), bySplit,
                max == 0 ? null : (double) max / min, missing, summaries, splitsOfPatient.size(), withoutPatient,
                patientsBySplit, overlap, byEye, Duplicates.find(all, this::print));
    }

    /** A PNG with one row of up to {@code perGrade} preprocessed images per grade. */
    public byte[] grid(Owner owner, String id, int perGrade, Split split) {
        Dataset d = get(owner, id);
        if (perGrade < 1 || perGrade > 32) {
            throw new IllegalArgumentException("perGrade must be between 1 and 32");
        }
        List<String> labels = new ArrayList<>();
        List<List<String>> rows = new ArrayList<>();
        for (int g = 0; g < d.classNames().size(); g++) {
            labels.add(g + " " + d.classNames().get(g));
            rows.add(repository.images(id, g, split, perGrade, 0).stream().map(DatasetImage::processedSha256).toList());
        }
        return grids.png(labels, rows, Math.max(d.workingSize(), 64), this::blob);
    }

    /** Preprocessed images of one split, packed as uint8 RGB (HWC per image), for training and evaluation. */
    public record PackedImages(int count, int size, byte[] rgb, int[] grades) {

        /** The images as float CHW in [0, 1], one after another: what the models take. */
        public float[] chw() {
            return chw(java.util.stream.IntStream.range(0, count).toArray());
        }

        /** The images at {@code indices}, in that order, as float CHW in [0, 1]. */
        public float[] chw(int[] indices) {
            int plane = size * size;
            float[] out = new float[indices.length * 3 * plane];
            for (int b = 0; b < indices.length; b++) {
                int src = indices[b] * 3 * plane;
                int dst = b * 3 * plane;
                for (int q = 0; q < plane; q++) {
                    out[dst + q] = (rgb[src + 3 * q] & 0xff) / 255f;
                    out[dst + plane + q] = (rgb[src + 3 * q + 1] & 0xff) / 255f;
                    out[dst + 2 * plane + q] = (rgb[src + 3 * q + 2] & 0xff) / 255f;
                }
            }
            return out;
        }
    }

    /**
     * The working-size images of a split in filename order, decoded once into one packed array so
     * that training streams batches instead of decoding PNGs every epoch.
     */
    public PackedImages packed(Owner owner, String id, Split split) {
        Dataset d = get(owner, id);
        List<DatasetImage> images = repository.images(id, null, split, Integer.MAX_VALUE, 0);
        int px = d.workingSize() * d.workingSize() * 3;
        byte[] rgb = new byte[images.size() * px];
        int[] grades = new int[images.size()];
        for (int i = 0; i < images.size(); i++) {
            BufferedImage img = readPng(blob(images.get(i).processedSha256()));
            System.arraycopy(FundusPreprocessor.toRgbBytes(img), 0, rgb, i * px, px);
            grades[i] = images.get(i).grade();
        }
        return new PackedImages(images.size(), d.workingSize(), rgb, grades);
    }

    /**
     * Images packed at a given size with each image's id and the sha256 of its packed RGB pixels,
     * in filename-then-id order: what a study scores an external test set on, and what it compares
     * with its training images to refuse a set that shares any.
     */
    public record SizedImages(PackedImages packed, List<String> imageIds, List<String> pixelSha256) {

        /**
         * sha256 over the sorted "pixel hash, grade" lines: names the set's content independently
         * of filenames and upload order.
         */
        public String contentSha256() {
            List<String> lines = new ArrayList<>();
            for (int i = 0; i < packed.count(); i++) {
                lines.add(pixelSha256.get(i) + "\t" + packed.grades()[i]);
            }
            java.util.Collections.sort(lines);
            return org.retinasynth.common.ContentHash.sha256(("size=" + packed.size() + "\n" + String.join("\n", lines))
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    /**
     * The preprocessed images of a split (every split when {@code split} is null), resized to
     * {@code size} px by area averaging where the dataset's working size differs.
     */
    public SizedImages sized(Owner owner, String id, Split split, int size) {
        Dataset d = get(owner, id);
        List<DatasetImage> images = new ArrayList<>(repository.images(id, null, split, Integer.MAX_VALUE, 0));
        images.sort(java.util.Comparator.comparing(DatasetImage::filename).thenComparing(DatasetImage::id));
        int px = size * size * 3;
        byte[] rgb = new byte[images.size() * px];
        int[] grades = new int[images.size()];
        List<String> ids = new ArrayList<>(images.size());
        List<String> hashes = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++) {
            BufferedImage img = readPng(blob(images.get(i).processedSha256()));
            if (d.workingSize() != size) {
                img = resize(img, size);
            }
            byte[] pixels = FundusPreprocessor.toRgbBytes(img);
            System.arraycopy(pixels, 0, rgb, i * px, px);
            grades[i] = images.get(i).grade();
            ids.add(images.get(i).id());
            hashes.add(org.retinasynth.common.ContentHash.sha256(pixels));
        }
        return new SizedImages(new PackedImages(images.size(), size, rgb, grades), List.copyOf(ids),
                List.copyOf(hashes));
    }

    private static BufferedImage resize(BufferedImage img, int size) {
        BufferedImage out = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = out.createGraphics();
        try {
            // area averaging is pure Java and order-independent, so every worker gets the same pixels
            g.drawImage(img.getScaledInstance(size, size, java.awt.Image.SCALE_AREA_AVERAGING), 0, 0, null);
        } finally {
            g.dispose();
        }
        return out;
    }

    /**
     * sha256 over every image's name, grade, split and preprocessed bytes: two datasets with the
     * same hash train the same model, which is what provenance needs to say.
     */
    public String contentHash(Owner owner, String id) {
        Dataset d = get(owner, id);
        StringBuilder b = new StringBuilder("size=" + d.workingSize() + ";classes=" + d.classNames() + "\n");
        for (DatasetImage i : repository.images(id, null, null, Integer.MAX_VALUE, 0)) {
            b.append(i.filename()).append('\t').append(i.grade()).append('\t').append(i.split().label()).append('\t')
                    .append(i.processedSha256()).append('\n');
        }
        return org.retinasynth.common.ContentHash.sha256(b.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private UploadReport withCsvLabels(Dataset d, String source, List<UploadedFile> files, byte[] csv, long bytes,
                                       boolean allowPatientOverlap) {
        LabelsCsv.Parsed parsed = LabelsCsv.parse(csv, "labels CSV");
        Map<String, LabelsCsv.Row> byName = new HashMap<>();
        Map<String, LabelsCsv.Row> byKey = new HashMap<>();
        for (LabelsCsv.Row r : parsed.rows()) {
            byName.put(r.filename(), r);
            byKey.putIfAbsent(LabelsCsv.key(r.filename()), r);
        }
        List<UploadReport.RejectedFile> rejected = new ArrayList<>();
        parsed.errors().forEach(e -> rejected.add(new UploadReport.RejectedFile("labels line " + e.line(), e.reason())));
        Set<LabelsCsv.Row> used = new java.util.HashSet<>();
        List<ImageIngestion.Candidate> candidates = new ArrayList<>();
        for (UploadedFile f : files) {
            String name = f.name();
            String base = name.substring(name.lastIndexOf('/') + 1);
            LabelsCsv.Row row = byName.getOrDefault(name, byName.getOrDefault(base, byKey.get(LabelsCsv.key(name))));
            if (row != null && !used.add(row)) {
                rejected.add(new UploadReport.RejectedFile(name, "its label row (line " + row.line()
                        + ") already labels another file"));
                continue;
            }
            ImageIngestion.Label label = null;
            if (row != null) {
                Split split = row.split() == null || row.split().isBlank() ? null : Split.parse(row.split()).orElse(null);
                label = new ImageIngestion.Label(row.gradeText(), split, row.quality(), row.device(), row.patient(),
                        row.eye());
            }
            candidates.add(new ImageIngestion.Candidate(name, f.bytes(), null, label));
        }
        for (LabelsCsv.Row r : parsed.rows()) {
            if (!used.contains(r)) {
                rejected.add(new UploadReport.RejectedFile(r.filename(), "listed in the labels (line " + r.line()
                        + ") but no such file was uploaded"));
            }
        }
        return ingestion.ingest(d, source, candidates, rejected, bytes, allowPatientOverlap);
    }

    /**
     * ZIP and NPZ both start with a local-file header; anything else is the wrong type (415), while
     * a file that starts right but breaks later is malformed (400).
     */
    private static void requireZipContainer(Path file, String expected) {
        byte[] head = new byte[4];
        int n;
        try (var in = java.nio.file.Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, 4);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        boolean zip = n == 4 && head[0] == 'P' && head[1] == 'K'
                && ((head[2] == 3 && head[3] == 4) || (head[2] == 5 && head[3] == 6));
        if (!zip) {
            throw new InputRejectedException(InputRejectedException.Kind.UNSUPPORTED_TYPE,
                    "The upload is not a " + expected + " (it does not start with a ZIP header)");
        }
    }

    private static Split parseSplit(String split) {
        if (split == null || split.isBlank()) {
            return null;
        }
        return Split.parse(split).orElseThrow(() -> new IllegalArgumentException(
                "split must be train, val or test, was '" + split + "'"));
    }

    /** Multipart file names are user input: keep only the last path segment of a browser upload. */
    private static String safeName(String name) {
        String n = name == null ? "" : name.replace('\\', '/');
        n = n.substring(n.lastIndexOf('/') + 1).strip();
        if (n.isEmpty() || n.equals(".") || n.equals("..") || n.chars().anyMatch(ch -> ch < 0x20)) {
            throw new InputRejectedException(InputRejectedException.Kind.MALFORMED, "Unusable file name '" + name + "'");
        }
        return n.length() > 400 ? n.substring(0, 400) : n;
    }

    private Duplicates.Print print(String processedSha256) {
        return prints.get(processedSha256, sha -> Duplicates.Print.of(readPng(blob(sha))));
    }

    private byte[] blob(String sha) {
        return blobs.get(sha).orElseThrow(() -> new IllegalStateException("blob " + sha + " is missing from the store"));
    }

    private static BufferedImage readPng(byte[] png) {
        try {
            return ImageIO.read(new ByteArrayInputStream(png));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static DatasetStats.Summary summary(List<DatasetImage> images,
                                                java.util.function.ToDoubleFunction<DatasetImage> f) {
        return DatasetStats.Summary.of(images.stream().mapToDouble(f).toArray());
    }
}
