package io.cnn4j.ops;

import io.cnn4j.Tensor;
import io.cnn4j.jni.NativeCore;
import org.bytedeco.javacpp.FloatPointer;

/**
 * Power-average pooling, PyTorch's {@code F.lp_pool1d/2d/3d}: exactly its composition
 * {@code (sign(a) * relu(|a|) * kernel_volume) ^ (1 / norm_type)} with {@code a = avg_pool(x ^ norm_type)} (no
 * padding, count_include_pad, the given ceil_mode), so the avg_pool rules apply, avg_pool3d's included. For
 * norm_type = p this is the p-norm of each window; negative inputs with a non-integer p give NaN, as in PyTorch.
 *
 * <p>Lifecycle as {@link Convolution}; no scratch ({@link #workspaceSize} is 0, the workspace may be null).
 * Immutable and thread-safe.
 */
public final class LpPool extends ScratchFreeOp {
    private final PoolGeometry geometry;
    private final float normType;

    private LpPool(PoolGeometry geometry, float normType) {
        this.geometry = geometry;
        this.normType = normType;
    }

    /**
     * @param dims spatial dims (1, 2 or 3)
     * @param normType p; any value but 0 (PyTorch divides by it)
     * @param options kernel_size, stride and ceil_mode only
     */
    public static LpPool create(int dims, double normType, PoolOptions options) {
        String op = PoolGeometry.opName("lp_pool", dims);
        if (normType == 0) {
            throw new IllegalArgumentException(op + ": norm_type must not be zero (its inverse is the output power), "
                    + "got norm_type=" + normType);
        }
        if (options != null) {
            PoolGeometry.refuse(op, "padding", options.padding, "max_pool and avg_pool");
            PoolGeometry.refuse(op, "dilation", options.dilation, "max_pool");
            PoolGeometry.refuse(op, "return_indices", options.returnIndices, "max_pool");
            PoolGeometry.refuse(op, "count_include_pad", options.countIncludePad, "avg_pool");
            PoolGeometry.refuse(op, "divisor_override", options.divisorOverride, "avg_pool");
        }
        return new LpPool(PoolGeometry.create(op, dims, options, dims == 3), (float) normType);
    }

    @Override
    public long[] outputShape(long[] inputShape) {
        return geometry.outputShape(inputShape);
    }

    /** output = lp_pool(input); the workspace is unused and may be null. */
    public void run(Tensor input, Tensor output, FloatPointer workspace) {
        long[] inShape = geometry.checkRun(input, output, null);
        NativeCore.check(NativeCore.cnn4j_lp_pool_forward(geometry.window(inShape),
                PoolGeometry.planes(inShape, geometry.dims), normType, input.pointer(), output.pointer()),
                "cnn4j_lp_pool_forward");
    }
}
