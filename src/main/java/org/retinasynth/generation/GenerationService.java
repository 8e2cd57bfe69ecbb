package org.retinasynth.generation;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.retinasynth.common.ConflictException;
import org.retinasynth.common.NotFoundException;
import org.retinasynth.common.UnprocessableException;
import org.retinasynth.dataset.Dataset;
import org.retinasynth.dataset.DatasetService;
import org.retinasynth.dataset.GradeScale;
import org.retinasynth.dataset.GridCache;
import org.retinasynth.dataset.SampleGrid;
import org.retinasynth.dataset.UploadReport;
import org.retinasynth.jobs.JobQueue;
import org.retinasynth.jobs.JobRunner;
import org.retinasynth.jobs.JobService;
import org.retinasynth.jobs.JobState;
import org.retinasynth.jobs.Page;
import org.retinasynth.model.TorchRuntime;
import org.retinasynth.quota.Quota;
import org.retinasynth.quota.QuotaService;
import org.retinasynth.security.Owner;
import org.retinasynth.storage.BlobStore;
import org.retinasynth.training.TrainingJob;
import org.retinasynth.training.TrainingService;
import org.springframework.stereotype.Service;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.ObjectMapper;

/**
 * Generated sets of one owner: plan a request against its model, make it at once or queue it,
 * watch, cancel, delete, download (ZIP, grids) and register as a dataset.
 */
@Service
public class GenerationService {

    /** The dataset made from a generated set, and the upload that filled it. */
    public record RegisteredDataset(Dataset dataset, UploadReport upload) {
    }

    static final String MANIFEST = "manifest.csv";
    static final double MAX_TEMPERATURE = 5;

    private final GenerationRepository repository;
    private final GenerationRunner runner;
    private final JobRunner jobs;
    private final JobService core;
    private final JobQueue queue;
    private final TrainingService training;
    private final DatasetService datasets;
    private final ModelCache models;
    private final BlobStore blobs;
    private final GenerationProperties properties;
    private final ObjectMapper json;
    private final QuotaService quotas;
    private final GridCache grids;

    GenerationService(GenerationRepository repository, GenerationRunner runner, JobRunner jobs, JobService core,
                      JobQueue queue, TrainingService training, DatasetService datasets, ModelCache models, BlobStore blobs,
                      GenerationProperties properties, ObjectMapper json, QuotaService quotas,
                      GridCache grids) {
        this.quotas = quotas;
        this.grids = grids;
        this.repository = repository;
        this.runner = runner;
        this.jobs = jobs;
        this.core = core;
        this.queue = queue;
        this.training = training;
        this.datasets = datasets;
        this.models = models;
        this.blobs = blobs;
        this.properties = properties;
        this.json = json;
    }

    /**
     * Up to {@link GenerationProperties#syncMaxImages()} images are made before this returns (state
     * SUCCEEDED); larger sets are queued (state QUEUED).
     */
    public Generation create(Owner owner, GenerationRequest request) {
        validate(request);
        TrainingJob job = succeededModel(owner, request.modelId());
        int[] shape = models.with(job.modelSha256(),
                m -> new int[] {m.config().numClasses(), m.config().imageSize(), m.prior() != null ? 1 : 0});
        String prior = request.prior() != null ? request.prior()
                : shape[2] == 1 ? GenerationRequest.FITTED : GenerationRequest.STANDARD;
        if (prior.equals(GenerationRequest.FITTED) && shape[2] == 0) {
            throw new ConflictException("the model of training job '" + job.id() + "' has no fitted prior (it was "
                    + "trained before models kept one): ask for prior STANDARD");
        }
        GenerationPlan plan = plan(owner, request, job, shape[0], shape[1], prior);
        if (plan.filter() != null && !plan.conditional()) {
            throw new UnprocessableException("filter_unconditional", "the model of training job '" + job.id()
                    + "' is unconditional: its images have no intended grade for a grader to check",
                    Map.of("modelId", job.id()));
        }
        if (plan.total() > properties.maxImages()) {
            throw new IllegalArgumentException("the request makes " + plan.total() + " images; at most "
                    + properties.maxImages() + " are allowed per request");
        }
        quotas.require(owner.id(), Quota.IMAGES_PER_GENERATION, plan.total());
        quotas.require(owner.id(), Quota.IMAGES, plan.total());
        String id = UUID.randomUUID().toString();
        repository.insert(id, owner.id(), job.id(), job.modelSha256(), plan, provenance(id, job, plan));
        // a filtered set trains its grader first: never in the request thread
        if (plan.total() <= properties.syncMaxImages() && plan.filter() == null) {
            jobs.execute(runner, id, "request:" + queue.workerName());
            Generation g = get(owner, id);
            if (g.state() != JobState.SUCCEEDED) {
                throw new IllegalStateException("generation " + id + " ended " + g.state() + ": " + g.error());
            }
            return g;
        }
        queue.enqueue(GenerationRunner.TYPE, id);
        return get(owner, id);
    }

