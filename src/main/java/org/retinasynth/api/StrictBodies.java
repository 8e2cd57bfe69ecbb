package org.retinasynth.api;

import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.MethodParameter;
import org.springframework.http.HttpInputMessage;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.RequestBodyAdviceAdapter;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonPointer;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.deser.DeserializationProblemHandler;

/**
 * Unknown fields in a request body are refused (400) instead of silently ignored, so that a
 * misspelt {@code "epoch": 30} does not train for the default number of epochs. Every unknown
 * name of the body is collected, not only the first, each with the closest known name.
 *
 * <p>Only request bodies are strict: the same mapper reads JSON stored by earlier releases, which
 * may carry fields that no longer exist. The handler therefore records only while a body is being
 * read (between {@code beforeBodyRead} and {@code afterBodyRead}, on the request's thread).
 */
@Configuration
class StrictBodies {

    /** One unknown field: its dotted path in the body and the closest known name there, if any. */
    record UnknownField(String field, String suggestion) {
    }

    /** Thrown after the body is read when it had unknown fields; {@link ProblemHandler} answers 400. */
    static final class UnknownFieldsException extends RuntimeException {
        private final List<UnknownField> fields;

        UnknownFieldsException(List<UnknownField> fields) {
            this(fields.stream().sorted(java.util.Comparator.comparing(UnknownField::field)).toList(), true);
        }

        // sorted by path: Jackson meets the names of a record's creator in no fixed order
        private UnknownFieldsException(List<UnknownField> sorted, boolean unused) {
            super(describe(sorted));
            this.fields = sorted;
        }

        List<UnknownField> fields() {
            return fields;
        }

        private static String describe(List<UnknownField> fields) {
            List<String> parts = new ArrayList<>();
            for (UnknownField f : fields) {
                parts.add("'" + f.field() + "'" + (f.suggestion() == null ? "" : " (did you mean '" + f.suggestion()
                        + "'?)"));
            }
            return "Unknown field" + (fields.size() > 1 ? "s " : " ") + String.join(", ", parts);
        }
    }

    private static final ThreadLocal<List<UnknownField>> READING = new ThreadLocal<>();

    @Bean
    JsonMapperBuilderCustomizer recordUnknownFields() {
        return builder -> builder.addHandler(new DeserializationProblemHandler() {
            @Override
            public boolean handleUnknownProperty(DeserializationContext ctxt, JsonParser p,
                                                 ValueDeserializer<?> deserializer, Object beanOrClass,
                                                 String propertyName) {
                List<UnknownField> found = READING.get();
                if (found == null) {
                    return false; // not a request body: Jackson's configured behaviour (ignore)
                }
                Collection<Object> known = deserializer == null ? List.of() : deserializer.getKnownPropertyNames();
                found.add(new UnknownField(path(p, propertyName), closest(propertyName, known)));
                p.skipChildren();
                return true;
            }
        });
    }

    /** Opens and closes the recording window around each {@code @RequestBody} read. */
    @ControllerAdvice
    static class Window extends RequestBodyAdviceAdapter {

        @Override
        public boolean supports(MethodParameter parameter, Type targetType,
                                Class<? extends HttpMessageConverter<?>> converterType) {
            return true;
        }

        @Override
        public HttpInputMessage beforeBodyRead(HttpInputMessage input, MethodParameter parameter, Type targetType,
                                               Class<? extends HttpMessageConverter<?>> converterType) {
            READING.set(new ArrayList<>());
            return input;
        }

        @Override
        public Object afterBodyRead(Object body, HttpInputMessage input, MethodParameter parameter, Type targetType,
                                    Class<? extends HttpMessageConverter<?>> converterType) {
            List<UnknownField> found = READING.get();
            READING.remove();
            if (found != null && !found.isEmpty()) {
                throw new UnknownFieldsException(found);
            }
            return body;
        }

        @Override
        public Object handleEmptyBody(Object body, HttpInputMessage input, MethodParameter parameter,
                                      Type targetType, Class<? extends HttpMessageConverter<?>> converterType) {
            READING.remove();
            return body;
        }
    }

    /** A body that failed to parse never reaches afterBodyRead: the problem handler closes the window. */
    static void forget() {
        READING.remove();
    }

    /** "generative.epoch", "corruption.components[0].nme". */
    static String path(JsonParser p, String name) {
        JsonPointer ptr = p.streamReadContext().pathAsPointer();
        StringBuilder out = new StringBuilder();
        for (JsonPointer seg = ptr; seg != null && !seg.matches(); seg = seg.tail()) {
            if (seg.mayMatchElement()) {
                out.append('[').append(seg.getMatchingIndex()).append(']');
            } else {
                out.append(out.isEmpty() ? "" : ".").append(seg.getMatchingProperty());
            }
        }
        // the parser may stand on the unknown name itself or on its value
        String last = out.toString();
        if (!last.equals(name) && !last.endsWith("." + name)) {
            out.append(out.isEmpty() ? "" : ".").append(name);
        }
        return out.toString();
    }

    /** The known name nearest by edit distance, if it is near enough to be a likely misspelling. */
    static String closest(String name, Collection<Object> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (Object k : known) {
            String candidate = String.valueOf(k);
            int d = distance(name.toLowerCase(), candidate.toLowerCase());
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        // beyond about half the name, the "closest" name is a guess that misleads more than it helps
        return best != null && bestDistance <= Math.max(2, name.length() / 2) ? best : null;
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
