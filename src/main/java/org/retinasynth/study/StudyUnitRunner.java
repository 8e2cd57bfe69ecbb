package org.retinasynth.study;

import org.retinasynth.dataset.DatasetService;
import org.retinasynth.jobs.JobContext;
import org.retinasynth.jobs.JobKind;
import org.retinasynth.jobs.JobType;
import org.retinasynth.model.TorchRuntime;
import org.retinasynth.storage.BlobStore;
import org.retinasynth.training.TrainingService;
import org.springframework.stereotype.Component;
import tools.jackson.databind.ObjectMapper;

/** Runs one unit of a study (a child job of the study): see {@link StudyWork}. */
@Component
class StudyUnitRunner implements JobKind {

    static final JobType TYPE = new JobType("study-unit", "study unit", "study_units");

    private final StudyRepository studies;
    private final DatasetService datasets;
    private final TrainingService training;
    private final BlobStore blobs;
    private final ObjectMapper json;

    StudyUnitRunner(StudyRepository studies, DatasetService datasets, TrainingService training, BlobStore blobs,
                    ObjectMapper json) {
        this.studies = studies;
        this.datasets = datasets;
        this.training = training;
        this.blobs = blobs;
        this.json = json;
    }

    @Override
    public JobType type() {
        return TYPE;
    }

    @Override
    public Outcome run(JobContext context) {
        StudyRepository.UnitRow unit = studies.unitOfJob(context.id())
                .orElseThrow(() -> new IllegalStateException("study unit " + context.id() + " has no row"));
        Study study = studies.find(unit.studyId())
                .orElseThrow(() -> new IllegalStateException("study " + unit.studyId() + " is gone"));
        if (unit.finished() || !context.start(TorchRuntime.defaultDeviceName(), 1L)) {
            return Outcome.DONE;
        }
        try (StudyWork work = new StudyWork(study, unit.key(), context, studies, datasets, training, blobs, json)) {
            work.run();
        }
        return Outcome.DONE;
    }
}
