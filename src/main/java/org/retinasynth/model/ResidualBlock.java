package org.retinasynth.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** {@code x + body(x)}; the body must keep the shape. */
final class ResidualBlock extends AbstractBlock {

    private static final byte VERSION = 1;

    private final Block body;

    ResidualBlock(Block body) {
        super(VERSION);
        this.body = addChildBlock("body", body);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(inputs.singletonOrThrow().add(body.forward(ps, inputs, training).singletonOrThrow()));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        body.initialize(manager, dataType, inputShapes);
    }
}
