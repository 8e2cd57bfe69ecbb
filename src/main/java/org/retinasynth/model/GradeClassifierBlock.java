package org.retinasynth.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A grade classifier as one DJL block: images to a feature row, then a head to logits. A forward
 * pass is the two in turn, so {@link GradeClassifier} can train and score any such block alike.
 */
abstract class GradeClassifierBlock extends AbstractBlock {

    private final int classes;

    GradeClassifierBlock(byte version, int classes) {
        super(version);
        this.classes = classes;
    }

    /** Length of a {@link #features} row. */
    abstract int featureDim();

    /** (B, C, S, S) images in [0,1] -> (B, featureDim) features. */
    abstract NDArray features(ParameterStore ps, NDArray images, boolean training);

    /** (B, featureDim) features -> (B, classes) logits. */
    abstract NDArray logits(ParameterStore ps, NDArray features, boolean training);

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(logits(ps, features(ps, inputs.singletonOrThrow(), training), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), classes)};
    }
}
