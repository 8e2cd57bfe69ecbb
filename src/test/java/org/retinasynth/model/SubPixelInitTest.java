package org.retinasynth.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.initializer.XavierInitializer;
import org.junit.jupiter.api.Test;

class SubPixelInitTest {

    @Test
    void eachTwoByTwoBlockOfFiltersStartsEqualAndTheFiltersStillDiffer() {
        VaeConfig config = VaeConfig.defaults(28).withWidth(4, 8).withNumClasses(5);
        TorchRuntime.engine();
        try (NDManager manager = NDManager.newBaseManager()) {
            ConvVaeBlock block = new ConvVaeBlock(new Architecture(config));
            block.setInitializer(new XavierInitializer(), ai.djl.nn.Parameter.Type.WEIGHT);
            block.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 28, 28), new Shape(1, 4), new Shape(1, 5));
            block.initialiseSubPixelFilters();
            int convs = 0;
            Block previous = null;
            Block decoder = block.getChildren().stream().filter(e -> e.getKey().endsWith("decoder"))
                    .map(ai.djl.util.Pair::getValue).findFirst().orElseThrow();
            for (Block next : decoder.getChildren().values()) {
                Block b = previous;
                previous = next;
                if (next instanceof PixelShuffle && b instanceof Conv2d conv) {
                    NDArray w = conv.getParameters().get("weight").getArray();
                    long filters = w.getShape().get(0);
                    float[][] groups = new float[4][];
                    for (int k = 0; k < 4; k++) {
                        groups[k] = w.get(new NDIndex(k + ":" + filters + ":4")).toFloatArray();
                    }
                    assertThat(groups[1]).isEqualTo(groups[0]);
                    assertThat(groups[2]).isEqualTo(groups[0]);
                    assertThat(groups[3]).isEqualTo(groups[0]);
                    // different output channels still start different
                    float[] c0 = w.get(new NDIndex("0")).toFloatArray();
                    float[] c1 = w.get(new NDIndex("4")).toFloatArray();
                    assertThat(c1).isNotEqualTo(c0);
                    convs++;
                }
            }
            assertThat(convs).isGreaterThan(0);
        }
    }
}
