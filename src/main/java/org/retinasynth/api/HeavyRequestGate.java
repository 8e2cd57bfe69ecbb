package org.retinasynth.api;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.retinasynth.common.HeavyWork;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Rendered pictures and reports wait for a {@link HeavyWork} turn (uploads take theirs in
 * ingestion, once their body has arrived). Streamed downloads do not: a slow reader would hold a
 * turn for as long as it reads. An interceptor rather than a filter, so that a refused turn is
 * answered by {@link ProblemHandler} like every other problem.
 */
@Component
class HeavyRequestGate implements HandlerInterceptor, WebMvcConfigurer {

    private static final String TURN = HeavyRequestGate.class.getName() + ".turn";

    private final HeavyWork heavy;

    HeavyRequestGate(HeavyWork heavy) {
        this.heavy = heavy;
    }

    static boolean rendered(String method, String path) {
        return ("GET".equals(method) || "HEAD".equals(method)) && path.startsWith("/api/")
                && (path.endsWith(".png") || path.endsWith("/report.html") || path.endsWith("/report.csv"));
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(this).addPathPatterns("/api/**");
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        if (rendered(request.getMethod(), request.getRequestURI().substring(request.getContextPath().length()))) {
            request.setAttribute(TURN, heavy.take());
        }
        return true;
    }

    @Override
    public void afterCompletion(HttpServletRequest request, HttpServletResponse response, Object handler,
                                Exception ex) {
        if (request.getAttribute(TURN) instanceof HeavyWork.Turn turn) {
            request.removeAttribute(TURN);
            turn.close();
        }
    }
}
