package org.retinasynth.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.retinasynth.testsupport.TestImages;

/** The feature-matching term of {@link VaeConfig#featureLossWeight}: what it measures and what it trains. */
class FeatureMatchingTest {

    private static final int SIZE = 28;
    private static final int BATCH = 8;

    private static ClassifierModel network(int size) {
        return ClassifierModel.create(new ClassifierConfig(size, 3, 5, 16, 0.1, 1e-4), 3, "cpu");
    }

    private static NDArray logits(NDArray images) {
        NDArray p = images.clip(0.01f, 0.99f);
        return p.div(p.sub(1f).neg()).log(); // sigmoid(logits) == p
    }

    @Test
    void isZeroForTheTargetGrowsWithBlurAndAveragesOverDecoderRows() {
        try (ClassifierModel net = network(SIZE); NDManager m = TorchRuntime.engine().newBaseManager()) {
            NDArray clean = m.create(TestImages.fundusBatch(2, SIZE, null, 3), new Shape(2, 3, SIZE, SIZE))
                    .clip(0.01f, 0.99f);
            NDArray same = logits(clean);
            NDArray blurred = logits(clean.add(clean.concat(clean, 3).get(":, :, :, 1:" + (SIZE + 1))).div(2f));
            float zero = VaeObjective.featureMatching(net, same, clean).getFloat();
            float blur = VaeObjective.featureMatching(net, blurred, clean).getFloat();
            assertThat(zero).isLessThan(1e-3f);
            assertThat(blur).isGreaterThan(1f);
            // K x M = 2 decoder rows per clean image broadcast against it
            assertThat(VaeObjective.featureMatching(net, same.concat(blurred, 0), clean).getFloat())
                    .isCloseTo(blur / 2, Offset.offset(1e-3f + 1e-4f * blur));
        }
    }

    @Test
    void aStepAddsTheWeightedTermAndLeavesTheFeatureNetworkAsItWas() {
        VaeConfig config = VaeConfig.defaults(SIZE).withWidth(8, 8).withLikelihood(VaeConfig.Likelihood.BERNOULLI)
                .withNumClasses(5).withArchitecture(VaeConfig.Norm.BATCH, false, 0, 2.0);
        float[] x = TestImages.fundusBatch(BATCH, SIZE, null, 1);
        int[] grades = TestImages.randomGrades(BATCH, 1);
        try (VaeModel model = VaeModel.create(config, 1, "cpu"); ClassifierModel net = network(SIZE);
             ClassifierModel wrongSize = network(64)) {
            assertThatThrownBy(() -> model.trainStep(x, null, grades, BATCH, 1.0))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("needs a feature network");
            assertThatThrownBy(() -> model.useFeatureNetwork(wrongSize))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("64");
            model.useFeatureNetwork(net);
            float[][] before = net.predictProba(x, BATCH);
            float[] reconstructionBefore = model.reconstruct(x, grades, BATCH);
            VaeModel.StepResult r = model.trainStep(x, null, grades, BATCH, 1.0);
            assertThat(r.feature()).isPositive();
            assertThat(r.frequency()).isZero();
            assertThat(r.loss()).isCloseTo(r.reconstruction() + r.kl() + 2.0 * r.feature(),
                    Offset.offset(1e-5 * Math.abs(r.loss())));
            assertThat(TestImages.maxAbsDiff(reconstructionBefore, model.reconstruct(x, grades, BATCH)))
                    .as("the VAE learns").isPositive();
            float[][] after = net.predictProba(x, BATCH);
            for (int i = 0; i < BATCH; i++) {
                assertThat(after[i]).as("frozen feature network, image %d", i).containsExactly(before[i]);
            }
            model.useFeatureNetwork(null);
            assertThatThrownBy(() -> model.trainStep(x, null, grades, BATCH, 1.0))
                    .isInstanceOf(IllegalStateException.class);
        }
    }
}
