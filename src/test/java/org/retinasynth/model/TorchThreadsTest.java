package org.retinasynth.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.retinasynth.common.Role;

class TorchThreadsTest {

    @Test
    void aProcessThatAlsoServesTheApiLeavesOneCoreForRequests() {
        assertThat(TorchThreads.threads(null, Role.ALL, 2)).isEqualTo(1);
        assertThat(TorchThreads.threads(null, Role.ALL, 16)).isEqualTo(15);
        assertThat(TorchThreads.threads(null, Role.ALL, 1)).isEqualTo(1);
        assertThat(TorchThreads.threads(null, Role.WORKER, 2)).isEqualTo(2);
        assertThat(TorchThreads.threads(3, Role.ALL, 16)).isEqualTo(3);
    }
}
