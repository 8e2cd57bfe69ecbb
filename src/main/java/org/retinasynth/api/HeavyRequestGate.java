package org.retinasynth.api;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.retinasynth.common.HeavyWork;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Rendered pictures and reports wait for a {@link HeavyWork} turn (uploads take theirs in
 * ingestion, once their body has arrived). Streamed downloads do not: a slow reader would hold a
 * turn for as long as it reads.
 */
@Component
class HeavyRequestGate extends OncePerRequestFilter {

    private final HeavyWork heavy;

    HeavyRequestGate(HeavyWork heavy) {
        this.heavy = heavy;
    }

    static boolean rendered(String method, String path) {
        return ("GET".equals(method) || "HEAD".equals(method)) && path.startsWith("/api/")
                && (path.endsWith(".png") || path.endsWith("/report.html") || path.endsWith("/report.csv"));
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !rendered(request.getMethod(), request.getRequestURI().substring(request.getContextPath().length()));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        try {
            heavy.run(() -> {
                try {
                    chain.doFilter(request, response);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } catch (ServletException e) {
                    throw new IllegalStateException(e);
                }
                return null;
            });
        } catch (HeavyWork.BusyException e) {
            // outside Spring MVC, so the problem handler never sees this one
            response.setStatus(HttpStatus.SERVICE_UNAVAILABLE.value());
            response.setHeader("Retry-After", "5");
            response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
            response.setCharacterEncoding("UTF-8");
            response.getWriter().write("{\"type\":\"about:blank\",\"title\":\"Service Unavailable\",\"status\":503,"
                    + "\"detail\":\"" + e.getMessage() + "\"}");
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
