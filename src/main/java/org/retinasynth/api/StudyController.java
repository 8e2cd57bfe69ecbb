package org.retinasynth.api;

import io.swagger.v3.oas.annotations.Parameter;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import java.nio.charset.StandardCharsets;
import org.retinasynth.api.DatasetDtos.PageResponse;
import org.retinasynth.api.StudyDtos.CreateStudyRequest;
import org.retinasynth.api.StudyDtos.StudyResponse;
import org.retinasynth.study.StudyReport;
import org.retinasynth.study.StudyService;
import org.retinasynth.security.Owner;
import org.retinasynth.jobs.JobState;
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
@RequestMapping("/api/v1/studies")
@Tag(name = "Studies", description = "Compare real, classically augmented and VAE/DVAE-augmented training sets "
        + "for a grade classifier, with representation, synthetic-quality and robustness metrics")
@Validated
class StudyController {

    /** The report page embeds its figures and its one style sheet; it loads and runs nothing else. */
    private static final String HTML_POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
            + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private final StudyService studies;
    private final JobEvents events;

    StudyController(StudyService studies, JobEvents events) {
        this.events = events;
        this.studies = studies;
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "createStudy", summary = "Queue a study",
            description = "Trains the VAE and DVAE (or takes finished training jobs), then a classifier per arm and "
                    + "seed, and scores everything on the untouched test split. Poll it for phase, step and ETA.")
    @ApiResponse(responseCode = "201", description = "Queued")
    @ApiResponse(responseCode = "400", description = "The spec is invalid; every problem is listed",
            content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(responseCode = "404", description = "No such dataset or training job of yours",
            content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(responseCode = "409", description = "The dataset lacks training or test images, or a given "
            + "training job has not succeeded", content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(responseCode = "422", description = "An external test set is not external: 'code' is "
            + "external_is_training (the training dataset itself), external_overlap (shares images with its train or "
            + "val split; 'overlapCount' and the first 'overlappingImages'), external_grades (grades outside the "
            + "study's classes; 'grades') or external_too_small (fewer than 2 images; 'images')",
            content = @Content(mediaType = "application/problem+json", examples = @ExampleObject(name = "overlap",
                    value = "{\"type\":\"about:blank\",\"title\":\"Unprocessable Content\",\"status\":422,"
                            + "\"detail\":\"external test 'clinic-b' shares 1 image(s) (same pixels at 64 px) with the "
                            + "training or validation split of the study's dataset; the first are in "
                            + "'overlappingImages'\",\"instance\":\"/api/v1/studies\",\"code\":\"external_overlap\","
                            + "\"externalTest\":\"clinic-b\",\"overlapCount\":1,\"overlappingImages\":[{"
                            + "\"externalImageId\":\"9b1d…\",\"trainingImage\":\"train/3f0c…\"}]}")))
    ResponseEntity<StudyResponse> create(Owner owner, @Valid @RequestBody CreateStudyRequest request) {
        var study = studies.create(owner, request.toSpec());
        return ResponseEntity.created(ServletUriComponentsBuilder.fromCurrentContextPath()
                        .path("/api/v1/studies/{id}").buildAndExpand(study.id()).toUri())
                .body(StudyResponse.of(study));
    }

    @GetMapping
    @Operation(operationId = "listStudies", summary = "List your studies, newest first, optionally by state")
    PageResponse<StudyResponse> list(Owner owner, @RequestParam(required = false) JobState state,
                                     @RequestParam(defaultValue = "0") @Min(0) int page,
                                     @RequestParam(defaultValue = "20") @Min(1) @Max(200) int size) {
        var p = studies.list(owner, state, page, size);
        return new PageResponse<>(p.items().stream().map(StudyResponse::of).toList(), p.page(), p.size(), p.total());
    }

    @GetMapping("/{id}")
    @Operation(operationId = "getStudy", summary = "A study's state and progress: phase, finished units of total, ETA")
    StudyResponse get(Owner owner, @PathVariable String id) {
        return StudyResponse.of(studies.get(owner, id));
    }

    @GetMapping(path = "/{id}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @Operation(operationId = "streamStudyEvents", summary = "Progress and state changes of a study as they happen",
            description = "Server-Sent Events: `state` (first event and each change of state), `progress`, and `end` "
                    + "with the final state, after which the server closes the stream. Send the last event's id as "
                    + "`Last-Event-ID` to resume: the stream then starts with the study as it is now, if it changed.")
    @ApiResponse(responseCode = "200", description = "An event stream until the study ends",
            content = @Content(mediaType = MediaType.TEXT_EVENT_STREAM_VALUE))
    SseEmitter events(Owner owner, @PathVariable String id,
                      @Parameter(description = "Id of the last event received, to resume after it")
                      @RequestHeader(name = "Last-Event-ID", required = false) String lastEventId) {
        return events.subscribe(studies.get(owner, id).job(), lastEventId);
    }

    @GetMapping("/{id}/report")
    @Operation(operationId = "getStudyReport",
            summary = "The report as JSON: summaries over seeds, paired differences to REAL, representation, "
            + "synthetic quality, robustness curves, per-seed results, figures and provenance")
    @ApiResponse(responseCode = "200", description = "The report")
    @ApiResponse(responseCode = "409", description = "The study has not succeeded",
            content = @Content(mediaType = "application/problem+json"))
    StudyReport report(Owner owner, @PathVariable String id) {
        return studies.report(owner, id);
    }

    @GetMapping(path = "/{id}/report.csv", produces = "text/csv")
    @Operation(operationId = "getStudyReportCsv",
            summary = "Per-seed values in long format: arm, seed, metric, condition, severity, value")
    @ApiResponse(responseCode = "200", description = "CSV")
    @ApiResponse(responseCode = "409", description = "The study has not succeeded",
            content = @Content(mediaType = "application/problem+json"))
    ResponseEntity<byte[]> csv(Owner owner, @PathVariable String id) {
        return ResponseEntity.ok().contentType(new MediaType("text", "csv", StandardCharsets.UTF_8))
                .header("X-Content-Type-Options", "nosniff")
                .body(studies.reportCsv(owner, id).getBytes(StandardCharsets.UTF_8));
    }

    @GetMapping(path = "/{id}/report.html", produces = MediaType.TEXT_HTML_VALUE)
    @Operation(operationId = "getStudyReportHtml",
            summary = "The report as a self-contained HTML page: tables and the figures as data URIs")
    @ApiResponse(responseCode = "200", description = "HTML page")
    @ApiResponse(responseCode = "409", description = "The study has not succeeded",
            content = @Content(mediaType = "application/problem+json"))
    ResponseEntity<byte[]> html(Owner owner, @PathVariable String id) {
        return ResponseEntity.ok().contentType(new MediaType("text", "html", StandardCharsets.UTF_8))
                .header("Content-Security-Policy", HTML_POLICY).header("X-Content-Type-Options", "nosniff")
                .body(studies.reportHtml(owner, id).getBytes(StandardCharsets.UTF_8));
    }

    @GetMapping(path = "/{id}/figures/{name}.png", produces = MediaType.IMAGE_PNG_VALUE)
    @Operation(operationId = "getStudyFigure", summary = "One figure of the report, by the name the report lists")
    @ApiResponse(responseCode = "200", description = "PNG")
    @ApiResponse(responseCode = "404", description = "No such study or figure",
            content = @Content(mediaType = "application/problem+json"))
    ResponseEntity<byte[]> figure(Owner owner, @PathVariable String id,
                                  @PathVariable @Pattern(regexp = "[A-Za-z0-9_.-]{1,100}") String name) {
        return ResponseEntity.ok().contentType(MediaType.IMAGE_PNG).header("X-Content-Type-Options", "nosniff")
                .body(studies.figure(owner, id, name));
    }

    @PostMapping("/{id}/cancel")
    @Operation(operationId = "cancelStudy",
            summary = "Cancel a study: a queued one ends at once, a running one within one batch")
    @ApiResponse(responseCode = "200", description = "Cancelling (or cancelled, if it was queued)")
    @ApiResponse(responseCode = "409", description = "The study already ended",
            content = @Content(mediaType = "application/problem+json"))
    StudyResponse cancel(Owner owner, @PathVariable String id) {
        return StudyResponse.of(studies.cancel(owner, id));
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(operationId = "deleteStudy", summary = "Delete an ended study with its models and report")
    @ApiResponse(responseCode = "204", description = "Deleted")
    @ApiResponse(responseCode = "409", description = "The study is still queued or running",
            content = @Content(mediaType = "application/problem+json"))
    void delete(Owner owner, @PathVariable String id) {
        studies.delete(owner, id);
    }
}
