package org.retinasynth.common;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RoleTest {

    @Test
    void aProcessThatAlsoServesTheApiLeavesOneCoreForTheOtherKindOfWork() {
        assertThat(Role.ALL.workThreads(null, 2)).isEqualTo(1);
        assertThat(Role.ALL.workThreads(null, 16)).isEqualTo(15);
        assertThat(Role.ALL.workThreads(null, 1)).isEqualTo(1);
        assertThat(Role.WORKER.workThreads(null, 2)).isEqualTo(2);
        assertThat(Role.API.workThreads(null, 8)).isEqualTo(8);
    }

    @Test
    void aConfiguredNumberWinsButNeverGoesBelowOne() {
        assertThat(Role.ALL.workThreads(3, 16)).isEqualTo(3);
        assertThat(Role.WORKER.workThreads(0, 16)).isEqualTo(1);
    }
}
