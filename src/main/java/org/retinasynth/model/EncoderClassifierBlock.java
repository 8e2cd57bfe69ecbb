package org.retinasynth.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;

/**
 * A grade classifier on a VAE's encoder, as one DJL block:
 *
 * <ul>
 *   <li>{@code encoder}: the VAE's convolutional stack ({@link ConvVaeBlock#encoderStack}, same
 *       parameter names, so a trained one copies across by name);
 *   <li>{@code posterior} (frozen only): the VAE's posterior layer, fed the encoder features with the
 *       one-hot of grade 0 appended; its mean half is what the head reads;
 *   <li>{@code hidden}: linear to {@code width} units, ReLU (the classifier's features);
 *   <li>{@code output}: linear to the class logits.
 * </ul>
 *
 * Frozen, the encoder and posterior parameters do not require gradients and the encoder's
 * BatchNorm always uses its running averages, so training changes nothing in them. Unfrozen, the
 * head reads the flattened encoder features (label-free: the posterior layer needs a grade) and the
 * encoder's BatchNorm uses batch statistics inside a training step, as in the VAE.
 */
final class EncoderClassifierBlock extends GradeClassifierBlock {

    private static final byte VERSION = 1;

    private final EncoderClassifierConfig config;
    private final Architecture arch;
    private final SequentialBlock encoder;
    private final Linear posterior;
    private final Linear hidden;
    private final Linear output;

    EncoderClassifierBlock(EncoderClassifierConfig config) {
        super(VERSION, config.classes());
        this.config = config.validate();
        this.arch = new Architecture(config.encoder());
        encoder = addChildBlock(ConvVaeBlock.ENCODER, ConvVaeBlock.encoderStack(arch));
        posterior = config.frozen() ? addChildBlock(ConvVaeBlock.POSTERIOR,
                Linear.builder().setUnits(2L * config.encoder().latentDim()).build()) : null;
        hidden = addChildBlock("hidden", Linear.builder().setUnits(config.width()).build());
        output = addChildBlock("output", Linear.builder().setUnits(config.classes()).build());
        if (config.frozen()) {
            encoder.freezeParameters(true);
            posterior.freezeParameters(true);
        }
    }

    Architecture architecture() {
        return arch;
    }

    @Override
    int featureDim() {
        return config.width();
    }

    /** Values the head's hidden layer reads per image. */
    int headInputs() {
        return config.frozen() ? config.encoder().latentDim() : arch.encoderFeatures();
    }

    /** (B, C, S, S) images in [0,1] -> (B, width) hidden features. */
    @Override
    NDArray features(ParameterStore ps, NDArray x, boolean training) {
        NDArray h = ConvVaeBlock.encoderFeatures(encoder, arch, ps, x, training && !config.frozen());
        if (config.frozen()) {
            int c = config.encoder().numClasses();
            if (c > 0) {
                // grade 0 for every image, as the study's representation measures encode: the true
                // grade is what the classifier has to find
                long b = h.getShape().get(0);
                NDArray grade0 = h.getManager().ones(new Shape(b, 1));
                h = h.concat(c == 1 ? grade0 : grade0.concat(h.getManager().zeros(new Shape(b, c - 1)), 1), 1);
            }
            h = ConvVaeBlock.posteriorStats(posterior, ps, h, false).get(0);
        }
        return Activation.relu(hidden.forward(ps, new NDList(h), training).singletonOrThrow());
    }

    @Override
    NDArray logits(ParameterStore ps, NDArray features, boolean training) {
        return output.forward(ps, new NDList(features), training).singletonOrThrow();
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        long b = inputShapes[0].get(0);
        VaeConfig v = config.encoder();
        encoder.initialize(manager, dataType, new Shape(b, v.channels(), arch.padded, arch.padded));
        if (posterior != null) {
            posterior.initialize(manager, dataType, new Shape(b, arch.encoderFeatures() + v.numClasses()));
        }
        hidden.initialize(manager, dataType, new Shape(b, headInputs()));
        output.initialize(manager, dataType, new Shape(b, config.width()));
    }
}
