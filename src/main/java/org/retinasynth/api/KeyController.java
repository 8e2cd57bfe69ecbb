package org.retinasynth.api;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.OffsetDateTime;
import java.util.List;
import org.retinasynth.common.ForbiddenException;
import org.retinasynth.security.ApiKeyService;
import org.retinasynth.security.ApiKeyService.KeyInfo;
import org.retinasynth.security.Owner;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/keys")
@Tag(name = "API keys", description = "Create, list and revoke API keys. Admins manage every owner's keys; "
        + "others may rotate their own.")
class KeyController {

    @Schema(description = "A new key. Leave 'owner' out to make one for yourself; only an admin may name another "
            + "owner (created if new) or ask for an admin key.")
    record CreateKeyRequest(
            @Schema(example = "clinic-b") @Size(min = 1, max = 200) @Pattern(regexp = "[\\p{L}\\p{N} ._@-]+")
            String owner,
            @Schema(example = "false") Boolean admin,
            @Schema(example = "laptop of Dr. Rossi") @Size(max = 200) String label) {
    }

    @Schema(description = "The key itself appears here once and is never stored or shown again.")
    record CreatedKey(String id, String owner, boolean admin, String key, String label) {
    }

    record KeyResponse(String id, String owner, boolean admin, String prefix, String label, OffsetDateTime createdAt,
                       OffsetDateTime revokedAt) {
        static KeyResponse of(KeyInfo k) {
            return new KeyResponse(k.id(), k.ownerName(), k.admin(), k.prefix(), k.label(), k.createdAt(),
                    k.revokedAt());
        }
    }

    private final ApiKeyService keys;

    KeyController(ApiKeyService keys) {
        this.keys = keys;
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(operationId = "createKey", summary = "Create a key (shown once)")
    @ApiResponse(responseCode = "201", description = "Created; store the key now")
    @ApiResponse(responseCode = "403", description = "Only an admin may create keys for others or admin keys",
            content = @Content(mediaType = "application/problem+json"))
    CreatedKey create(Owner owner, @Valid @RequestBody CreateKeyRequest request) {
        String name = request.owner() == null ? owner.name() : request.owner().trim();
        boolean admin = Boolean.TRUE.equals(request.admin());
        if (!owner.admin() && (!name.equals(owner.name()) || admin)) {
            throw new ForbiddenException("only an admin may create keys for another owner or admin keys");
        }
        var issued = keys.issue(name, admin, request.label());
        return new CreatedKey(issued.keyId(), issued.owner().name(), issued.owner().admin(), issued.key(),
                request.label());
    }

    @GetMapping
    @Operation(operationId = "listKeys",
            summary = "List keys: every key for an admin, your own otherwise (never the keys themselves)")
    List<KeyResponse> list(Owner owner) {
        return keys.visibleTo(owner).stream().map(KeyResponse::of).toList();
    }

    @PostMapping("/{id}/revoke")
    @Operation(operationId = "revokeKey", summary = "Revoke a key at once; requests with it get 401 from then on")
    @ApiResponse(responseCode = "200", description = "Revoked")
    @ApiResponse(responseCode = "404", description = "No such key among those you may manage",
            content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(responseCode = "409", description = "The last active admin key cannot be revoked",
            content = @Content(mediaType = "application/problem+json"))
    KeyResponse revoke(Owner owner, @PathVariable String id) {
        return KeyResponse.of(keys.revoke(owner, id));
    }
}
