package org.retinasynth.study;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.UUID;
import org.retinasynth.common.ConflictException;
import org.retinasynth.common.NotFoundException;
import org.retinasynth.common.UnprocessableException;
import org.retinasynth.dataset.Dataset;
import org.retinasynth.dataset.Split;
import org.retinasynth.dataset.DatasetService;
import org.retinasynth.jobs.JobQueue;
import org.retinasynth.jobs.JobService;
import org.retinasynth.jobs.JobState;
import org.retinasynth.jobs.Page;
import org.retinasynth.security.Owner;
import org.retinasynth.storage.BlobStore;
import org.retinasynth.training.TrainingService;
import org.springframework.stereotype.Service;
import tools.jackson.databind.ObjectMapper;

/** Studies of one owner: queue, watch, cancel, delete, and read the report with its figures. */
@Service
public class StudyService {

    /** Fewest images an external test set may have: as many as the internal test split needs. */
    static final int MIN_EXTERNAL_IMAGES = 2;
    private static final int NAMED_OVERLAPS = 20;

    private final StudyRepository studies;
    private final JobQueue queue;
    private final JobService core;
    private final DatasetService datasets;
    private final TrainingService training;
    private final BlobStore blobs;
    private final ObjectMapper json;

    StudyService(StudyRepository studies, JobQueue queue, JobService core, DatasetService datasets, TrainingService training,
                 BlobStore blobs, ObjectMapper json) {
        this.studies = studies;
        this.queue = queue;
        this.core = core;
        this.datasets = datasets;
        this.training = training;
        this.blobs = blobs;
        this.json = json;
    }

