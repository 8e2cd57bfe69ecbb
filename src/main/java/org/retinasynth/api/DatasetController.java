package org.retinasynth.api;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.retinasynth.api.DatasetDtos.CreateDatasetRequest;
import org.retinasynth.api.DatasetDtos.DatasetResponse;
import org.retinasynth.api.DatasetDtos.DemoDatasetRequest;
import org.retinasynth.api.DatasetDtos.ImageResponse;
import org.retinasynth.api.DatasetDtos.PageResponse;
import org.retinasynth.dataset.DatasetService;
import org.retinasynth.dataset.DatasetService.NewDataset;
import org.retinasynth.dataset.DatasetService.UploadedFile;
import org.retinasynth.dataset.DatasetStats;
import org.retinasynth.dataset.Split;
import org.retinasynth.dataset.UploadReport;
import org.retinasynth.security.Owner;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.validation.annotation.Validated;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

@RestController
@RequestMapping("/api/v1/datasets")
@Tag(name = "Datasets", description = "Graded fundus image sets: create, upload, inspect")
@Validated
class DatasetController {

    private static final String ALLOW_OVERLAP = "Store given splits that put one patient in more than one split "
            + "(otherwise 422 naming the patients); the stats then list the overlap";

    private final DatasetService datasets;

    DatasetController(DatasetService datasets) {
        this.datasets = datasets;
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "createDataset",
            summary = "Create an empty dataset", description = "Images are added with the upload endpoints.")
    @ApiResponse(responseCode = "201", description = "Created")
    @ApiResponse(responseCode = "409", description = "You already have a dataset of that name",
            content = @Content(mediaType = "application/problem+json"))
    ResponseEntity<DatasetResponse> create(Owner owner, @Valid @RequestBody CreateDatasetRequest request) {
        var d = datasets.create(owner, new NewDataset(request.name(), request.description(), request.workingSize(),
                request.classNames(), request.splitSeed(), request.valFraction(), request.testFraction()));
        return created(d.id(), DatasetResponse.of(d));
    }

    @PostMapping(path = "/demo", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "createDemoDataset", summary = "Create a dataset of synthetic fundus phantoms",
            description = "Renders phantoms with known grades (microaneurysms, haemorrhages, exudates, "
                    + "neovascularisation by grade) framed like 3:2 camera images, so every endpoint can be tried "
                    + "without data of your own.")
    @ApiResponse(responseCode = "201", description = "Created and filled")
    @ApiResponse(responseCode = "409", description = "You already have a dataset of that name",
            content = @Content(mediaType = "application/problem+json"))
    ResponseEntity<DatasetResponse> demo(Owner owner, @Valid @RequestBody DemoDatasetRequest request) {
        List<Integer> counts = request.countsPerGrade() != null ? request.countsPerGrade() : List.of(30, 8, 16, 6, 4);
        long seed = request.seed() != null ? request.seed() : 7L;
        var d = datasets.createDemo(owner, new NewDataset(request.name(), "synthetic fundus phantoms, seed " + seed,
                        request.workingSize(), null, seed, request.valFraction(), request.testFraction()), counts,
                Objects.requireNonNullElse(request.imageSize(), 256), seed);
        return created(d.id(), DatasetResponse.of(d));
    }

    @GetMapping
    @Operation(operationId = "listDatasets", summary = "List your datasets, newest first")
    PageResponse<DatasetResponse> list(Owner owner,
                                       @RequestParam(defaultValue = "0") @Min(0) int page,
                                       @RequestParam(defaultValue = "20") @Min(1) @Max(200) int size) {
        var p = datasets.list(owner, page, size);
        return new PageResponse<>(p.items().stream().map(DatasetResponse::of).toList(), p.page(), p.size(), p.total());
    }

