package org.retinasynth.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;

/**
 * A block's parameters as a training step sees them: the trainable ones, and the BatchNorm running
 * averages that change during a forward pass. Lets a step be all or nothing: snapshot the averages,
 * and on failure drop the gradients and put the averages back.
 */
final class TrainableParameters {

    private final List<Parameter> trainable = new ArrayList<>();
    private final List<Parameter> runningAverages = new ArrayList<>();

    TrainableParameters(Block block) {
        for (Pair<String, Parameter> p : block.getParameters()) {
            (p.getValue().requiresGradient() ? trainable : runningAverages).add(p.getValue());
        }
    }

    /** The parameters an optimiser updates. */
    List<Parameter> trainable() {
        return trainable;
    }

    /** Trainable values (BatchNorm running averages excluded). */
    long count() {
        long n = 0;
        for (Parameter p : trainable) {
            n += p.getArray().getShape().size();
        }
        return n;
    }

    /** Copies of the running averages, living on {@code scope}, for {@link #undo}. */
    List<NDArray> snapshotAverages(NDManager scope) {
        List<NDArray> averages = new ArrayList<>();
        for (Parameter p : runningAverages) {
            NDArray copy = p.getArray().duplicate();
            copy.attach(scope);
            averages.add(copy);
        }
        return averages;
    }

    /** Drops accumulated gradients and restores the running averages of a failed step. */
    void undo(List<NDArray> averages) {
        for (Parameter p : trainable) {
            try {
                JniUtils.zeroGrad((PtNDArray) p.getArray());
            } catch (RuntimeException noGradientYet) {
                // nothing accumulated for this parameter
            }
        }
        for (int i = 0; i < averages.size(); i++) {
            TorchRuntime.copyInto(averages.get(i), runningAverages.get(i).getArray());
        }
    }

    /**
     * Sets non-finite gradient entries to 0 (see {@link TorchRuntime#sanitizeGradients}); returns how
     * many parameters had any.
     */
    int sanitizeGradients(NDManager scope) {
        return TorchRuntime.sanitizeGradients(trainable, scope);
    }

    /** One optimiser step over every trainable parameter; the optimiser also zeroes the gradients. */
    void update(Optimizer optimizer) {
        for (Parameter p : trainable) {
            NDArray w = p.getArray();
            NDArray g = w.getGradient();
            try {
                optimizer.update(p.getId(), w, g);
            } finally {
                g.close();
            }
        }
    }

    static void checkLearningRate(double lr) {
        if (!(lr > 0) || !Double.isFinite(lr)) {
            throw new IllegalArgumentException("learning rate must be a positive number, was " + lr);
        }
    }
}
