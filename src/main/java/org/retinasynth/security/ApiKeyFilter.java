package org.retinasynth.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Resolves the API key of every {@code /api/} request to an {@link Owner}, once, so that no
 * controller checks keys by hand. Health, docs and metrics stay open for probes and scrapers.
 */
@Component
public class ApiKeyFilter extends OncePerRequestFilter {

    public static final String HEADER = "X-API-Key";
    static final String OWNER_ATTRIBUTE = Owner.class.getName();

    private final ApiKeyService keys;
    private final RateLimiter limiter;

    public ApiKeyFilter(ApiKeyService keys, RateLimiter limiter) {
        this.keys = keys;
        this.limiter = limiter;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !request.getRequestURI().startsWith(request.getContextPath() + "/api/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String key = presentedKey(request);
        if (key == null) {
            reject(response, request, "Missing API key",
                    "Send your key in the " + HEADER + " header (or as 'Authorization: Bearer <key>').");
            return;
        }
        Optional<Owner> owner;
        try {
            owner = keys.authenticate(key);
        } catch (DataAccessException e) {
            // outside Spring MVC, so the problem handler never sees this: answer 503 here, not 500
            response.setHeader("Retry-After", "5");
            write(response, request, HttpStatus.SERVICE_UNAVAILABLE, "Service Unavailable",
                    "The database is unavailable; try again shortly");
            return;
        }
        if (owner.isEmpty()) {
            reject(response, request, "Invalid API key", "The key is unknown or has been revoked.");
            return;
        }
        if (limiter.enabled() && !admitted(key, request, response)) {
            return;
        }
        request.setAttribute(OWNER_ATTRIBUTE, owner.get());
        chain.doFilter(request, response);
    }

    /** Counts the request against its key and says so in the RateLimit headers; 429 once the bucket is empty. */
    private boolean admitted(String key, HttpServletRequest request, HttpServletResponse response) throws IOException {
        RateLimiter.Decision d = limiter.take(ApiKeyService.hash(key));
        response.setHeader("RateLimit-Policy", "\"per-key\";q=" + d.limit() + ";w=" + d.windowSeconds());
        response.setHeader("RateLimit", "\"per-key\";r=" + d.remaining() + ";t=" + d.resetSeconds());
        if (d.allowed()) {
            return true;
        }
        response.setHeader("Retry-After", String.valueOf(d.retryAfterSeconds()));
        write(response, request, HttpStatus.TOO_MANY_REQUESTS, "Too Many Requests", "This key may make " + d.limit()
                + " requests per " + d.windowSeconds() + " s; retry after " + d.retryAfterSeconds() + " s.");
        return false;
    }

    private static String presentedKey(HttpServletRequest request) {
        String key = request.getHeader(HEADER);
        if (key == null) {
            String auth = request.getHeader("Authorization");
            if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
                key = auth.substring(7);
            }
        }
        return key == null || key.isBlank() ? null : key.trim();
    }

    private static void reject(HttpServletResponse response, HttpServletRequest request, String title, String detail)
            throws IOException {
        response.setHeader("WWW-Authenticate", "ApiKey header=\"" + HEADER + "\"");
        write(response, request, HttpStatus.UNAUTHORIZED, title, detail);
    }

    private static void write(HttpServletResponse response, HttpServletRequest request, HttpStatus status,
                              String title, String detail) throws IOException {
        response.setStatus(status.value());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        // the servlet default is ISO-8859-1, and JSON is UTF-8
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.getWriter().write("{\"type\":\"about:blank\",\"title\":\"" + title + "\",\"status\":"
                + status.value() + ",\"detail\":\"" + detail + "\",\"instance\":\""
                + jsonEscape(request.getRequestURI()) + "\"}");
    }

    private static String jsonEscape(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
