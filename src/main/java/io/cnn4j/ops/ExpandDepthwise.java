package io.cnn4j.ops;

import io.cnn4j.Tensor;
import io.cnn4j.jni.NativeCore;
import org.bytedeco.javacpp.FloatPointer;

/**
 * An inverted-residual block's expansion (a 1x1 convolution) and the depthwise convolution that reads it, run as one
 * op ({@code cnn4j_expand_depthwise_forward}): each panel of 8 expanded channels is convolved while it is still in
 * cache, so the expanded tensor, 6x the block's input in MobileNetV2, is never written to memory and read back.
 * Results are bit-identical to the two convolutions run one after the other, with their epilogues.
 *
 * <p>Borrows both convolutions (their weights, packed once by the expansion's first use): the layer that made this
 * op owns them.
 */
public final class ExpandDepthwise implements UnaryOp {
    private static final String OP = "expand_depthwise";

    private final Convolution expand;
    private final Epilogue expandEpilogue;
    private final Convolution depthwise;
    private final Epilogue depthwiseEpilogue;

    private ExpandDepthwise(Convolution expand, Epilogue expandEpilogue, Convolution depthwise,
            Epilogue depthwiseEpilogue) {
        this.expand = expand;
        this.expandEpilogue = expandEpilogue;
        this.depthwise = depthwise;
        this.depthwiseEpilogue = depthwiseEpilogue;
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

    /** The depthwise convolution's output shape for an input of the expansion. */
    @Override
    public long[] outputShape(long[] inputShape) {
        return depthwise.outputShape(expand.outputShape(inputShape));
    }

    /** Floats of workspace: one slot (a panel of expanded planes) per thread of the pool as it is now. */
    @Override
    public long workspaceSize(long[] inputShape) {
        long[] window = depthwise.windowFor(expand.outputShape(inputShape));
        return NativeCore.cnn4j_expand_depthwise_workspace_size(window) * NativeCore.cnn4j_get_num_threads();
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
        long[] midShape = expand.outputShape(inShape);
        long[] outShape = depthwise.outputShape(midShape);
        long[] window = depthwise.windowFor(midShape);
        long batch = inShape.length == 4 ? inShape[0] : 1;
        long perSlot = NativeCore.cnn4j_expand_depthwise_workspace_size(window);
        long inChannels = expand.inChannels(), midChannels = expand.outChannels();
        Tensor expandWeight = expand.nativeWeight();
        Tensor depthwiseWeight = depthwise.nativeWeight();
        Tensor expandBias = expand.bias(), depthwiseBias = depthwise.bias();
        return (input, output, workspace) -> {
            Args.checkPrepared(OP, input, inShape, output, outShape, null, workspace, perSlot);
            long slots = Workspaces.available(workspace) / perSlot;
            NativeCore.check(NativeCore.cnn4j_expand_depthwise_forward(window, batch, inChannels, midChannels,
                    input.pointer(), expandWeight.pointer(), expandBias == null ? null : expandBias.pointer(),
                    expandEpilogue.kind, expandEpilogue.alpha, depthwiseWeight.pointer(),
                    depthwiseBias == null ? null : depthwiseBias.pointer(), depthwiseEpilogue.kind,
                    depthwiseEpilogue.alpha, output.pointer(), workspace, slots), "cnn4j_expand_depthwise_forward");
        };
    }

    /** Each sample (dim 0) of the output is computed from the same sample of the input alone. */
    @Override
    public boolean samplewise() {
        return true;
    }
}
