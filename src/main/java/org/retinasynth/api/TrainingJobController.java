package org.retinasynth.api;

import io.swagger.v3.oas.annotations.Parameter;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.util.List;
import org.retinasynth.api.DatasetDtos.PageResponse;
import org.retinasynth.api.TrainingDtos.CreateTrainingJobRequest;
import org.retinasynth.api.TrainingDtos.TrainingJobResponse;
import org.retinasynth.security.Owner;
import org.retinasynth.training.EpochMetrics;
import org.retinasynth.jobs.JobState;
import org.retinasynth.model.ModelType;
import org.retinasynth.training.TrainingService;
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
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

@RestController
@RequestMapping("/api/v1/training-jobs")
@Tag(name = "Training jobs", description = "Train a denoising VAE or a plain VAE on a dataset, asynchronously")
@Validated
class TrainingJobController {

    private final TrainingService training;
    private final JobEvents events;

    TrainingJobController(TrainingService training, JobEvents events) {
        this.events = events;
        this.training = training;
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "createTrainingJob", summary = "Queue a training job",
            description = "The job runs on a worker as soon as one is free; poll it for epoch, step, images/s and "
                    + "ETA. A DVAE needs a corruption (q(x̃|x)); a VAE trains on the images as they are.")
    @ApiResponse(responseCode = "201", description = "Queued")
    @ApiResponse(responseCode = "409", description = "The dataset has fewer than 2 images",
            content = @Content(mediaType = "application/problem+json"))
    ResponseEntity<TrainingJobResponse> create(Owner owner, @Valid @RequestBody CreateTrainingJobRequest request) {
        var job = training.create(owner, request.toSpec());
        return ResponseEntity.created(ServletUriComponentsBuilder.fromCurrentContextPath()
                        .path("/api/v1/training-jobs/{id}").buildAndExpand(job.id()).toUri())
                .body(TrainingJobResponse.of(job));
    }

    @GetMapping
    @Operation(operationId = "listTrainingJobs",
            summary = "List your training jobs, newest first, filtered by dataset, state or model")
    PageResponse<TrainingJobResponse> list(Owner owner, @RequestParam(required = false) String datasetId,
                                           @RequestParam(required = false) JobState state,
                                           @RequestParam(required = false) ModelType model,
                                           @RequestParam(defaultValue = "0") @Min(0) int page,
                                           @RequestParam(defaultValue = "20") @Min(1) @Max(200) int size) {
        var p = training.list(owner, datasetId, state, model, page, size);
        return new PageResponse<>(p.items().stream().map(TrainingJobResponse::of).toList(), p.page(), p.size(),
                p.total());
    }

    @GetMapping("/{id}")
    @Operation(operationId = "getTrainingJob",
            summary = "A job's state and progress: epoch, step, images/s, ETA, device, best validation loss")
    TrainingJobResponse get(Owner owner, @PathVariable String id) {
        return TrainingJobResponse.of(training.get(owner, id));
    }

    @GetMapping(path = "/{id}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @Operation(operationId = "streamTrainingJobEvents", summary = "Progress and state changes of a training job as they happen",
            description = "Server-Sent Events: `state` (first event and each change of state), `progress`, and `end` "
                    + "with the final state, after which the server closes the stream. Send the last event's id as "
                    + "`Last-Event-ID` to resume: the stream then starts with the job as it is now, if it changed.")
    @ApiResponse(responseCode = "200", description = "An event stream until the job ends",
            content = @Content(mediaType = MediaType.TEXT_EVENT_STREAM_VALUE))
    SseEmitter events(Owner owner, @PathVariable String id,
                      @Parameter(description = "Id of the last event received, to resume after it")
                      @RequestHeader(name = "Last-Event-ID", required = false) String lastEventId) {
        return events.subscribe(training.get(owner, id).job(), lastEventId);
    }

    @GetMapping("/{id}/metrics")
    @Operation(operationId = "getTrainingMetrics",
            summary = "Per-epoch history: train and validation loss, reconstruction, KL, denoising PSNR")
    List<EpochMetrics> metrics(Owner owner, @PathVariable String id) {
        return training.metrics(owner, id);
    }

    @GetMapping(path = "/{id}/loss.png", produces = MediaType.IMAGE_PNG_VALUE)
    @Operation(operationId = "getTrainingLossPlot", summary = "Loss curves as a picture")
    ResponseEntity<byte[]> loss(Owner owner, @PathVariable String id) {
        return png(training.lossPng(owner, id));
    }

    @GetMapping(path = "/{id}/reconstructions.png", produces = MediaType.IMAGE_PNG_VALUE)
    @Operation(operationId = "getTrainingReconstructions",
            summary = "Clean / corrupted / reconstructed validation images after the latest epoch")
    @ApiResponse(responseCode = "200", description = "PNG")
    @ApiResponse(responseCode = "409", description = "No epoch has finished yet",
            content = @Content(mediaType = "application/problem+json"))
    ResponseEntity<byte[]> reconstructions(Owner owner, @PathVariable String id) {
        return png(training.reconstructionsPng(owner, id));
    }

    @GetMapping(path = "/{id}/model", produces = "application/zip")
    @Operation(operationId = "downloadModel",
            summary = "Download the trained model: DJL parameters and a JSON config with full provenance")
    @ApiResponse(responseCode = "200", description = "ZIP")
    @ApiResponse(responseCode = "409", description = "The job has not succeeded",
            content = @Content(mediaType = "application/problem+json"))
    ResponseEntity<byte[]> model(Owner owner, @PathVariable String id) {
        return ResponseEntity.ok().contentType(MediaType.parseMediaType("application/zip"))
                .header(HttpHeaders.CONTENT_DISPOSITION,
                        ContentDisposition.attachment().filename("model-" + id + ".zip").build().toString())
                .body(training.model(owner, id));
    }

    @PostMapping("/{id}/cancel")
    @Operation(operationId = "cancelTrainingJob",
            summary = "Cancel a job: a queued job ends at once, a running one within one batch")
    @ApiResponse(responseCode = "200", description = "Cancelling (or cancelled, if it was queued)")
    @ApiResponse(responseCode = "409", description = "The job already ended",
            content = @Content(mediaType = "application/problem+json"))
    TrainingJobResponse cancel(Owner owner, @PathVariable String id) {
        return TrainingJobResponse.of(training.cancel(owner, id));
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(operationId = "deleteTrainingJob", summary = "Delete an ended job with its checkpoints and model",
            description = "While generations or studies that use its model are queued or running the answer is 409 "
                    + "with their ids in `dependants`; `cascade=true` cancels them first, then deletes.")
    @ApiResponse(responseCode = "204", description = "Deleted")
    @ApiResponse(responseCode = "409", description = "The job is still queued or running, or unfinished jobs use "
            + "its model (listed in `dependants`)", content = @Content(mediaType = "application/problem+json"))
    void delete(Owner owner, @PathVariable String id,
                @Parameter(description = "cancel the jobs that use the model, then delete")
                @RequestParam(defaultValue = "false") boolean cascade) {
        training.delete(owner, id, cascade);
    }

    private static ResponseEntity<byte[]> png(byte[] bytes) {
        return ResponseEntity.ok().contentType(MediaType.IMAGE_PNG).header("X-Content-Type-Options", "nosniff")
                .body(bytes);
    }
}
