package io.cnn4j.ops;

import io.cnn4j.Tensor;
import io.cnn4j.jni.NativeCore;

/**
 * A depthwise convolution and the 1x1 convolution that reads it, run as one op
 * ({@code cnn4j_depthwise_pointwise_forward}): each band of output rows is convolved depthwise for every channel
 * and multiplied by the pointwise weights while still in cache, so the depthwise output (as large as the block's
 * input) is never written to memory and read back. MobileNetV1's blocks and MobileNetV2's first block are such pairs.
 * Results are bit-identical to the two convolutions run one after the other, with their epilogues.
 *
 * <p>Borrows both convolutions (their weights, the pointwise ones packed once by its first use): the layer that made
 * this op owns them. A workspace slot is a band of depthwise output rows.
 */
public final class DepthwisePointwise extends ConvPair {
    private static final String OP = "depthwise_pointwise";

    private DepthwisePointwise(Convolution depthwise, Epilogue depthwiseEpilogue, Convolution pointwise,
            Epilogue pointwiseEpilogue) {
        super(OP, "cnn4j_depthwise_pointwise_forward", depthwise, depthwiseEpilogue, pointwise,
                pointwiseEpilogue);
    }

    /**
     * Whether the two convolutions chain this way: {@code depthwise} a 2-d depthwise convolution with one filter per
     * channel and zero padding, {@code pointwise} 2-d 1x1 (stride 1, no padding, one group) over its channels.
     */
    public static boolean applies(UnaryOp depthwise, UnaryOp pointwise) {
        return depthwise instanceof Convolution d && pointwise instanceof Convolution p && d.isDepthwise2d()
                && p.isPointwise2d() && p.inChannels() == d.outChannels();
    }

    /**
     * The fused op; {@link #applies} must hold. Epilogues: the activations fused into each convolution (no residual).
     */
    public static DepthwisePointwise create(UnaryOp depthwise, Epilogue depthwiseEpilogue, UnaryOp pointwise,
            Epilogue pointwiseEpilogue) {
        if (!applies(depthwise, pointwise)) {
            throw new IllegalArgumentException(OP + ": needs a 2-d depthwise convolution followed by a 2-d 1x1 "
                    + "convolution (stride 1, no padding, one group) over its channels, got " + depthwise + " and "
                    + pointwise);
        }
        return new DepthwisePointwise((Convolution) depthwise, depthwiseEpilogue, (Convolution) pointwise,
                pointwiseEpilogue);
    }

    @Override
    long[] depthwiseWindow(long[] inputShape) {
        return first.windowFor(inputShape);
    }

    @Override
    long slotSize(long[] window) {
        return NativeCore.cnn4j_depthwise_pointwise_workspace_size(window, first.outChannels());
    }

    @Override
    NativeCall bind(long[] window, long batch) {
        long channels = first.outChannels(), outChannels = second.outChannels();
        Tensor depthwiseWeight = first.nativeWeight(), pointwiseWeight = second.nativeWeight();
        Tensor depthwiseBias = first.bias(), pointwiseBias = second.bias();
        return (input, output, workspace, slots) -> NativeCore.cnn4j_depthwise_pointwise_forward(window, batch,
                channels, outChannels, input.pointer(), depthwiseWeight.pointer(), pointerOrNull(depthwiseBias),
                firstEpilogue.kind, firstEpilogue.alpha, pointwiseWeight.pointer(), pointerOrNull(pointwiseBias),
                secondEpilogue.kind, secondEpilogue.alpha, output.pointer(), workspace, slots);
    }
}
