package io.cnn4j.layers;

import io.cnn4j.Tensor;
import io.cnn4j.ops.ConvWeight;

/** Where layers get their parameters: tensors by state_dict() key (e.g. {@code features.0.weight}). */
public interface WeightSource {
    /** The shape of tensor {@code key}, or null if the weights file has no such tensor. */
    long[] shape(String key);

    /** A new tensor (owned by the caller) with the contents of {@code key}; {@link #shape} must be non-null. */
    Tensor load(String key);

    /**
     * How to read tensor {@code key} again once the model is built and this source is gone (from the weights file
     * on disk), so that a layer may free weights it only derives forms from (see {@link ConvWeight}); null where
     * the weights cannot be read again (streams, bytes in memory, ONNX conversions) or must be kept (the model option
     * {@code withRawWeightsKept}).
     */
    default ConvWeight.Source reloadable(String key) {
        return null;
    }
}
