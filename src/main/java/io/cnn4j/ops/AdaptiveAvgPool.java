package io.cnn4j.ops;

import io.cnn4j.Tensor;
import io.cnn4j.jni.NativeCore;
import org.bytedeco.javacpp.FloatPointer;

/**
 * Adaptive average pooling over 1, 2 or 3 spatial dims, PyTorch's {@code F.adaptive_avg_pool1d/2d/3d}: each output
 * element averages its bin [floor(i*In/Out), ceil((i+1)*In/Out)) of every dim (bins may overlap, and an output larger
 * than the input repeats elements).
 *
 * <p>Lifecycle as {@link Convolution}; no scratch ({@link #workspaceSize} is 0, the workspace may be null).
 * Immutable and thread-safe.
 */
public final class AdaptiveAvgPool extends ScratchFreeOp {
    private final AdaptiveGeometry geometry;

    private AdaptiveAvgPool(AdaptiveGeometry geometry) {
        this.geometry = geometry;
    }

    /**
     * @param dims spatial dims (1, 2 or 3)
     * @param outputSize one size for every dim or one per dim; for 2-d and 3-d a null entry keeps that input size
     */
    public static AdaptiveAvgPool create(int dims, Integer... outputSize) {
        String op = PoolGeometry.opName("adaptive_avg_pool", dims);
        return new AdaptiveAvgPool(AdaptiveGeometry.create(op, dims, outputSize));
    }

    @Override
    public long[] outputShape(long[] inputShape) {
        return geometry.outputShape(inputShape);
    }

    /** output = adaptive_avg_pool(input); the workspace is unused and may be null. */
    public void run(Tensor input, Tensor output, FloatPointer workspace) {
        long[] inShape = PoolGeometry.checkRun(geometry.op, input, output, null, geometry::outputShape);
        NativeCore.check(NativeCore.cnn4j_adaptive_avg_pool_forward(geometry.inSize(inShape),
                geometry.outSize(inShape), PoolGeometry.planes(inShape, geometry.dims), input.pointer(),
                output.pointer()), "cnn4j_adaptive_avg_pool_forward");
    }

    /** Each sample (dim 0) of the output is computed from the same sample of the input alone. */
    @Override
    public boolean samplewise() {
        return true;
    }
}
