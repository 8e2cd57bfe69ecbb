package org.retinasynth.corruption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CorruptionRegistryTest {

    @Test
    void registersTheDocumentedCorruptionsInStableOrder() {
        assertThat(CorruptionRegistry.names()).containsExactly(
                "gaussian", "salt_pepper", "masking",
                "blur", "defocus", "vignetting", "jpeg",
                "illumination", "contrast", "gamma", "colour_cast", "uneven_field");
        assertThat(CorruptionRegistry.all()).extracting(Corruption::name)
                .containsExactlyElementsOf(CorruptionRegistry.names());
    }

    @Test
    void getReturnsTheNamedCorruptionWithADescription() {
        for (String name : CorruptionRegistry.names()) {
            Corruption c = CorruptionRegistry.get(name);
            assertThat(c.name()).isEqualTo(name);
            // Every description states its severity mapping, written with s, e.g. "0.3*s".
            assertThat(c.description()).containsPattern("[*+]s\\b");
            assertThat(c.description().length()).isGreaterThan(40);
        }
    }

    @Test
    void unknownNameListsTheValidOnes() {
        assertThatThrownBy(() -> CorruptionRegistry.get("speckle"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'speckle'")
                .hasMessageContaining("gaussian, salt_pepper")
                .hasMessageContaining("uneven_field");
        assertThatThrownBy(() -> CorruptionRegistry.get(null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void viewsAreUnmodifiable() {
        assertThatThrownBy(() -> CorruptionRegistry.names().add("x"))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> CorruptionRegistry.all().clear())
                .isInstanceOf(UnsupportedOperationException.class);
    }
}
