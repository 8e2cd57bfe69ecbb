package org.retinasynth.dataset;

import io.micrometer.core.instrument.MeterRegistry;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.retinasynth.common.HeavyWork;
import org.retinasynth.quota.Quota;
import org.retinasynth.quota.QuotaService;
import org.retinasynth.storage.BlobStore;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.ObjectMapper;

/**
 * The one path every upload takes once its container (files, ZIP, NPZ) has been unpacked:
 * validate the label, decode with limits, preprocess, store blobs, then commit all rows in one
 * transaction. Blobs are written before rows, so a crash can leave an unreferenced blob but never
 * a row pointing at a missing one; a returned report means the rows are committed.
 */
@Component
class ImageIngestion {

    /** One file of an upload before decoding; {@code label} is null when no label was found. */
    record Candidate(String name, byte[] bytes, BufferedImage decoded, Label label) {
    }

    /** A label as given by the upload; grade is still text until checked against the class names. */
    record Label(String gradeText, Split split, String quality, String device, String patient, String eye) {

        Label(String gradeText, Split split, String quality, String device) {
            this(gradeText, split, quality, device, null, null);
        }
    }

    /** @param keys the writes of the original and the processed PNG, or null when not started */
    private record Processed(Candidate candidate, int grade, String format, int width, int height, Rectangle fov,
                             byte[] processedPng, ImageQuality quality, List<CompletableFuture<String>> keys) {
    }

    private final DatasetRepository repository;
    private final BlobStore blobs;
    private final UploadLimits limits;
    private final TransactionTemplate tx;
    private final ObjectMapper json;
    private final MeterRegistry meters;

    private final QuotaService quotas;
    private final DecodePool decoders;
    private final HeavyWork heavy;

    ImageIngestion(DatasetRepository repository, BlobStore blobs, UploadLimits limits, TransactionTemplate tx,
                   ObjectMapper json, MeterRegistry meters, QuotaService quotas, DecodePool decoders,
                   HeavyWork heavy) {
        this.decoders = decoders;
        this.heavy = heavy;
        this.quotas = quotas;
        this.repository = repository;
        this.blobs = blobs;
        this.limits = limits;
        this.tx = tx;
        this.json = json;
        this.meters = meters;
    }

    /**
     * @param rejectedEarly files refused while unpacking (e.g. a CSV row without a file); they are
     *                      reported alongside the files refused here
     * @param allowPatientOverlap store given splits that put one patient in several splits instead of
     *                      refusing the upload with a {@link PatientOverlapException}
     */
    UploadReport ingest(Dataset dataset, String source, List<Candidate> candidates,
                        List<UploadReport.RejectedFile> rejectedEarly, long uploadBytes, boolean allowPatientOverlap) {
        return heavy.run(() -> ingestNow(dataset, source, candidates, rejectedEarly, uploadBytes, allowPatientOverlap));
    }

