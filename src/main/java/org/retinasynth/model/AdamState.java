package org.retinasynth.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.List;

/**
 * Adam (Kingma and Ba, 2015) with DJL's defaults and DJL's fused update kernel, but with its moments
 * and step count held here, where a checkpoint can reach them. DJL's {@code Adam} keeps them
 * private, so a job resumed from a checkpoint used to restart Adam from zero moments: its first
 * steps after a restart were bias-corrected as if training had just begun, and the resumed run
 * drifted from the one that never stopped.
 *
 * <p>With a weight decay above 0 it is AdamW (decoupled decay, Loshchilov and Hutter 2019) with the
 * arguments DJL's {@code AdamW} passes to the same kernel, so the classifier takes the steps it took
 * when it used DJL's optimiser, and its moments can be saved like the VAE's.
 */
final class AdamState {

    private static final float BETA1 = 0.9f;
    private static final float BETA2 = 0.999f;
    private static final float EPSILON = 1e-8f;

    private final List<Parameter> parameters;
    private final List<NDArray> means = new ArrayList<>();
    private final List<NDArray> variances = new ArrayList<>();
    private final float weightDecay;
    private long steps;

    /** Zero moments, shaped like and living beside each parameter; {@code weightDecay} 0 is plain Adam. */
    AdamState(List<Parameter> parameters, double weightDecay) {
        this.parameters = parameters;
        this.weightDecay = (float) weightDecay;
        for (Parameter p : parameters) {
            means.add(p.getArray().zerosLike());
            variances.add(p.getArray().zerosLike());
        }
    }

    /** Completed Adam steps. */
    long steps() {
        return steps;
    }

    /** One step at learning rate {@code lr} from each parameter's gradient, which is then closed. */
    void step(double lr) {
        steps++;
        double correction1 = 1 - Math.pow(BETA1, steps);
        double correction2 = 1 - Math.pow(BETA2, steps);
        float lrt = (float) (lr * Math.sqrt(correction2) / correction1);
        for (int i = 0; i < parameters.size(); i++) {
            NDArray w = parameters.get(i).getArray();
            try (NDArray g = w.getGradient()) {
                // the kernel DJL's Adam / AdamW call: lazy update on, rescale 1, no clip; the
                // decoupled form only with a decay, so plain Adam's arithmetic is what it was
                w.getNDArrayInternal().adamUpdate(new NDList(w, g, means.get(i), variances.get(i)),
                        new NDList(w), (float) lr, lrt, weightDecay, 1f, -1f, BETA1, BETA2, EPSILON, true,
                        weightDecay > 0);
            }
        }
    }

    /** First moments, then second moments, in parameter order (live arrays: encode, do not close). */
    NDList moments() {
        NDList all = new NDList(means);
        all.addAll(variances);
        return all;
    }

    /** Puts back what {@link #moments} and {@link #steps} returned when the model was saved. */
    void restore(NDList saved, long savedSteps) {
        if (saved.size() != 2 * parameters.size()) {
            throw new IllegalArgumentException("optimiser state has " + saved.size() + " arrays, expected "
                    + 2 * parameters.size());
        }
        for (int i = 0; i < saved.size(); i++) {
            NDArray target = i < parameters.size() ? means.get(i) : variances.get(i - parameters.size());
            NDArray source = saved.get(i);
            if (!source.getShape().equals(target.getShape())) {
                throw new IllegalArgumentException("optimiser state array " + i + " has shape "
                        + source.getShape() + ", expected " + target.getShape());
            }
            TorchRuntime.copyInto(source, target);
        }
        this.steps = savedSteps;
    }
}
