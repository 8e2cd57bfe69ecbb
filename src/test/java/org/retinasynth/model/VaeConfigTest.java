package org.retinasynth.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class VaeConfigTest {

    @Test
    void defaultsAreValid() {
        VaeConfig c = VaeConfig.defaults(64).validate();
        assertThat(c.latentDim()).isEqualTo(64);
        assertThat(c.baseChannels()).isEqualTo(32);
        assertThat(c.numClasses()).isZero();
        assertThat(c.corruptedCopies()).isEqualTo(1);
        assertThat(c.latentSamples()).isEqualTo(1);
    }

    @Test
    void invalidFieldsAreNamed() {
        VaeConfig d = VaeConfig.defaults(64);
        assertThatThrownBy(() -> VaeConfig.defaults(27).validate())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("imageSize must be in [28, 256], was 27");
        assertThatThrownBy(() -> VaeConfig.defaults(512).validate()).hasMessageContaining("imageSize");
        assertThatThrownBy(() -> d.withWidth(0, 32).validate()).hasMessageContaining("latentDim");
        assertThatThrownBy(() -> d.withWidth(64, 2).validate()).hasMessageContaining("baseChannels");
        assertThatThrownBy(() -> d.withNumClasses(-1).validate()).hasMessageContaining("numClasses");
        assertThatThrownBy(() -> d.withLikelihood(null).validate()).hasMessageContaining("likelihood");
        assertThatThrownBy(() -> d.withSamples(0, 1).validate())
                .hasMessage("corruptedCopies (K) must be in [1, 64], was 0");
        assertThatThrownBy(() -> d.withSamples(1, 0).validate()).hasMessageContaining("latentSamples (M)");
        assertThatThrownBy(() -> new VaeConfig(64, 3, 64, 32, 0, VaeConfig.Likelihood.GAUSSIAN_FIXED,
                0, 1, 1).validate()).hasMessageContaining("fixedSigma");
        assertThatThrownBy(() -> new VaeConfig(64, 0, 64, 32, 0, VaeConfig.Likelihood.BERNOULLI,
                0, 1, 1).validate()).hasMessageContaining("channels");
        // sigma is irrelevant for the other likelihoods
        new VaeConfig(64, 3, 64, 32, 0, VaeConfig.Likelihood.BERNOULLI, 0, 1, 1).validate();
        assertThatThrownBy(() -> VaeModel.create(VaeConfig.defaults(20), 1, "cpu"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
