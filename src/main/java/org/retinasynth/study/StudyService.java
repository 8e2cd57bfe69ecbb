package org.retinasynth.study;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.UUID;
import org.retinasynth.common.ConflictException;
import org.retinasynth.common.NotFoundException;
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
        String id = UUID.randomUUID().toString();
        studies.insert(id, owner.id(), spec);
        queue.enqueue(StudyRunner.TYPE, id);
        return get(owner, id);
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