    @GetMapping("/{id}")
    @Operation(operationId = "getDataset", summary = "Get a dataset")
    DatasetResponse get(Owner owner, @PathVariable String id) {
        return DatasetResponse.of(datasets.get(owner, id));
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(operationId = "deleteDataset", summary = "Delete a dataset with its images",
            description = "Stored bytes are removed unless another dataset holds the same content. While training "
                    + "jobs or studies that read it are queued or running the answer is 409 with their ids in "
                    + "`dependants`; `cascade=true` cancels them first, then deletes.")
    @ApiResponse(responseCode = "204", description = "Deleted")
    @ApiResponse(responseCode = "409", description = "Unfinished jobs read the dataset (listed in `dependants`)",
            content = @Content(mediaType = "application/problem+json"))
    void delete(Owner owner, @PathVariable String id,
                @Parameter(description = "cancel the jobs that read the dataset, then delete")
                @RequestParam(defaultValue = "false") boolean cascade) {
        datasets.delete(owner, id, cascade);
    }

    @PostMapping(path = "/{id}/images", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    @Operation(operationId = "uploadImages", summary = "Upload image files with labels",
            description = "PNG, JPEG or TIFF files plus a labels CSV (`filename,grade` with optional `split`, "
                    + "`quality`, `device`, `patient` (or `patient_id`, `subject`) and `eye` (or `laterality`: "
                    + "left/right, L/R, OS/OD); APTOS `id_code,diagnosis` and EyePACS `image,level` are recognised), "
                    + "or one `grade` (and `split`) for all files. Good files are stored; every refused file is "
                    + "listed with its reason. Images without a split are split by grade and, where a patient is "
                    + "named, by patient, so no patient lands in two splits.")
    @ApiResponse(responseCode = "201", description = "Stored; see rejectedFiles for refused files")
    ResponseEntity<UploadReport> uploadImages(
            Owner owner, @PathVariable String id,
            @RequestPart("files") List<MultipartFile> files,
            @RequestPart(name = "labels", required = false) MultipartFile labels,
            @Parameter(description = "Grade for all files when no labels CSV is sent", example = "2")
            @RequestParam(required = false) String grade,
            @Parameter(description = "Split for all files when no labels CSV is sent (train, val, test)")
            @RequestParam(required = false) String split,
            @Parameter(description = ALLOW_OVERLAP) @RequestParam(defaultValue = "false") boolean allowPatientOverlap) {
        List<UploadedFile> uploaded = new ArrayList<>();
        for (MultipartFile f : files) {
            uploaded.add(new UploadedFile(f.getOriginalFilename(), bytes(f)));
        }
        return stored(datasets.uploadFiles(owner, id, uploaded, labels == null ? null : bytes(labels), grade, split,
                allowPatientOverlap));
    }

    @PostMapping(path = "/{id}/zip", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    @Operation(operationId = "uploadZip", summary = "Upload a ZIP archive",
            description = "ImageFolder layout (`0/…` to `4/…`, optionally under `train/`, `val/`, `test/`) or any "
                    + "layout with one labels CSV inside. An unsafe archive (path traversal, absolute paths, nested "
                    + "archives, zip bomb, truncated) is refused whole and nothing is stored. The CSV takes the same "
                    + "columns as `uploadImages`, patient and eye included.")
    @ApiResponse(responseCode = "201", description = "Stored; see rejectedFiles for refused files")
    ResponseEntity<UploadReport> uploadZip(Owner owner, @PathVariable String id, @RequestPart("file") MultipartFile file,
                                           @Parameter(description = ALLOW_OVERLAP)
                                           @RequestParam(defaultValue = "false") boolean allowPatientOverlap) {
        return withTempFile(file, path -> datasets.uploadZip(owner, id, path, displayName(file), file.getSize(),
                allowPatientOverlap));
    }

    @PostMapping(path = "/{id}/npz", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    @Operation(operationId = "uploadNpz", summary = "Upload a NumPy .npz in the MedMNIST layout",
            description = "Arrays `train_images`, `train_labels`, `val_*`, `test_*`: uint8 N×H×W×3 or N×H×W images "
                    + "and integer labels; the splits are kept. Pickled objects are refused, never loaded.")
    @ApiResponse(responseCode = "201", description = "Stored")
    ResponseEntity<UploadReport> uploadNpz(Owner owner, @PathVariable String id, @RequestPart("file") MultipartFile file) {
        return withTempFile(file, path -> datasets.uploadNpz(owner, id, path, displayName(file), file.getSize()));
    }

    @GetMapping("/{id}/uploads")
    @Operation(operationId = "listUploads", summary = "Reports of every upload into a dataset")
    List<UploadReport> uploads(Owner owner, @PathVariable String id) {
        return datasets.uploads(owner, id);
    }

    @GetMapping("/{id}/images")
    @Operation(operationId = "listImages", summary = "List a dataset's images")
    PageResponse<ImageResponse> images(Owner owner, @PathVariable String id,
                                       @RequestParam(required = false) @Min(0) Integer grade,
                                       @Parameter(schema = @Schema(allowableValues = {"train", "val", "test"}))
                                       @RequestParam(required = false) String split,
                                       @RequestParam(defaultValue = "0") @Min(0) int page,
                                       @RequestParam(defaultValue = "50") @Min(1) @Max(500) int size) {
        var p = datasets.images(owner, id, grade, split(split), page, size);
        return new PageResponse<>(p.items().stream().map(ImageResponse::of).toList(), p.page(), p.size(), p.total());
    }

    @GetMapping("/{id}/images/{imageId}")
    @Operation(operationId = "getImage", summary = "Get one image's metadata")
    ImageResponse image(Owner owner, @PathVariable String id, @PathVariable String imageId) {
        return ImageResponse.of(datasets.image(owner, id, imageId));
    }

    @GetMapping("/{id}/images/{imageId}/original")
    @Operation(operationId = "downloadOriginalImage", summary = "Download the original bytes as uploaded")
    @ApiResponse(responseCode = "200", content = {@Content(mediaType = "image/png"), @Content(mediaType = "image/jpeg"),
            @Content(mediaType = "image/tiff")})
    ResponseEntity<byte[]> original(Owner owner, @PathVariable String id, @PathVariable String imageId) {
        return download(datasets.original(owner, id, imageId));
    }

    @GetMapping(path = "/{id}/images/{imageId}/processed.png", produces = MediaType.IMAGE_PNG_VALUE)
    @Operation(operationId = "downloadProcessedImage",
            summary = "Download the preprocessed working-size image (field-of-view crop, square resize)")
    ResponseEntity<byte[]> processed(Owner owner, @PathVariable String id, @PathVariable String imageId) {
        return download(datasets.processed(owner, id, imageId));
    }

    @GetMapping("/{id}/stats")
    @Operation(operationId = "getDatasetStats",
            summary = "Counts per grade and split, class imbalance, and size/brightness/contrast/sharpness per grade")
    DatasetStats stats(Owner owner, @PathVariable String id) {
        return datasets.stats(owner, id);
    }

    @GetMapping(path = "/{id}/grid.png", produces = MediaType.IMAGE_PNG_VALUE)
    @Operation(operationId = "getDatasetGrid", summary = "A sample grid: one row of preprocessed images per grade")
    ResponseEntity<byte[]> grid(Owner owner, @Parameter(description = "Dataset id") @PathVariable String id,
                                @Parameter(description = "Images per grade row (the first ones by filename)")
                                @RequestParam(defaultValue = "8") @Min(1) @Max(32) int perGrade,
                                @Parameter(description = "Only images of this split; all splits when absent",
                                        schema = @Schema(allowableValues = {"train", "val", "test"}))
                                @RequestParam(required = false) String split) {
        return ResponseEntity.ok().contentType(MediaType.IMAGE_PNG)
                .header(HttpHeaders.CONTENT_DISPOSITION, "inline; filename=\"grid.png\"")
                .header("X-Content-Type-Options", "nosniff")
                .body(datasets.grid(owner, id, perGrade, split(split)));
    }

    private static Split split(String split) {
        if (split == null) {
            return null;
        }
        return Split.parse(split).orElseThrow(() -> new IllegalArgumentException(
                "split must be train, val or test, was '" + split + "'"));
    }

    private static ResponseEntity<byte[]> download(DatasetService.Blob blob) {
        // Served as an attachment with nosniff so that uploaded bytes can never render as a page.
        return ResponseEntity.ok().contentType(MediaType.parseMediaType(blob.mediaType()))
                .header(HttpHeaders.CONTENT_DISPOSITION,
                        ContentDisposition.attachment().filename(blob.filename()).build().toString())
                .header("X-Content-Type-Options", "nosniff")
                .body(blob.bytes());
    }

    private static <T> ResponseEntity<T> created(String id, T body) {
        return ResponseEntity.created(ServletUriComponentsBuilder.fromCurrentContextPath()
                .path("/api/v1/datasets/{id}").buildAndExpand(id).toUri()).body(body);
    }

    private static ResponseEntity<UploadReport> stored(UploadReport report) {
        return ResponseEntity.status(HttpStatus.CREATED).body(report);
    }

    private interface PathWork {
        UploadReport apply(Path path);
    }

    /** Archives are read from disk, never held whole in memory as a request body. */
    private static ResponseEntity<UploadReport> withTempFile(MultipartFile file, PathWork work) {
        Path temp = null;
        try {
            temp = Files.createTempFile("retinasynth-upload-", ".bin");
            file.transferTo(temp);
            return stored(work.apply(temp));
        } catch (IOException e) {
            throw new UncheckedIOException("could not spool the upload", e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // the OS temp cleaner gets it
                }
            }
        }
    }

    private static String displayName(MultipartFile f) {
        String name = f.getOriginalFilename();
        return name == null || name.isBlank() ? f.getName() : name;
    }

    private static byte[] bytes(MultipartFile f) {
        try {
            return f.getBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("could not read upload part " + f.getName(), e);
        }
    }
}
