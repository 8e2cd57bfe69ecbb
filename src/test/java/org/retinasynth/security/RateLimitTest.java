package org.retinasynth.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/** Per-key limits: a key past its rate gets 429 with Retry-After, while another key goes on as before. */
class RateLimitTest {

    /** Every key is a valid key of one owner: this test is about the limit, not the lookup. */
    private final ApiKeyService keys = new ApiKeyService(null) {
        @Override
        public Optional<Owner> authenticate(String key) {
            return Optional.of(new Owner("o", "clinic", false));
        }
    };
    private final ApiKeyFilter filter = new ApiKeyFilter(keys,
            new RateLimiter(new RateLimitProperties(true, 3, Duration.ofMinutes(1))));

    @Test
    void aKeyPastItsRateGets429WithRetryAfterAndOtherKeysAreUnaffected() throws Exception {
        for (int i = 0; i < 3; i++) {
            MockHttpServletResponse ok = call("rsk_first");
            assertThat(ok.getStatus()).isEqualTo(200);
            assertThat(ok.getHeader("RateLimit-Policy")).isEqualTo("\"per-key\";q=3;w=60");
            assertThat(ok.getHeader("RateLimit")).startsWith("\"per-key\";r=" + (2 - i) + ";t=");
        }
        MockHttpServletResponse refused = call("rsk_first");
        assertThat(refused.getStatus()).isEqualTo(429);
        assertThat(refused.getContentType()).isEqualTo("application/problem+json;charset=UTF-8");
        assertThat(Long.parseLong(refused.getHeader("Retry-After"))).isBetween(1L, 20L);
        assertThat(refused.getHeader("RateLimit")).startsWith("\"per-key\";r=0;");

        MockHttpServletResponse other = call("rsk_second");
        assertThat(other.getStatus()).isEqualTo(200);
        assertThat(other.getHeader("RateLimit")).startsWith("\"per-key\";r=2;");
    }

    @Test
    void switchedOffNothingIsCountedOrSent() throws Exception {
        ApiKeyFilter off = new ApiKeyFilter(keys, new RateLimiter(new RateLimitProperties(false, 1, Duration.ofMinutes(1))));
        for (int i = 0; i < 5; i++) {
            MockHttpServletResponse r = new MockHttpServletResponse();
            off.doFilter(request("rsk_first"), r, new MockFilterChain());
            assertThat(r.getStatus()).isEqualTo(200);
            assertThat(r.getHeader("RateLimit")).isNull();
        }
    }

    private MockHttpServletResponse call(String key) throws Exception {
        MockHttpServletResponse response = new MockHttpServletResponse();
        filter.doFilter(request(key), response, new MockFilterChain());
        return response;
    }

    private static MockHttpServletRequest request(String key) {
        MockHttpServletRequest r = new MockHttpServletRequest("GET", "/api/v1/datasets");
        r.addHeader(ApiKeyFilter.HEADER, key);
        return r;
    }
}
