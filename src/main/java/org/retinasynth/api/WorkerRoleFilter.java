package org.retinasynth.api;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.retinasynth.common.RoleProperties;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * A worker-role instance answers 404 to the API and its docs, so that a load balancer pointed at
 * the wrong pods fails loudly instead of half-working; Actuator stays open for probes and scrapes.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class WorkerRoleFilter extends OncePerRequestFilter {

    private final boolean servesApi;

    WorkerRoleFilter(RoleProperties role) {
        this.servesApi = role.role().servesApi();
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        if (servesApi) {
            return true;
        }
        String path = request.getRequestURI().substring(request.getContextPath().length());
        return !(path.startsWith("/api/") || path.startsWith("/swagger-ui") || path.startsWith("/v3/api-docs"));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        response.setStatus(HttpStatus.NOT_FOUND.value());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.setCharacterEncoding("UTF-8");
        response.getWriter().write("{\"type\":\"about:blank\",\"title\":\"Not Found\",\"status\":404,"
                + "\"detail\":\"This instance runs as a worker (retinasynth.role=worker); the API is served by"
                + " api-role instances.\"}");
    }
}
