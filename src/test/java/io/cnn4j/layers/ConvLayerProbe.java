package io.cnn4j.layers;

/**
 * Test access to a model's convolution layers as built (fused epilogues unwrapped), for tests in other packages:
 * whether a convolution's raw weights are in memory now.
 */
public final class ConvLayerProbe {
    private ConvLayerProbe() {}

    /** Whether this layer's convolution holds its raw weights now; null if the layer is not a convolution. */
    public static Boolean rawWeightsHeld(Layer layer) {
        Layer base = layer instanceof FusedLayer fused ? fused.base() : layer;
        return base instanceof ConvLayer conv ? conv.rawWeightsHeld() : null;
    }
}
