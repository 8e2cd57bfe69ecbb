package org.retinasynth.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.retinasynth.common.HeavyWork;
import org.retinasynth.common.Role;
import org.retinasynth.common.RoleProperties;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

class HeavyRequestGateTest {

    @Test
    void aRenderedPictureHoldsItsTurnUntilTheRequestCompletesAndJsonNeverWaits() {
        HeavyWork heavy = new HeavyWork(new HeavyWork.Properties(1, 0), new RoleProperties(Role.ALL),
                new SimpleMeterRegistry());
        HeavyRequestGate gate = new HeavyRequestGate(heavy);
        MockHttpServletRequest grid = new MockHttpServletRequest("GET", "/api/v1/datasets/x/grid.png");
        MockHttpServletResponse response = new MockHttpServletResponse();

        assertThat(gate.preHandle(grid, response, null)).isTrue();
        assertThat(gate.preHandle(new MockHttpServletRequest("GET", "/api/v1/datasets/x"), response, null)).isTrue();
        assertThatThrownBy(() -> gate.preHandle(new MockHttpServletRequest("GET", "/api/v1/studies/s/report.html"),
                response, null)).isInstanceOf(HeavyWork.BusyException.class);

        gate.afterCompletion(grid, response, null, null);
        MockHttpServletRequest next = new MockHttpServletRequest("GET", "/api/v1/generations/g/grid.png");
        assertThat(gate.preHandle(next, response, null)).isTrue();
        gate.afterCompletion(next, response, null, null);
    }
}
