package io.cnn4j.ops;

import io.cnn4j.IndexTensor;
import io.cnn4j.Tensor;
import io.cnn4j.jni.NativeCore;
import org.bytedeco.javacpp.FloatPointer;

/**
 * Max pooling over 1, 2 or 3 spatial dims with PyTorch's {@code F.max_pool1d/2d/3d} semantics: padding acts as
 * -inf, NaN propagates, the first maximum in window order wins, and the optional indices are flat offsets inside
 * each (n, c) input plane, exactly as {@code max_pool2d_with_indices} returns them.
 *
 * <p>Lifecycle as {@link Convolution}: {@link #create} checks the hyperparameters, {@link #outputShape} an input
 * shape, {@link #run} computes. No scratch ({@link #workspaceSize} is 0, the workspace may be null). Immutable and
 * thread-safe.
 */
public final class MaxPool extends ScratchFreeOp {
    private final PoolGeometry geometry;
    private final boolean returnIndices;

    private MaxPool(PoolGeometry geometry, boolean returnIndices) {
        this.geometry = geometry;
        this.returnIndices = returnIndices;
    }

    /** @param dims spatial dims (1, 2 or 3) */
    public static MaxPool create(int dims, PoolOptions options) {
        String op = PoolGeometry.opName("max_pool", dims);
        if (options != null) {
            PoolGeometry.refuse(op, "count_include_pad", options.countIncludePad, "avg_pool");
            PoolGeometry.refuse(op, "divisor_override", options.divisorOverride, "avg_pool");
        }
        return new MaxPool(PoolGeometry.create(op, dims, options, false),
                options.returnIndices != null && options.returnIndices);
    }

    /** Whether the module was declared with return_indices=True (it then yields values and indices). */
    public boolean returnsIndices() {
        return returnIndices;
    }

    /** The output (and indices) shape for an input of shape [N, C, spatial...] or [C, spatial...]. */
    @Override
    public long[] outputShape(long[] inputShape) {
        return geometry.outputShape(inputShape);
    }

    /** output = max_pool(input); the workspace is unused and may be null. */
    public void run(Tensor input, Tensor output, FloatPointer workspace) {
        run(input, output, null, workspace);
    }

    /** output, indices = max_pool_with_indices(input); indices may be null when not wanted. */
    public void run(Tensor input, Tensor output, IndexTensor indices, FloatPointer workspace) {
        long[] inShape = geometry.checkRun(input, output, indices);
        NativeCore.check(NativeCore.cnn4j_max_pool_forward(geometry.window(inShape),
                PoolGeometry.planes(inShape, geometry.dims), input.pointer(), output.pointer(),
                indices == null ? null : indices.pointer()), "cnn4j_max_pool_forward");
    }

    /** The pooling for one input shape, its window and planes worked out once: a run only checks the shapes. */
    @Override
    public Prepared prepare(long[] inputShape) {
        return geometry.prepare(inputShape, "cnn4j_max_pool_forward", (window, planes, input, output) ->
                NativeCore.cnn4j_max_pool_forward(window, planes, input.pointer(), output.pointer(), null));
    }

    /** The native window of this pooling for an input shape (MaxUnpool recomputes the argmax through it). */
    long[] window(long[] inputShape) {
        return geometry.window(inputShape);
    }

    int dims() {
        return geometry.dims;
    }

    /** Each sample (dim 0) of the output is computed from the same sample of the input alone. */
    @Override
    public boolean samplewise() {
        return true;
    }
}
