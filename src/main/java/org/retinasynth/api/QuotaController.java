package org.retinasynth.api;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.retinasynth.common.ForbiddenException;
import org.retinasynth.common.NotFoundException;
import org.retinasynth.quota.QuotaService;
import org.retinasynth.quota.Quotas;
import org.retinasynth.quota.Usage;
import org.retinasynth.security.Owner;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Tag(name = "Quotas", description = "Per-owner limits and use. A request that would pass a limit answers 409 "
        + "(code quota_exceeded, naming the quota, its limit, the use and what the request adds) and stores nothing.")
class QuotaController {

    @Schema(description = "An owner's limits and what it uses now")
    record QuotaResponse(String owner, Quotas limits, Usage usage) {
    }

    @Schema(description = "An owner's own limits; a field left out (null) takes the configured default")
    record QuotaRequest(@Schema(example = "10737418240") Long storedBytes, @Schema(example = "100000") Long images,
                        @Schema(example = "20") Long activeJobs, @Schema(example = "5000") Long imagesPerGeneration) {
    }

    private final QuotaService quotas;

    /** Another owner is absent (404) to anyone but an admin, as its resources are. */
    private String visibleOwner(Owner who, String name) {
        if (!who.admin() && !who.name().equals(name)) {
            throw new NotFoundException("owner", name);
        }
        return quotas.ownerId(name);
    }

    QuotaController(QuotaService quotas) {
        this.quotas = quotas;
    }

    @GetMapping("/api/v1/usage")
    @Operation(operationId = "getUsage", summary = "Your limits and what you use now")
    QuotaResponse usage(Owner owner) {
        return new QuotaResponse(owner.name(), quotas.limits(owner.id()), quotas.usage(owner.id()));
    }

    @GetMapping("/api/v1/owners/{owner}/quotas")
    @Operation(operationId = "getOwnerQuotas",
            summary = "An owner's limits and use (an admin for any owner, others for themselves)")
    QuotaResponse get(Owner who, @PathVariable("owner") String name) {
        String id = visibleOwner(who, name);
        return new QuotaResponse(name, quotas.limits(id), quotas.usage(id));
    }

    @PutMapping(path = "/api/v1/owners/{owner}/quotas", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "setOwnerQuotas",
            summary = "Set an owner's own limits (admin only); fields left out take the defaults")
    @ApiResponse(responseCode = "200", description = "The limits now in force and the owner's use")
    @ApiResponse(responseCode = "403", description = "Your own quotas, and not an admin",
            content = @Content(mediaType = "application/problem+json"))
    QuotaResponse set(Owner who, @PathVariable("owner") String name, @RequestBody QuotaRequest request) {
        String id = visibleOwner(who, name);
        if (!who.admin()) {
            throw new ForbiddenException("only an admin may set quotas");
        }
        quotas.set(id, new QuotaService.Overrides(request.storedBytes(), request.images(), request.activeJobs(),
                request.imagesPerGeneration()));
        return new QuotaResponse(name, quotas.limits(id), quotas.usage(id));
    }
}