    public Generation get(Owner owner, String id) {
        return repository.find(owner.id(), id).orElseThrow(() -> new NotFoundException("generation", id));
    }

    public Page<Generation> list(Owner owner, String modelId, JobState state, int page, int size) {
        return repository.page(owner.id(), modelId, state, page, size);
    }

    /** A queued set ends at once; a running one after its current chunk. Its finished chunks stay. */
    public Generation cancel(Owner owner, String id) {
        core.cancel(owner, GenerationRunner.TYPE, id);
        return get(owner, id);
    }

    /** Deletes an ended set and the image blobs no other set or dataset still uses. */
    public void delete(Owner owner, String id) {
        get(owner, id);
        core.delete(owner, GenerationRunner.TYPE, id, repository.blobs(id));
    }

    /**
     * The set as a ZIP in ImageFolder layout ({@code <grade>/<file>.png}) with {@value #MANIFEST}
     * (file, grade, split, quality, device, model, model_sha256, seed, temperature, generation), which
     * the dataset ZIP upload reads as its labels. The split column is {@code train} for every image:
     * synthetic images must not reach a validation or test split on re-upload.
     */
    public void writeZip(Owner owner, String id, OutputStream out) {
        Generation g = succeeded(owner, id);
        List<GeneratedImage> images = repository.images(id, null, Integer.MAX_VALUE);
        try {
            ZipOutputStream zip = new ZipOutputStream(out);
            zip.setLevel(1); // PNGs are compressed already
            zip.putNextEntry(new ZipEntry(MANIFEST));
            zip.write(manifest(g, images));
            zip.closeEntry();
            for (GeneratedImage i : images) {
                zip.putNextEntry(new ZipEntry(i.filename()));
                zip.write(blob(i.sha256()));
                zip.closeEntry();
            }
            zip.finish();
            zip.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One row of up to {@code perGrade} images per grade, or one grade only. */
    public byte[] grid(Owner owner, String id, Integer grade, int perGrade) {
        Generation g = get(owner, id);
        if (perGrade < 1 || perGrade > 64) {
            throw new IllegalArgumentException("perGrade must be between 1 and 64");
        }
        GenerationPlan plan = g.plan();
        List<String> labels = new ArrayList<>();
        List<List<String>> rows = new ArrayList<>();
        if (!plan.conditional()) {
            if (grade != null) {
                throw new IllegalArgumentException("this set comes from an unconditional model and has no grades");
            }
            labels.add("unlabelled");
            rows.add(shas(repository.images(id, null, perGrade)));
        } else {
            int grades = plan.countsPerGrade().size();
            if (grade != null && (grade < 0 || grade >= grades)) {
                throw new IllegalArgumentException("grade must be between 0 and " + (grades - 1));
            }
            for (int gr = 0; gr < grades; gr++) {
                if (grade == null || grade == gr) {
                    labels.add(gr + " " + plan.classNames().get(gr));
                    rows.add(shas(repository.images(id, gr, perGrade)));
                }
            }
        }
        if (rows.stream().allMatch(List::isEmpty)) {
            throw new ConflictException("generation '" + id + "' has no images" + (grade == null ? "" : " of grade "
                    + grade) + " yet (state " + g.state() + ")");
        }
        return grids.png(labels, rows, Math.max(plan.imageSize(), 64), this::blob);
    }

    /**
     * A new dataset of the owner holding the set, at the model's working size. Every image goes to
     * the train split and is marked synthetic, and the description names the model, seed and
     * temperature, so that synthetic images are never scored as held-out data by accident.
     */
    public RegisteredDataset registerDataset(Owner owner, String id, String name) {
        Generation g = succeeded(owner, id);
        GenerationPlan plan = g.plan();
        if (!plan.conditional()) {
            throw new ConflictException("generation '" + id + "' comes from an unconditional model: its images have "
                    + "no grades, and a dataset needs them");
        }
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name is required");
        }
        String description = String.format(Locale.ROOT,
                "Synthetic: %d images from RetinaSynth generation %s, sampled from model %s (training job %s, "
                        + "model sha256 %s, trained on dataset %s with content sha256 %s), seed %d, temperature %s, "
                        + "%s per grade %s. All images are in the train split.",
                plan.total(), g.id(), g.provenance().modelType(), g.modelJobId(), g.modelSha256(),
                g.provenance().trainingDatasetId(), g.provenance().datasetContentSha256(), plan.seed(),
                plan.temperature(), plan.mode().toLowerCase(Locale.ROOT), plan.countsPerGrade());
        Dataset d = datasets.create(owner, new DatasetService.NewDataset(name.strip(), description,
                plan.imageSize(), plan.classNames(), null, null, null));
        List<GeneratedImage> images = repository.images(id, null, Integer.MAX_VALUE);
        List<DatasetService.UploadedFile> files = new ArrayList<>(images.size());
        for (GeneratedImage i : images) {
            files.add(new DatasetService.UploadedFile(flat(i.filename()), blob(i.sha256())));
        }
        List<GeneratedImage> flatNames = images.stream()
                .map(i -> new GeneratedImage(i.index(), i.chunk(), i.grade(), flat(i.filename()), i.sha256())).toList();
        UploadReport report = datasets.uploadFiles(owner, d.id(), files, manifest(g, flatNames), null, null, false);
        return new RegisteredDataset(datasets.get(owner, d.id()), report);
    }

    private static String flat(String filename) {
        return filename.substring(filename.lastIndexOf('/') + 1);
    }

    private byte[] manifest(Generation g, List<GeneratedImage> images) {
        StringBuilder csv = new StringBuilder();
        try (CSVPrinter p = new CSVPrinter(csv, CSVFormat.DEFAULT.builder().setRecordSeparator("\n").get())) {
            p.printRecord("file", "grade", "split", "quality", "device", "model", "model_sha256", "seed",
                    "temperature", "generation");
            for (GeneratedImage i : images) {
                p.printRecord(i.filename(), i.grade() == null ? "" : i.grade(), "train", "synthetic",
                        "retinasynth-generator", g.modelJobId(), g.modelSha256(), g.plan().seed(),
                        g.plan().temperature(), g.id());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return csv.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The set if it has SUCCEEDED; a 409 otherwise. */
    public Generation succeeded(Owner owner, String id) {
        Generation g = get(owner, id);
        if (g.state() != JobState.SUCCEEDED) {
            throw new ConflictException("generation '" + id + "' is " + g.state() + "; its images can be downloaded "
                    + "once it has SUCCEEDED");
        }
        return g;
    }

    TrainingJob succeededModel(Owner owner, String modelId) {
        TrainingJob job = training.get(owner, modelId);
        if (job.state() != JobState.SUCCEEDED || job.modelSha256() == null) {
            throw new ConflictException("training job '" + modelId + "' is " + job.state()
                    + "; only a SUCCEEDED job has a model to sample from");
        }
        return job;
    }

    private static void validate(GenerationRequest r) {
        List<String> p = new ArrayList<>();
        if (r.modelId() == null || r.modelId().isBlank()) {
            p.add("modelId is required");
        }
        int modes = (r.counts() != null ? 1 : 0) + (Boolean.TRUE.equals(r.balance()) ? 1 : 0) + (r.count() != null ? 1 : 0);
        if (modes != 1) {
            p.add("give exactly one of counts (per grade), balance: true, or count (a total)");
        }
        if (r.prior() != null && !r.prior().equals(GenerationRequest.FITTED) && !r.prior().equals(GenerationRequest.STANDARD)) {
            p.add("prior must be FITTED or STANDARD");
        }
        if (r.counts() != null && (r.counts().isEmpty() || r.counts().stream().anyMatch(c -> c == null || c < 0)
                || r.counts().stream().mapToLong(c -> c == null ? 0 : c).sum() < 1)) {
            p.add("counts must list a count of 0 or more for every grade, at least one image in all");
        }
        if (r.count() != null && r.count() < 1) {
            p.add("count must be at least 1");
        }
        if (r.target() != null && (!Boolean.TRUE.equals(r.balance()) || r.target() < 1)) {
            p.add("target (at least 1) only goes with balance: true");
        }
        if (r.temperature() != null && !(r.temperature() >= 0 && r.temperature() <= MAX_TEMPERATURE)) {
            p.add("temperature must be between 0 and " + MAX_TEMPERATURE);
        }
        if (r.filter() != null && r.filter().threshold() != null
                && !(r.filter().threshold() > 0 && r.filter().threshold() < 1)) {
            p.add("filter.threshold must be in (0, 1)");
        }
        if (r.filter() != null && r.filter().graderEpochs() != null
                && (r.filter().graderEpochs() < 1 || r.filter().graderEpochs() > 200)) {
            p.add("filter.graderEpochs must be 1-200");
        }
        if (!p.isEmpty()) {
            throw new IllegalArgumentException("Invalid generation request: " + String.join("; ", p));
        }
    }

    private GenerationPlan plan(Owner owner, GenerationRequest r, TrainingJob job, int classes, int size,
                                String prior) {
        double temperature = r.temperature() == null ? 1.0 : r.temperature();
        long seed = r.seed() != null ? r.seed() : ThreadLocalRandom.current().nextLong(1L << 48);
        int chunk = Math.max(1, properties.chunkSize());
        if (classes == 0) {
            if (r.count() == null) {
                throw new ConflictException("the model of training job '" + job.id() + "' is unconditional: it "
                        + "cannot generate per grade; ask for a total with count");
            }
            return new GenerationPlan("TOTAL", null, r.count(), null, null, temperature, seed, chunk, size, null, prior,
                    r.filter());
        }
        List<String> classNames = classNames(owner, job, classes);
        if (r.count() != null) {
            throw new ConflictException("the model of training job '" + job.id() + "' is conditional on " + classes
                    + " grades: give counts per grade or balance: true");
        }
        if (r.counts() != null) {
            if (r.counts().size() != classes) {
                throw new IllegalArgumentException("counts must list " + classes + " grades (the model's), got "
                        + r.counts().size());
            }
            return new GenerationPlan("COUNTS", List.copyOf(r.counts()), total(r.counts()), null, null, temperature,
                    seed, chunk, size, classNames, prior, r.filter());
        }
        List<Long> train = trainCounts(owner, job, classes);
        long target = r.target() != null ? r.target() : Collections.max(train);
        List<Integer> counts = train.stream().map(n -> (int) Math.max(0, Math.min(target - n, Integer.MAX_VALUE)))
                .toList();
        long total = counts.stream().mapToLong(Integer::longValue).sum();
        if (total == 0) {
            throw new ConflictException("every grade of the training split already has at least " + target
                    + " images: nothing to balance; give a larger target");
        }
        if (total > properties.maxImages()) {
            throw new IllegalArgumentException("balancing to " + target + " per grade makes " + total
                    + " images; at most " + properties.maxImages() + " are allowed per request");
        }
        return new GenerationPlan("BALANCE", counts, (int) total, (int) Math.min(target, Integer.MAX_VALUE), train,
                temperature, seed, chunk, size, classNames, prior, r.filter());
    }

    private static int total(List<Integer> counts) {
        long t = counts.stream().mapToLong(Integer::longValue).sum();
        return (int) Math.min(t, Integer.MAX_VALUE);
    }

    /** The training split as it is now: the dataset may have grown since the model was trained. */
    private List<Long> trainCounts(Owner owner, TrainingJob job, int classes) {
        List<Long> train;
        try {
            train = datasets.stats(owner, job.datasetId()).countsBySplit().get("train");
        } catch (NotFoundException gone) {
            throw new ConflictException("the training dataset '" + job.datasetId() + "' of this model no longer "
                    + "exists, so there is nothing to balance; give counts per grade");
        }
        if (train == null || train.size() != classes) {
            throw new ConflictException("the training dataset no longer has the model's " + classes + " grades; "
                    + "give counts per grade");
        }
        return train;
    }

    private List<String> classNames(Owner owner, TrainingJob job, int classes) {
        try {
            List<String> names = datasets.get(owner, job.datasetId()).classNames();
            if (names.size() == classes) {
                return names;
            }
        } catch (NotFoundException gone) {
            // the training dataset was deleted; the model still knows how many grades it has
        }
        if (classes == GradeScale.ICDR.size()) {
            return GradeScale.ICDR;
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < classes; i++) {
            names.add("grade " + i);
        }
        return names;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> engine(Object recorded) {
        return recorded instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
    }

    private GenerationProvenance provenance(String id, TrainingJob job, GenerationPlan plan) {
        Map<String, Object> model = job.provenanceJson() == null ? Map.of()
                : json.readValue(job.provenanceJson(), new TypeReference<Map<String, Object>>() {
                });
        return new GenerationProvenance(id, job.id(), job.modelSha256(), job.modelType().name(), job.datasetId(),
                (String) model.get("datasetContentSha256"), job.spec().seed(), plan.mode(), plan.countsPerGrade(),
                plan.total(), plan.seed(), plan.temperature(), plan.chunkSize(),
                "seed XOR (0x9E3779B97F4A7C15 * (chunk + 1))", TorchRuntime.info(), engine(model.get("engine")),
                System.getProperty("java.version"),
                String.valueOf(GenerationService.class.getPackage().getImplementationVersion()), plan.prior(), null, null,
                null, plan.filter() == null ? null : new GenerationProvenance.FilterProvenance(
                        "keep an image of grade g only if the grader gives g probability >= threshold; a chunk's grade"
                        + " that spends its budget keeps what passed", plan.filter().thresholdOrDefault(),
                        GradeFilter.DEFAULT_DRAWS_PER_IMAGE, null, null, null, Map.of(), List.of()));
    }

    private static List<String> shas(List<GeneratedImage> images) {
        return images.stream().map(GeneratedImage::sha256).toList();
    }

    private byte[] blob(String sha) {
        return blobs.get(sha).orElseThrow(() -> new IllegalStateException("blob " + sha + " is missing from the store"));
    }
}
