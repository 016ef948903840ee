package io.cnn4j.ops;

import io.cnn4j.Tensor;
import io.cnn4j.jni.NativeCore;
import org.bytedeco.javacpp.FloatPointer;

/**
 * Two convolutions run as one op, the first's output going straight into the second in cache instead of through
 * memory: the shape, workspace and run logic that {@link DepthwisePointwise} and {@link ExpandDepthwise} share. A pair
 * borrows both convolutions (their weights, packed once by the first prepare that needs them): the layer that made it
 * owns them. Each subclass names its native call and the arguments it takes; the workspace is one slot per thread of
 * the pool as it is now, and a run uses as many slots as its workspace holds.
 */
abstract class ConvPair implements UnaryOp {
    /** The op's name in messages, e.g. "depthwise_pointwise". */
    final String op;
    /** The native function that runs it, for messages. */
    private final String nativeName;
    final Convolution first;
    final Epilogue firstEpilogue;
    final Convolution second;
    final Epilogue secondEpilogue;

    ConvPair(String op, String nativeName, Convolution first, Epilogue firstEpilogue, Convolution second,
            Epilogue secondEpilogue) {
        this.op = op;
        this.nativeName = nativeName;
        this.first = first;
        this.firstEpilogue = firstEpilogue;
        this.second = second;
        this.secondEpilogue = secondEpilogue;
    }

    /** One fused call for one input shape: the native core's status for these tensors and workspace slots. */
    interface NativeCall {
        int run(Tensor input, Tensor output, FloatPointer workspace, long slots);
    }

    /** The window of the pair's depthwise convolution for an input of the pair of this (checked) shape. */
    abstract long[] depthwiseWindow(long[] inputShape);

    /** Floats of one workspace slot for this depthwise window. */
    abstract long slotSize(long[] window);

    /** The native call for one input shape (weights packed by now; {@code batch} images of the window). */
    abstract NativeCall bind(long[] window, long batch);

    /** The second convolution's output shape for an input of the first. */
    @Override
    public final long[] outputShape(long[] inputShape) {
        return second.outputShape(first.outputShape(inputShape));
    }

    /** Floats of workspace: one slot per thread of the pool as it is now. */
    @Override
    public final long workspaceSize(long[] inputShape) {
        return slotSize(depthwiseWindow(inputShape)) * NativeCore.cnn4j_get_num_threads();
    }

    @Override
    public final void run(Tensor input, Tensor output, FloatPointer workspace) {
        Args.checkOpen(op, "input", input);
        prepare(input.shape()).run(input, output, workspace);
    }

    /** This op for one input shape, worked out once; a run checks the tensors' shapes and calls the native core. */
    @Override
    public final UnaryOp.Prepared prepare(long[] inputShape) {
        long[] inShape = inputShape.clone();
        long[] outShape = outputShape(inShape);
        long[] window = depthwiseWindow(inShape);
        long batch = inShape.length == 4 ? inShape[0] : 1;
        long perSlot = slotSize(window);
        NativeCall call = bind(window, batch);
        return (input, output, workspace) -> {
            Args.checkPrepared(op, input, inShape, output, outShape, null, workspace, perSlot);
            long slots = Workspaces.available(workspace) / perSlot;
            NativeCore.check(call.run(input, output, workspace, slots), nativeName);
        };
    }

    /** Each sample (dim 0) of the output is computed from the same sample of the input alone. */
    @Override
    public final boolean samplewise() {
        return true;
    }

    /** A bias tensor's pointer, or null for no bias. */
    static FloatPointer pointerOrNull(Tensor bias) {
        return bias == null ? null : bias.pointer();
    }
}
