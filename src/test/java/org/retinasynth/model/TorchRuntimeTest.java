package org.retinasynth.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TorchRuntimeTest {

    @Test
    void engineLoadsOfflineFromTheBundledLibtorch() {
        TorchRuntime.EngineInfo info = TorchRuntime.info();
        System.out.println("engine: " + info);

        assertThat(info.offline()).isTrue();
        assertThat(System.getProperty("ai.djl.offline")).isEqualTo("true");
        assertThat(info.engine()).isEqualTo("PyTorch");
        assertThat(info.libtorchVersion()).isEqualTo("2.7.1");
        assertThat(info.djlVersion()).isEqualTo("0.36.0");
        assertThat(info.defaultDevice()).isIn("cpu", "cuda:0");
        assertThat(info.defaultDevice()).isEqualTo(info.gpuCount() > 0 ? "cuda:0" : "cpu");
        assertThat(info.intraOpThreads())
                .isEqualTo(Integer.getInteger("ai.djl.pytorch.num_threads"))
                .isPositive();
        assertThat(info.interOpThreads()).isEqualTo(Integer.getInteger("ai.djl.pytorch.num_interop_threads"));
    }

    @Test
    void deviceNamesParse() {
        assertThat(TorchRuntime.deviceName(TorchRuntime.resolveDevice("cpu"))).isEqualTo("cpu");
        assertThat(TorchRuntime.deviceName(TorchRuntime.resolveDevice(null)))
                .isEqualTo(TorchRuntime.defaultDeviceName());
        assertThatThrownBy(() -> TorchRuntime.resolveDevice("tpu"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Unknown device 'tpu'");
        if (TorchRuntime.info().gpuCount() == 0) {
            assertThatThrownBy(() -> TorchRuntime.resolveDevice("cuda:0"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("0 GPU");
        }
    }
}
