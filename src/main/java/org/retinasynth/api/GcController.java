package org.retinasynth.api;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import org.retinasynth.common.ForbiddenException;
import org.retinasynth.common.NotFoundException;
import org.retinasynth.gc.BlobGc;
import org.retinasynth.gc.GcReport;
import org.retinasynth.security.Owner;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/admin/gc")
@Tag(name = "Administration", description = "Blob garbage collection (admin only): what a sweep would free, "
        + "a sweep now, and the last report.")
class GcController {

    private static final String PROBLEM = "application/problem+json";

    private final BlobGc gc;

    GcController(BlobGc gc) {
        this.gc = gc;
    }

    @PostMapping
    @Operation(operationId = "collectGarbage", summary = "Dry run here and now (default), or a sweep on a worker",
            description = "A dry run lists the store and reports what a sweep would delete: blobs no row names, "
                    + "written longer than the grace period ago. dryRun=false moves the next scheduled sweep to "
                    + "now; one worker runs it within its poll interval, and GET shows its report.")
    @ApiResponse(responseCode = "200", description = "Dry run report; nothing was deleted")
    @ApiResponse(responseCode = "202", description = "Sweep scheduled; its report appears at GET /api/v1/admin/gc",
            content = @Content)
    @ApiResponse(responseCode = "403", description = "Not an admin", content = @Content(mediaType = PROBLEM))
    @ApiResponse(responseCode = "409", description = "A sweep is running now, or scheduled sweeps are disabled",
            content = @Content(mediaType = PROBLEM))
    ResponseEntity<GcReport> collect(Owner owner,
                                     @Parameter(description = "report only, delete nothing")
                                     @RequestParam(defaultValue = "true") boolean dryRun) {
        requireAdmin(owner);
        if (dryRun) {
            return ResponseEntity.ok(gc.run(true));
        }
        gc.requestSweep();
        return ResponseEntity.accepted().location(URI.create("/api/v1/admin/gc")).build();
    }

    @GetMapping
    @Operation(operationId = "getGarbageCollectionReport", summary = "The last dry run's or sweep's report")
    @ApiResponse(responseCode = "200", description = "The most recent report, from whichever instance ran it")
    @ApiResponse(responseCode = "403", description = "Not an admin", content = @Content(mediaType = PROBLEM))
    @ApiResponse(responseCode = "404", description = "No run yet", content = @Content(mediaType = PROBLEM))
    GcReport last(Owner owner) {
        requireAdmin(owner);
        return gc.last().orElseThrow(() -> new NotFoundException("garbage collection report", "last"));
    }

    private static void requireAdmin(Owner owner) {
        if (!owner.admin()) {
            throw new ForbiddenException("only an admin may run or read garbage collection");
        }
    }
}
