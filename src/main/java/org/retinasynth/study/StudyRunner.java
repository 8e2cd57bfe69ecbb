package org.retinasynth.study;

import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.retinasynth.dataset.Dataset;
import org.retinasynth.dataset.DatasetService;
import org.retinasynth.dataset.Split;
import org.retinasynth.jobs.Job;
import org.retinasynth.jobs.JobContext;
import org.retinasynth.jobs.JobKind;
import org.retinasynth.jobs.JobQueue;
import org.retinasynth.jobs.JobService;
import org.retinasynth.jobs.JobState;
import org.retinasynth.jobs.JobStore;
import org.retinasynth.jobs.JobType;
import org.retinasynth.jobs.Progress;
import org.retinasynth.model.TorchRuntime;
import org.retinasynth.security.Owner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Drives a study: each look queues the units whose inputs are ready (as child jobs any worker may
 * take), records how many have finished, and once all have, builds the report. It never waits in
 * a worker thread: while units run, the study goes back on the queue for another look shortly. A
 * unit that failed fails the study and cancels the units still to come.
 */
@Component
class StudyRunner implements JobKind {

    static final JobType TYPE = new JobType("study-job", "study", "studies");

    private static final Logger log = LoggerFactory.getLogger(StudyRunner.class);

    private final StudyRepository studies;
    private final JobStore store;
    private final JobQueue queue;
    private final JobService core;
    private final DatasetService datasets;
    private final StudyReportBuilder reports;

    StudyRunner(StudyRepository studies, JobStore store, JobQueue queue, JobService core, DatasetService datasets,
                StudyReportBuilder reports) {
        this.studies = studies;
        this.store = store;
        this.queue = queue;
        this.core = core;
        this.datasets = datasets;
        this.reports = reports;
    }

    @Override
    public JobType type() {
        return TYPE;
    }

    @Override
    public Outcome run(JobContext context) {
        Study study = studies.find(context.id()).orElseThrow();
        StudyPlan plan = StudyPlan.of(study.spec());
        // units plus the quality scores and the report, as before units were jobs
        long total = plan.units().size() + 2L;
        if (study.state() == JobState.QUEUED && !context.start(TorchRuntime.defaultDeviceName(), total)) {
            return Outcome.DONE;
        }
        context.checkCancelled();
        Map<String, StudyRepository.UnitRow> rows = studies.unitRows(study.id());
        Map<String, Job> units = store.children(study.id()).stream().collect(Collectors.toMap(Job::id, j -> j));
        int finished = 0;
        int running = 0;
        for (StudyPlan.Unit unit : plan.units()) {
            StudyRepository.UnitRow row = rows.get(unit.key());
            if (row != null && row.finished()) {
                finished++;
            } else if (row != null && row.jobId() != null && units.containsKey(row.jobId())) {
                Job job = units.get(row.jobId());
                if (job.state() == JobState.FAILED || job.state() == JobState.CANCELLED) {
                    core.cancelUnits(study.id());
                    throw new IllegalStateException("unit " + unit.key() + " " + job.state() + ": " + job.error());
                }
                running++;
            } else if (unit.needs().stream().allMatch(k -> rows.containsKey(k) && rows.get(k).finished())) {
                String id = UUID.randomUUID().toString();
                studies.addUnit(study.id(), study.ownerId(), unit.key(), id);
                queue.enqueue(StudyUnitRunner.TYPE, id);
                running++;
            }
        }
        if (finished < plan.units().size()) {
            context.progress(new Progress(finished, total, finished + " of " + plan.units().size()
                    + " units done, " + running + " queued or running", null, null));
            return Outcome.WAITING;
        }
        context.progress(new Progress(total - 1, total, "building the report", null, null));
        log.info("study {}: building the report", study.id());
        Owner owner = new Owner(study.ownerId(), null, false);
        Dataset dataset = datasets.get(owner, study.datasetId());
        // re-read: device, worker and start time were set by the first look, maybe on another worker
        Study current = studies.find(study.id()).orElse(study);
        double seconds = current.startedAt() == null ? 0
                : java.time.Duration.between(current.startedAt(), JobStore.now()).toMillis() / 1e3;
        String reportSha = reports.build(current, dataset, owner,
                StudyImages.of(datasets.packed(owner, dataset.id(), Split.TRAIN)),
                StudyImages.of(datasets.packed(owner, dataset.id(), Split.VAL)),
                StudyImages.of(datasets.packed(owner, dataset.id(), Split.TEST)),
                studies.units(study.id()), studies.unitWorkers(study.id()), seconds);
        studies.reportDone(study.id(), reportSha);
        return Outcome.DONE;
    }
}
