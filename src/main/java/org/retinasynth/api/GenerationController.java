package org.retinasynth.api;

import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.retinasynth.api.DatasetDtos.PageResponse;
import org.retinasynth.api.GenerationDtos.CreateGenerationRequest;
import org.retinasynth.api.GenerationDtos.GenerationResponse;
import org.retinasynth.api.GenerationDtos.RegisterDatasetRequest;
import org.retinasynth.api.GenerationDtos.RegisteredDatasetResponse;
import org.retinasynth.generation.Generation;
import org.retinasynth.generation.GenerationService;
import org.retinasynth.security.Owner;
import org.retinasynth.jobs.JobState;
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
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

@RestController
@RequestMapping("/api/v1/generations")
@Tag(name = "Generations", description = "Synthetic images per grade from a trained model")
@Validated
class GenerationController {

    private final GenerationService generations;
    private final JobEvents events;

    GenerationController(GenerationService generations, JobEvents events) {
        this.events = events;
        this.generations = generations;
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "createGeneration", summary = "Generate synthetic images",
            description = "Counts per grade, `balance` (top every grade of the model's training split up to the "
                    + "largest grade's count, or to `target`), or a total `count` for an unconditional model. "
                    + "Small requests (retinasynth.generation.sync-max-images, default 256) are made at once (201, "
                    + "SUCCEEDED); larger ones run as a job (202, QUEUED): poll it for done/total, images/s, ETA. "
                    + "The same model, request and seed give byte-identical PNGs.")
    @ApiResponse(responseCode = "201", description = "Made")
    @ApiResponse(responseCode = "202", description = "Queued as a job")
    @ApiResponse(responseCode = "400", description = "Bad counts, temperature or mode",
            content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(responseCode = "404", description = "No such training job of yours",
            content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(responseCode = "409", description = "The training job has not SUCCEEDED, the request does not fit "
            + "the model (per-grade counts from an unconditional model), or there is nothing to balance",
            content = @Content(mediaType = "application/problem+json"))
    ResponseEntity<GenerationResponse> create(Owner owner, @Valid @RequestBody CreateGenerationRequest request) {
        Generation g = generations.create(owner, request.toRequest());
        return ResponseEntity.status(g.state() == JobState.QUEUED ? HttpStatus.ACCEPTED : HttpStatus.CREATED)
                .location(ServletUriComponentsBuilder.fromCurrentContextPath().path("/api/v1/generations/{id}")
                        .buildAndExpand(g.id()).toUri())
                .body(GenerationResponse.of(g));
    }

    @GetMapping
    @Operation(operationId = "listGenerations",
            summary = "List your generated sets, newest first, filtered by model or state")
    PageResponse<GenerationResponse> list(Owner owner, @RequestParam(required = false) String modelId,
                                          @RequestParam(required = false) JobState state,
                                          @RequestParam(defaultValue = "0") @Min(0) int page,
                                          @RequestParam(defaultValue = "20") @Min(1) @Max(200) int size) {
        var p = generations.list(owner, modelId, state, page, size);
        return new PageResponse<>(p.items().stream().map(GenerationResponse::of).toList(), p.page(), p.size(),
                p.total());
    }

    @GetMapping("/{id}")
    @Operation(operationId = "getGeneration",
            summary = "A generated set's state, progress (done/total, images/s, ETA) and provenance")
    GenerationResponse get(Owner owner, @PathVariable String id) {
        return GenerationResponse.of(generations.get(owner, id));
    }

    @GetMapping(path = "/{id}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @Operation(operationId = "streamGenerationEvents", summary = "Progress and state changes of a generated set as they happen",
            description = "Server-Sent Events: `state` (first event and each change of state), `progress`, and `end` "
                    + "with the final state, after which the server closes the stream. Send the last event's id as "
                    + "`Last-Event-ID` to resume: the stream then starts with the set as it is now, if it changed.")
    @ApiResponse(responseCode = "200", description = "An event stream until the set ends",
            content = @Content(mediaType = MediaType.TEXT_EVENT_STREAM_VALUE))
    SseEmitter events(Owner owner, @PathVariable String id,
                      @Parameter(description = "Id of the last event received, to resume after it")
                      @RequestHeader(name = "Last-Event-ID", required = false) String lastEventId) {
        return events.subscribe(generations.get(owner, id).job(), lastEventId);
    }

    @GetMapping(path = "/{id}/images.zip", produces = "application/zip")
    @Operation(operationId = "downloadGenerationZip", summary = "Download the set as a ZIP",
            description = "ImageFolder layout (`<grade>/<file>.png`) with `manifest.csv` (file, grade, split, quality, "
                    + "device, model, model_sha256, seed, temperature, generation). Upload it as it is with "
                    + "`POST /api/v1/datasets/{id}/zip`: every image lands in the train split.")
    @ApiResponse(responseCode = "200", description = "The ZIP, streamed",
            content = @Content(mediaType = "application/zip", schema = @Schema(type = "string", format = "binary")))
    @ApiResponse(responseCode = "409", description = "The set has not SUCCEEDED",
            content = @Content(mediaType = "application/problem+json"))
    ResponseEntity<StreamingResponseBody> zip(Owner owner, @PathVariable String id) {
        generations.succeeded(owner, id); // 404 / 409 as problem+json before the stream starts
        StreamingResponseBody body = out -> generations.writeZip(owner, id, out);
        return ResponseEntity.ok().contentType(MediaType.parseMediaType("application/zip"))
                .header(HttpHeaders.CONTENT_DISPOSITION,
                        ContentDisposition.attachment().filename("generation-" + id + ".zip").build().toString())
                .body(body);
    }

    @GetMapping(path = "/{id}/grid.png", produces = MediaType.IMAGE_PNG_VALUE)
    @Operation(operationId = "getGenerationGrid", summary = "A sample grid: one row per grade, or one grade only")
    @ApiResponse(responseCode = "200", description = "PNG",
            content = @Content(mediaType = "image/png", schema = @Schema(type = "string", format = "binary")))
    @ApiResponse(responseCode = "409", description = "No image made yet",
            content = @Content(mediaType = "application/problem+json"))
    ResponseEntity<byte[]> grid(Owner owner, @Parameter(description = "Generated set id") @PathVariable String id,
                                @Parameter(description = "Only this grade, in rows of perGrade; every grade when absent")
                                @RequestParam(required = false) @Min(0) Integer grade,
                                @Parameter(description = "Images per grade row, in generation order")
                                @RequestParam(defaultValue = "8") @Min(1) @Max(64) int perGrade) {
        return ResponseEntity.ok().contentType(MediaType.IMAGE_PNG).header("X-Content-Type-Options", "nosniff")
                .body(generations.grid(owner, id, grade, perGrade));
    }

    @PostMapping(path = "/{id}/dataset", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "registerGenerationAsDataset", summary = "Register the set as a new dataset",
            description = "At the model's working size, every image in the train split and labelled quality "
                    + "`synthetic`; the description names the generation, model, seed and temperature.")
    @ApiResponse(responseCode = "201", description = "Created")
    @ApiResponse(responseCode = "409", description = "The set has not SUCCEEDED, has no grades (unconditional "
            + "model), or the name is taken", content = @Content(mediaType = "application/problem+json"))
    ResponseEntity<RegisteredDatasetResponse> register(Owner owner, @PathVariable String id,
                                                       @Valid @RequestBody RegisterDatasetRequest request) {
        var r = generations.registerDataset(owner, id, request.name());
        return ResponseEntity.created(ServletUriComponentsBuilder.fromCurrentContextPath()
                        .path("/api/v1/datasets/{id}").buildAndExpand(r.dataset().id()).toUri())
                .body(RegisteredDatasetResponse.of(r.dataset(), r.upload()));
    }

    @PostMapping("/{id}/cancel")
    @Operation(operationId = "cancelGeneration",
            summary = "Cancel a set: a queued one ends at once, a running one after its current chunk")
    @ApiResponse(responseCode = "200", description = "Cancelling (or cancelled, if it was queued)")
    @ApiResponse(responseCode = "409", description = "The set already ended",
            content = @Content(mediaType = "application/problem+json"))
    GenerationResponse cancel(Owner owner, @PathVariable String id) {
        return GenerationResponse.of(generations.cancel(owner, id));
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(operationId = "deleteGeneration",
            summary = "Delete an ended set and its images (datasets made from it keep theirs)")
    @ApiResponse(responseCode = "204", description = "Deleted")
    @ApiResponse(responseCode = "409", description = "The set is still queued or running",
            content = @Content(mediaType = "application/problem+json"))
    void delete(Owner owner, @PathVariable String id) {
        generations.delete(owner, id);
    }
}
