package io.cnn4j.layers;

import io.cnn4j.Tensor;

/** Where layers get their parameters: tensors by state_dict() key (e.g. {@code features.0.weight}). */
public interface WeightSource {
    /** The shape of tensor {@code key}, or null if the weights file has no such tensor. */
    long[] shape(String key);

    /** A new tensor (owned by the caller) with the contents of {@code key}; {@link #shape} must be non-null. */
    Tensor load(String key);
}