    public Study create(Owner owner, StudySpec spec) {
        List<String> problems = spec.problems();
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("Invalid study spec: " + String.join("; ", problems));
        }
        var stats = datasets.stats(owner, spec.datasetId());
        long trainCount = stats.countsBySplit().get("train").stream().mapToLong(Long::longValue).sum();
        long testCount = stats.countsBySplit().get("test").stream().mapToLong(Long::longValue).sum();
        if (trainCount < 2 || testCount < 2) {
            throw new ConflictException("dataset '" + spec.datasetId() + "' needs at least 2 training and 2 test "
                    + "images; it has " + trainCount + " and " + testCount);
        }
        for (String jobId : new String[] {spec.vaeJobId(), spec.dvaeJobId()}) {
            if (jobId != null && training.get(owner, jobId).state() != JobState.SUCCEEDED) {
                throw new ConflictException("training job '" + jobId + "' has not SUCCEEDED; a study can only use a "
                        + "finished model");
            }
        }
        checkExternalTests(owner, spec);
        String id = UUID.randomUUID().toString();
        studies.insert(id, owner.id(), spec);
        queue.enqueue(StudyRunner.TYPE, id);
        return get(owner, id);
    }

    /**
     * An external test set must be another dataset of the owner, graded on the study's classes,
     * with at least {@link #MIN_EXTERNAL_IMAGES} images, none of which (same pixels at the study's
     * working size) is in the training or validation split: otherwise its scores would not be
     * external.
     */
    private void checkExternalTests(Owner owner, StudySpec spec) {
        if (spec.externalTestsOrNone().isEmpty()) {
            return;
        }
        Dataset training = datasets.get(owner, spec.datasetId());
        int size = training.workingSize();
        int classes = training.classNames().size();
        Map<String, String> seen = null;
        for (StudySpec.ExternalTest e : spec.externalTestsOrNone()) {
            datasets.get(owner, e.datasetId());
            if (e.datasetId().equals(spec.datasetId())) {
                throw new UnprocessableException("external_is_training", "external test '" + e.name()
                        + "' is the study's training dataset; an external test set must be another dataset",
                        Map.of("externalTest", e.name()));
            }
            DatasetService.SizedImages ext = datasets.sized(owner, e.datasetId(), null, size);
            if (ext.packed().count() < MIN_EXTERNAL_IMAGES) {
                throw new UnprocessableException("external_too_small", "external test '" + e.name() + "' has "
                        + ext.packed().count() + " image(s); it needs at least " + MIN_EXTERNAL_IMAGES,
                        Map.of("externalTest", e.name(), "images", ext.packed().count()));
            }
            List<Integer> outside = java.util.Arrays.stream(ext.packed().grades()).filter(g -> g < 0 || g >= classes)
                    .distinct().sorted().boxed().toList();
            if (!outside.isEmpty()) {
                throw new UnprocessableException("external_grades", "external test '" + e.name() + "' has grades "
                        + outside + " outside the study's " + classes + " classes (0-" + (classes - 1) + ")",
                        Map.of("externalTest", e.name(), "grades", outside));
            }
            if (seen == null) {
                seen = trainingPixels(owner, spec.datasetId(), size);
            }
            List<Map<String, String>> overlap = new java.util.ArrayList<>();
            for (int i = 0; i < ext.packed().count(); i++) {
                String where = seen.get(ext.pixelSha256().get(i));
                if (where != null) {
                    overlap.add(Map.of("externalImageId", ext.imageIds().get(i), "trainingImage", where));
                }
            }
            if (!overlap.isEmpty()) {
                throw new UnprocessableException("external_overlap", "external test '" + e.name() + "' shares "
                        + overlap.size() + " image(s) (same pixels at " + size + " px) with the training or"
                        + " validation split of the study's dataset; the first are in 'overlappingImages'",
                        Map.of("externalTest", e.name(), "overlapCount", overlap.size(),
                                "overlappingImages", overlap.subList(0, Math.min(overlap.size(), NAMED_OVERLAPS))));
            }
        }
    }

    /** Pixel hash to "split/image id" over the training and validation splits. */
    private Map<String, String> trainingPixels(Owner owner, String datasetId, int size) {
        Map<String, String> out = new java.util.HashMap<>();
        for (Split split : List.of(Split.TRAIN, Split.VAL)) {
            DatasetService.SizedImages s = datasets.sized(owner, datasetId, split, size);
            for (int i = 0; i < s.packed().count(); i++) {
                out.putIfAbsent(s.pixelSha256().get(i), split.label() + "/" + s.imageIds().get(i));
            }
        }
        return out;
    }

    public Study get(Owner owner, String id) {
        return studies.find(owner.id(), id).orElseThrow(() -> new NotFoundException("study", id));
    }

    public Page<Study> list(Owner owner, JobState state, int page, int size) {
        return studies.page(owner.id(), state, page, size);
    }

    /** A queued study ends at once; a running one (and its units) at the next check. */
    public Study cancel(Owner owner, String id) {
        core.cancel(owner, StudyRunner.TYPE, id);
        return get(owner, id);
    }

    /**
     * Deletes an ended study with its units. Content-addressed: a blob another study stored
     * identically stays. Figures are left in the store, as no table records which reports share
     * one (a loss curve of the same spec and seed).
     */
    public void delete(Owner owner, String id) {
        get(owner, id);
        core.delete(owner, StudyRunner.TYPE, id, studies.blobs(id));
    }

    public StudyReport report(Owner owner, String id) {
        return report(get(owner, id));
    }

    public String reportCsv(Owner owner, String id) {
        return StudyReportRenderer.csv(report(owner, id));
    }

    /** The page with its figures embedded, so that it needs no further authenticated request. */
    public String reportHtml(Owner owner, String id) {
        StudyReport report = report(owner, id);
        Map<String, String> shas = report.figures().stream().collect(
                Collectors.toMap(StudyReport.Figure::name, StudyReport.Figure::sha256, (a, b) -> a));
        return StudyReportRenderer.html(report, name -> blob(shas.get(name)));
    }

    public byte[] figure(Owner owner, String id, String name) {
        StudyReport report = report(owner, id);
        String sha = report.figures().stream().filter(f -> f.name().equals(name)).map(StudyReport.Figure::sha256)
                .findFirst().orElseThrow(() -> new NotFoundException("figure", name));
        return blob(sha);
    }

    private StudyReport report(Study study) {
        if (study.state() != JobState.SUCCEEDED || study.reportSha256() == null) {
            throw new ConflictException("study '" + study.id() + "' is " + study.state()
                    + "; the report exists once it has SUCCEEDED");
        }
        return json.readValue(blob(study.reportSha256()), StudyReport.class);
    }

    private byte[] blob(String sha) {
        return blobs.get(sha).orElseThrow(() -> new IllegalStateException("blob " + sha + " is missing"));
    }
}