    private UploadReport ingestNow(Dataset dataset, String source, List<Candidate> candidates,
                                   List<UploadReport.RejectedFile> rejectedEarly, long uploadBytes,
                                   boolean allowPatientOverlap) {
        long started = System.nanoTime();
        List<UploadReport.RejectedFile> rejected = new ArrayList<>(rejectedEarly);
        Set<String> existing = repository.filenames(dataset.id());
        List<Candidate> fresh = new ArrayList<>();
        Set<String> seen = new java.util.HashSet<>();
        for (Candidate c : candidates) {
            if (existing.contains(c.name())) {
                rejected.add(new UploadReport.RejectedFile(c.name(), "a file of this name is already in the dataset"));
            } else if (!seen.add(c.name())) {
                rejected.add(new UploadReport.RejectedFile(c.name(), "duplicate file name in this upload"));
            } else {
                fresh.add(c);
            }
        }

        // Whatever refuses the whole upload must be known before the first blob is written, so that
        // a refused upload stores nothing. Size limits come from the headers, cheap to read for every
        // file; quota and patient checks are made on all candidates, an upper bound of those that
        // will be accepted. When they pass, each image's blobs are written while later images
        // decode, so the fsyncs overlap the decoding; otherwise writing waits for the exact checks.
        fresh.forEach(this::refuseIfUnsafe);
        Map<String, Set<Split>> existingSplits = repository.patientSplits(dataset.id());
        boolean writeEarly = quotas.allows(dataset.ownerId(), Quota.IMAGES, fresh.size())
                && quotas.allows(dataset.ownerId(), Quota.STORED_BYTES,
                        fresh.stream().mapToLong(c -> c.bytes().length).sum())
                && (allowPatientOverlap || placement(fresh.stream().map(Candidate::label).filter(Objects::nonNull)
                        .toList(), existingSplits).overlaps().isEmpty());
        List<Object> outcomes = decoders.map(fresh, c -> process(c, dataset, writeEarly));
        List<Processed> accepted = new ArrayList<>();
        for (Object o : outcomes) {
            if (o instanceof Processed p) {
                accepted.add(p);
            } else {
                rejected.add((UploadReport.RejectedFile) o);
            }
        }
        rejected.sort(Comparator.comparing(UploadReport.RejectedFile::name));
        meters.counter("retinasynth.upload.rejected.files", "source", source).increment(rejected.size());
        if (accepted.isEmpty()) {
            meters.counter("retinasynth.uploads", "source", source, "outcome", "rejected").increment();
            throw new NoImageAcceptedException(rejected);
        }

        String uploadId = UUID.randomUUID().toString();
        Map<String, Split> splits = assignSplits(dataset, accepted, existingSplits, allowPatientOverlap);
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        quotas.require(dataset.ownerId(), Quota.IMAGES, accepted.size());
        quotas.require(dataset.ownerId(), Quota.STORED_BYTES,
                accepted.stream().mapToLong(p -> p.candidate().bytes().length).sum());
        List<String> keys;
        if (writeEarly) {
            keys = BlobStore.joinAll(accepted.stream().flatMap(p -> p.keys().stream()).toList());
        } else {
            // Only now, with every file checked, is anything written
            List<byte[]> bytes = new ArrayList<>(2 * accepted.size());
            for (Processed p : accepted) {
                bytes.add(p.candidate().bytes());
                bytes.add(p.processedPng());
            }
            keys = blobs.putAll(bytes);
        }
        List<DatasetImage> rows = new ArrayList<>(accepted.size());
        for (int i = 0; i < accepted.size(); i++) {
            Processed p = accepted.get(i);
            Candidate c = p.candidate();
            Label l = c.label();
            rows.add(new DatasetImage(UUID.randomUUID().toString(), dataset.id(), uploadId, c.name(), p.grade(),
                    splits.get(c.name()), l.split() != null, l.quality(), l.device(), l.patient(), l.eye(),
                    keys.get(2 * i), p.format(),
                    c.bytes().length, p.width(), p.height(), p.fov(), keys.get(2 * i + 1), p.quality(), now));
        }
        Map<Integer, Integer> perGrade = new TreeMap<>(accepted.stream()
                .collect(Collectors.groupingBy(Processed::grade, Collectors.summingInt(p -> 1))));
        double seconds = (System.nanoTime() - started) / 1e9;
        UploadReport report = new UploadReport(uploadId, dataset.id(), source, accepted.size(), rejected.size(),
                perGrade, List.copyOf(rejected), uploadBytes, seconds);
        String reportJson = json.writeValueAsString(report);
        tx.executeWithoutResult(status -> {
            repository.insertUpload(uploadId, dataset.id(), source, accepted.size(), rejected.size(), uploadBytes,
                    reportJson, now);
            repository.insertImages(rows);
        });
        meters.counter("retinasynth.uploads", "source", source, "outcome", "stored").increment();
        meters.counter("retinasynth.upload.images", "source", source).increment(accepted.size());
        meters.counter("retinasynth.upload.bytes", "source", source).increment(uploadBytes);
        return report;
    }

    /** Throws what would refuse the whole upload (a size limit broken), reading only the header. */
    private void refuseIfUnsafe(Candidate c) {
        if (c.decoded() != null) {
            return;
        }
        try {
            ImageDecoder.probe(c.bytes(), c.name(), limits);
        } catch (InputRejectedException e) {
            if (refusesUpload(e)) {
                throw e;
            }
            // anything else refuses only this file, reported by process
        }
    }

    private static boolean refusesUpload(InputRejectedException e) {
        // a decompression bomb taints the whole upload: refuse it before anything is stored
        return e.kind() == InputRejectedException.Kind.TOO_LARGE || e.kind() == InputRejectedException.Kind.UNSAFE;
    }

