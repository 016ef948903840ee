package io.cnn4j.ops;

import io.cnn4j.IndexTensor;
import io.cnn4j.Tensor;
import io.cnn4j.jni.NativeCore;
import org.bytedeco.javacpp.FloatPointer;

/**
 * Adaptive max pooling over 1, 2 or 3 spatial dims, PyTorch's {@code F.adaptive_max_pool1d/2d/3d}: the maximum of
 * each bin [floor(i*In/Out), ceil((i+1)*In/Out)), NaN propagating, first maximum winning; the optional indices are
 * flat offsets inside each (n, c) input plane, as PyTorch returns them.
 *
 * <p>Lifecycle as {@link Convolution}; no scratch ({@link #workspaceSize} is 0, the workspace may be null).
 * Immutable and thread-safe.
 */
public final class AdaptiveMaxPool extends ScratchFreeOp {
    private final AdaptiveGeometry geometry;
    private final boolean returnIndices;

    private AdaptiveMaxPool(AdaptiveGeometry geometry, boolean returnIndices) {
        this.geometry = geometry;
        this.returnIndices = returnIndices;
    }

    /**
     * @param dims spatial dims (1, 2 or 3)
     * @param outputSize one size for every dim or one per dim; for 2-d and 3-d a null entry keeps that input size
     * @param returnIndices whether the module yields the indices too ({@code nn.AdaptiveMaxPool2d(return_indices)})
     */
    public static AdaptiveMaxPool create(int dims, Integer[] outputSize, boolean returnIndices) {
        String op = PoolGeometry.opName("adaptive_max_pool", dims);
        return new AdaptiveMaxPool(AdaptiveGeometry.create(op, dims, outputSize), returnIndices);
    }

    public boolean returnsIndices() {
        return returnIndices;
    }

    /** The output (and indices) shape. */
    @Override
    public long[] outputShape(long[] inputShape) {
        return geometry.outputShape(inputShape);
    }

    /** output = adaptive_max_pool(input); the workspace is unused and may be null. */
    public void run(Tensor input, Tensor output, FloatPointer workspace) {
        run(input, output, null, workspace);
    }

    /** output, indices = adaptive_max_pool(input); indices may be null when not wanted. */
    public void run(Tensor input, Tensor output, IndexTensor indices, FloatPointer workspace) {
        long[] inShape = PoolGeometry.checkRun(geometry.op, input, output, indices, geometry::outputShape);
        NativeCore.check(NativeCore.cnn4j_adaptive_max_pool_forward(geometry.inSize(inShape),
                geometry.outSize(inShape), PoolGeometry.planes(inShape, geometry.dims), input.pointer(),
                output.pointer(), indices == null ? null : indices.pointer()), "cnn4j_adaptive_max_pool_forward");
    }

    /** Each sample (dim 0) of the output is computed from the same sample of the input alone. */
    @Override
    public boolean samplewise() {
        return true;
    }
}
