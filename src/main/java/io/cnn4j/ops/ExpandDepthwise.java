package io.cnn4j.ops;

import io.cnn4j.Tensor;
import io.cnn4j.jni.NativeCore;

/**
 * An inverted-residual block's expansion (a 1x1 convolution) and the depthwise convolution that reads it, run as one
 * op ({@code cnn4j_expand_depthwise_forward}): each panel of 8 expanded channels is convolved while it is still in
 * cache, so the expanded tensor, 6x the block's input in MobileNetV2, is never written to memory and read back.
 * Results are bit-identical to the two convolutions run one after the other, with their epilogues.
 *
 * <p>Borrows both convolutions (their weights, packed once by the expansion's first use): the layer that made this
 * op owns them. A workspace slot is a panel of expanded planes.
 */
public final class ExpandDepthwise extends ConvPair {
    private static final String OP = "expand_depthwise";

    private ExpandDepthwise(Convolution expand, Epilogue expandEpilogue, Convolution depthwise,
            Epilogue depthwiseEpilogue) {
        super(OP, "cnn4j_expand_depthwise_forward", expand, expandEpilogue, depthwise, depthwiseEpilogue);
    }

    /**
     * Whether the two convolutions chain this way: {@code expand} 2-d 1x1 (stride 1, no padding, one group) with
     * as many output channels as {@code depthwise}, a 2-d depthwise convolution with one filter per channel and
     * zero padding.
     */
    public static boolean applies(UnaryOp expand, UnaryOp depthwise) {
        return expand instanceof Convolution e && depthwise instanceof Convolution d && e.isPointwise2d()
                && d.isDepthwise2d() && e.outChannels() == d.inChannels();
    }

    /**
     * The fused op; {@link #applies} must hold. Epilogues: the activations fused into each convolution (no residual).
     */
    public static ExpandDepthwise create(UnaryOp expand, Epilogue expandEpilogue, UnaryOp depthwise,
            Epilogue depthwiseEpilogue) {
        if (!applies(expand, depthwise)) {
            throw new IllegalArgumentException(OP + ": needs a 2-d 1x1 convolution (stride 1, no padding, one group) "
                    + "followed by a 2-d depthwise convolution over its channels, got " + expand + " and "
                    + depthwise);
        }
        return new ExpandDepthwise((Convolution) expand, expandEpilogue, (Convolution) depthwise,
                depthwiseEpilogue);
    }

    @Override
    long[] depthwiseWindow(long[] inputShape) {
        return second.windowFor(first.outputShape(inputShape));
    }

    @Override
    long slotSize(long[] window) {
        return NativeCore.cnn4j_expand_depthwise_workspace_size(window);
    }

    @Override
    NativeCall bind(long[] window, long batch) {
        long inChannels = first.inChannels(), midChannels = first.outChannels();
        Tensor expandWeight = first.nativeWeight(), depthwiseWeight = second.nativeWeight();
        Tensor expandBias = first.bias(), depthwiseBias = second.bias();
        return (input, output, workspace, slots) -> NativeCore.cnn4j_expand_depthwise_forward(window, batch,
                inChannels, midChannels, input.pointer(), expandWeight.pointer(), pointerOrNull(expandBias),
                firstEpilogue.kind, firstEpilogue.alpha, depthwiseWeight.pointer(), pointerOrNull(depthwiseBias),
                secondEpilogue.kind, secondEpilogue.alpha, output.pointer(), workspace, slots);
    }
}