    /**
     * Returns a {@link Processed} or the {@link UploadReport.RejectedFile} saying why not.
     *
     * @param write start writing the blobs of an accepted file at once
     */
    private Object process(Candidate c, Dataset dataset, boolean write) {
        if (c.label() == null) {
            return new UploadReport.RejectedFile(c.name(), "no label: the file is not listed in the labels");
        }
        OptionalInt grade = GradeScale.parse(c.label().gradeText(), dataset.classNames());
        if (grade.isEmpty()) {
            return new UploadReport.RejectedFile(c.name(), "unknown grade '" + c.label().gradeText()
                    + "' (expected " + GradeScale.expected(dataset.classNames()) + ")");
        }
        try {
            ImageDecoder.DecodedImage decoded = c.decoded() != null
                    ? new ImageDecoder.DecodedImage(c.decoded(), "npy", c.decoded().getWidth(),
                            c.decoded().getHeight(), 1)
                    : ImageDecoder.decodeForWorkingSize(c.bytes(), c.name(), limits, dataset.workingSize());
            FundusPreprocessor.Preprocessed p = FundusPreprocessor.preprocessWithFieldOfView(decoded.image(),
                    dataset.workingSize());
            byte[] png = SampleGrid.png(p.image());
            return new Processed(c, grade.getAsInt(), decoded.format(), decoded.width(), decoded.height(),
                    inFile(p.fieldOfView(), decoded), png, ImageQuality.measure(p.image()),
                    write ? List.of(blobs.putLater(c.bytes()), blobs.putLater(png)) : null);
        } catch (InputRejectedException e) {
            if (refusesUpload(e)) {
                throw e;
            }
            return new UploadReport.RejectedFile(c.name(), e.getMessage());
        }
    }

    /** The field-of-view box in the file's pixels, clipped to the file. */
    private static Rectangle inFile(Rectangle box, ImageDecoder.DecodedImage decoded) {
        int s = decoded.subsampling();
        if (s == 1) {
            return box;
        }
        int x0 = box.x * s;
        int y0 = box.y * s;
        return new Rectangle(x0, y0, Math.min(decoded.width(), (box.x + box.width) * s) - x0,
                Math.min(decoded.height(), (box.y + box.height) * s) - y0);
    }

    /**
     * Keeps given splits; splits the rest with {@link GroupedSplit} (stratified by grade, grouped by
     * patient, seeded by the dataset's split seed). A patient that already has a split, in the
     * dataset or given in this upload, keeps it for its unsplit images; with an allowed overlap the
     * first of its splits in train, val, test order.
     */
    private static Map<String, Split> assignSplits(Dataset dataset, List<Processed> accepted,
                                                   Map<String, Set<Split>> existing, boolean allowOverlap) {
        Placement placement = placement(accepted.stream().map(p -> p.candidate().label()).toList(), existing);
        if (!placement.overlaps().isEmpty() && !allowOverlap) {
            throw new PatientOverlapException(placement.overlaps());
        }
        Map<String, Split> result = new java.util.HashMap<>();
        List<GroupedSplit.Item> unsplit = new ArrayList<>();
        for (Processed p : accepted) {
            Label l = p.candidate().label();
            if (l.split() != null) {
                result.put(p.candidate().name(), l.split());
            } else {
                unsplit.add(new GroupedSplit.Item(p.candidate().name(), p.grade(), l.patient()));
            }
        }
        Map<String, Split> pinned = new java.util.HashMap<>();
        placement.placed().forEach((patient, s) -> pinned.put(patient, s.iterator().next()));
        result.putAll(GroupedSplit.assign(unsplit, pinned, dataset.splitSeed(), dataset.valFraction(),
                dataset.testFraction()));
        return result;
    }

    /**
     * @param placed   the splits each patient of the upload is already in, stored or given here
     * @param overlaps the patients a split given in this upload puts in more than one split
     */
    private record Placement(Map<String, Set<Split>> placed, List<PatientOverlapException.Overlap> overlaps) {
    }

    private static Placement placement(List<Label> labels, Map<String, Set<Split>> existing) {
        Map<String, Set<Split>> given = new TreeMap<>();
        Set<String> inUpload = new java.util.HashSet<>();
        for (Label l : labels) {
            if (l.patient() != null) {
                inUpload.add(l.patient());
                if (l.split() != null) {
                    given.computeIfAbsent(l.patient(), k -> java.util.EnumSet.noneOf(Split.class)).add(l.split());
                }
            }
        }
        Map<String, Set<Split>> placed = new TreeMap<>();
        for (String patient : inUpload) {
            Set<Split> s = java.util.EnumSet.noneOf(Split.class);
            s.addAll(existing.getOrDefault(patient, Set.of()));
            s.addAll(given.getOrDefault(patient, Set.of()));
            if (!s.isEmpty()) {
                placed.put(patient, s);
            }
        }
        // Only a split given in this upload can make a new overlap; an overlap stored earlier (allowed
        // then) does not block unsplit images of that patient.
        List<PatientOverlapException.Overlap> overlaps = placed.entrySet().stream()
                .filter(e -> e.getValue().size() > 1 && given.containsKey(e.getKey()))
                .map(e -> new PatientOverlapException.Overlap(e.getKey(),
                        e.getValue().stream().map(Split::label).toList()))
                .toList();
        return new Placement(placed, overlaps);
    }
}
