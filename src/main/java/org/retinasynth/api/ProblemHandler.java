package org.retinasynth.api;

import jakarta.validation.ConstraintViolationException;
import java.util.List;
import java.util.Map;
import org.retinasynth.common.ConflictException;
import org.retinasynth.common.ForbiddenException;
import org.retinasynth.common.HeavyWork;
import org.retinasynth.common.InUseException;
import org.retinasynth.common.NotFoundException;
import org.retinasynth.common.UnprocessableException;
import org.retinasynth.dataset.InputRejectedException;
import org.retinasynth.dataset.NoImageAcceptedException;
import org.retinasynth.dataset.PatientOverlapException;
import org.retinasynth.quota.QuotaExceededException;
import org.retinasynth.storage.StorageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.lang.Nullable;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Maps every failure to RFC 9457 problem+json with the status that tells the caller what to do:
 * fix the request (400/413/415/422), use another id (404), wait for the state to change (409),
 * or retry later (503).
 */
@RestControllerAdvice
class ProblemHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);

    @ExceptionHandler(InputRejectedException.class)
    ProblemDetail rejected(InputRejectedException e) {
        HttpStatus status = switch (e.kind()) {
            case MALFORMED, UNSAFE -> HttpStatus.BAD_REQUEST;
            case TOO_LARGE -> HttpStatus.CONTENT_TOO_LARGE;
            case UNSUPPORTED_TYPE -> HttpStatus.UNSUPPORTED_MEDIA_TYPE;
            case BAD_LABELS -> HttpStatus.UNPROCESSABLE_CONTENT;
        };
        ProblemDetail p = problem(status, e.getMessage());
        p.setProperty("code", e.kind().name().toLowerCase());
        if (e instanceof NoImageAcceptedException none) {
            p.setProperty("rejectedFiles", none.rejected());
        }
        if (e instanceof PatientOverlapException overlap) {
            p.setProperty("code", "patient_overlap");
            p.setProperty("patients", overlap.overlaps());
        }
        return p;
    }

    @ExceptionHandler(StrictBodies.UnknownFieldsException.class)
    ProblemDetail unknownFields(StrictBodies.UnknownFieldsException e) {
        ProblemDetail p = problem(HttpStatus.BAD_REQUEST, e.getMessage());
        p.setProperty("code", "unknown_fields");
        p.setProperty("errors", e.fields().stream().map(f -> {
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("field", f.field());
            m.put("message", "unknown field"
                    + (f.suggestion() == null ? "" : "; did you mean '" + f.suggestion() + "'?"));
            if (f.suggestion() != null) {
                m.put("suggestion", f.suggestion());
            }
            return m;
        }).toList());
        return p;
    }

    @ExceptionHandler(NotFoundException.class)
    ProblemDetail notFound(NotFoundException e) {
        return problem(HttpStatus.NOT_FOUND, e.getMessage());
    }

    @ExceptionHandler(UnprocessableException.class)
    ProblemDetail unprocessable(UnprocessableException e) {
        ProblemDetail p = problem(HttpStatus.UNPROCESSABLE_CONTENT, e.getMessage());
        p.setProperty("code", e.code());
        new java.util.TreeMap<>(e.details()).forEach(p::setProperty);
        return p;
    }

    @ExceptionHandler(ForbiddenException.class)
    ProblemDetail forbidden(ForbiddenException e) {
        return problem(HttpStatus.FORBIDDEN, e.getMessage());
    }

    @ExceptionHandler(QuotaExceededException.class)
    ProblemDetail quota(QuotaExceededException e) {
        ProblemDetail p = problem(HttpStatus.CONFLICT, e.getMessage());
        p.setProperty("code", "quota_exceeded");
        p.setProperty("quota", e.quota().field());
        p.setProperty("limit", e.limit());
        p.setProperty("use", e.use());
        p.setProperty("requested", e.requested());
        return p;
    }

    @ExceptionHandler(ConflictException.class)
    ProblemDetail conflict(ConflictException e) {
        ProblemDetail p = problem(HttpStatus.CONFLICT, e.getMessage());
        if (e instanceof InUseException inUse) {
            p.setProperty("dependants", inUse.dependants());
        }
        return p;
    }

    @ExceptionHandler(DataIntegrityViolationException.class)
    ProblemDetail integrity(DataIntegrityViolationException e) {
        log.info("integrity violation answered as 409: {}", e.getMostSpecificCause().getMessage());
        return problem(HttpStatus.CONFLICT, "The change clashes with data stored meanwhile; reload and try again");
    }

    @ExceptionHandler({IllegalArgumentException.class, ConstraintViolationException.class})
    ProblemDetail badArgument(RuntimeException e) {
        return problem(HttpStatus.BAD_REQUEST, e.getMessage());
    }

    @ExceptionHandler({DataAccessResourceFailureException.class, TransientDataAccessException.class})
    ResponseEntity<ProblemDetail> databaseDown(RuntimeException e) {
        log.warn("database unavailable: {}", e.getMessage());
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).header(HttpHeaders.RETRY_AFTER, "5")
                .body(problem(HttpStatus.SERVICE_UNAVAILABLE, "The database is unavailable; try again shortly"));
    }

    @ExceptionHandler(HeavyWork.BusyException.class)
    ResponseEntity<ProblemDetail> busy(HeavyWork.BusyException e) {
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).header(HttpHeaders.RETRY_AFTER, "5")
                .body(problem(HttpStatus.SERVICE_UNAVAILABLE, e.getMessage()));
    }

    @ExceptionHandler(StorageException.class)
    ProblemDetail storage(StorageException e) {
        log.error("blob store failure", e);
        return problem(HttpStatus.INSUFFICIENT_STORAGE, "The file store could not complete the write; nothing was "
                + "stored. " + e.getMessage());
    }

    @ExceptionHandler(Exception.class)
    ProblemDetail unexpected(Exception e) {
        log.error("unexpected error", e);
        return problem(HttpStatus.INTERNAL_SERVER_ERROR, "Unexpected error; the server log has the details");
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException ex,
                                                                  HttpHeaders headers, HttpStatusCode status,
                                                                  WebRequest request) {
        StrictBodies.forget();
        return super.handleHttpMessageNotReadable(ex, headers, status, request);
    }

    /** Bean-validation failures list each field with its message. */
    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException ex,
                                                                  HttpHeaders headers, HttpStatusCode status,
                                                                  WebRequest request) {
        ProblemDetail p = problem(HttpStatus.BAD_REQUEST, "The request body has invalid fields");
        List<Map<String, Object>> errors = ex.getBindingResult().getFieldErrors().stream()
                .map(f -> Map.<String, Object>of("field", f.getField(),
                        "message", f.getDefaultMessage() == null ? "invalid" : f.getDefaultMessage()))
                .toList();
        p.setProperty("errors", errors);
        return ResponseEntity.badRequest().body(p);
    }

    @Override
    protected ResponseEntity<Object> handleHandlerMethodValidationException(HandlerMethodValidationException ex,
                                                                           HttpHeaders headers, HttpStatusCode status,
                                                                           WebRequest request) {
        ProblemDetail p = problem(HttpStatus.BAD_REQUEST, "Invalid parameters");
        p.setProperty("errors", ex.getParameterValidationResults().stream()
                .map(r -> Map.<String, Object>of("parameter", String.valueOf(r.getMethodParameter().getParameterName()),
                        "message", r.getResolvableErrors().stream()
                                .map(err -> String.valueOf(err.getDefaultMessage())).toList()))
                .toList());
        return ResponseEntity.badRequest().body(p);
    }

    private static ProblemDetail problem(HttpStatus status, @Nullable String detail) {
        return ProblemDetail.forStatusAndDetail(status, detail);
    }
}
