package io.cnn4j.ops;

import io.cnn4j.Tensor;
import io.cnn4j.jni.NativeCore;
import org.bytedeco.javacpp.FloatPointer;

/**
 * A depthwise convolution and the 1x1 convolution that reads it, run as one op
 * ({@code cnn4j_depthwise_pointwise_forward}): each band of output rows is convolved depthwise for every channel
 * and multiplied by the pointwise weights while still in cache, so the depthwise output (as large as the block's
 * input) is never written to memory and read back. MobileNetV1's blocks and MobileNetV2's first block are such pairs.
 * Results are bit-identical to the two convolutions run one after the other, with their epilogues.
 *
 * <p>Borrows both convolutions (their weights, the pointwise ones packed once by its first use): the layer that made
 * this op owns them.
 */
public final class DepthwisePointwise implements UnaryOp {
    private static final String OP = "depthwise_pointwise";

    private final Convolution depthwise;
    private final Epilogue depthwiseEpilogue;
    private final Convolution pointwise;
    private final Epilogue pointwiseEpilogue;

    private DepthwisePointwise(Convolution depthwise, Epilogue depthwiseEpilogue, Convolution pointwise,
            Epilogue pointwiseEpilogue) {
        this.depthwise = depthwise;
        this.depthwiseEpilogue = depthwiseEpilogue;
        this.pointwise = pointwise;
        this.pointwiseEpilogue = pointwiseEpilogue;
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

    /** The pointwise convolution's output shape for an input of the depthwise one. */
    @Override
    public long[] outputShape(long[] inputShape) {
        return pointwise.outputShape(depthwise.outputShape(inputShape));
    }

    /** Floats of workspace: one slot (a band of depthwise output rows) per thread of the pool as it is now. */
    @Override
    public long workspaceSize(long[] inputShape) {
        long[] window = depthwise.windowFor(inputShape);
        return NativeCore.cnn4j_depthwise_pointwise_workspace_size(window, depthwise.outChannels())
                * NativeCore.cnn4j_get_num_threads();
    }

    @Override
    public void run(Tensor input, Tensor output, FloatPointer workspace) {
        Args.checkOpen(OP, "input", input);
        prepare(input.shape()).run(input, output, workspace);
    }

    /** This op for one input shape, worked out once; a run checks the tensors' shapes and calls the native core. */
    @Override
    public UnaryOp.Prepared prepare(long[] inputShape) {
        long[] inShape = inputShape.clone();
        long[] window = depthwise.windowFor(inShape);
        long[] outShape = pointwise.outputShape(depthwise.outputShape(inShape));
        long batch = inShape.length == 4 ? inShape[0] : 1;
        long channels = depthwise.outChannels(), outChannels = pointwise.outChannels();
        long perSlot = NativeCore.cnn4j_depthwise_pointwise_workspace_size(window, channels);
        Tensor depthwiseWeight = depthwise.nativeWeight();
        Tensor pointwiseWeight = pointwise.nativeWeight();
        Tensor depthwiseBias = depthwise.bias(), pointwiseBias = pointwise.bias();
        return (input, output, workspace) -> {
            Args.checkPrepared(OP, input, inShape, output, outShape, null, workspace, perSlot);
            long slots = Workspaces.available(workspace) / perSlot;
            NativeCore.check(NativeCore.cnn4j_depthwise_pointwise_forward(window, batch, channels, outChannels,
                    input.pointer(), depthwiseWeight.pointer(),
                    depthwiseBias == null ? null : depthwiseBias.pointer(), depthwiseEpilogue.kind,
                    depthwiseEpilogue.alpha, pointwiseWeight.pointer(),
                    pointwiseBias == null ? null : pointwiseBias.pointer(), pointwiseEpilogue.kind,
                    pointwiseEpilogue.alpha, output.pointer(), workspace, slots), "cnn4j_depthwise_pointwise_forward");
        };
    }

    /** Each sample (dim 0) of the output is computed from the same sample of the input alone. */
    @Override
    public boolean samplewise() {
        return true;
    }
}
