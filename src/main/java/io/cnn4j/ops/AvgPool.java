package io.cnn4j.ops;

import io.cnn4j.Tensor;
import io.cnn4j.jni.NativeCore;
import org.bytedeco.javacpp.FloatPointer;

/**
 * Average pooling over 1, 2 or 3 spatial dims with PyTorch's {@code F.avg_pool1d/2d/3d} semantics. The divisor
 * follows ATen: {@code divisor_override} if given, else with {@code count_include_pad} the window clipped to input +
 * padding (so a ceil-mode window hanging past the right padding counts only what it covers), else the in-input
 * elements.
 *
 * <p>Lifecycle as {@link Convolution}; no scratch ({@link #workspaceSize} is 0, the workspace may be null).
 * Immutable and thread-safe.
 */
public final class AvgPool extends ScratchFreeOp {
    private final PoolGeometry geometry;
    private final boolean countIncludePad;
    private final int divisorOverride; // 0: none (PyTorch refuses 0 itself)

    private AvgPool(PoolGeometry geometry, boolean countIncludePad, int divisorOverride) {
        this.geometry = geometry;
        this.countIncludePad = countIncludePad;
        this.divisorOverride = divisorOverride;
    }

    /** @param dims spatial dims (1, 2 or 3) */
    public static AvgPool create(int dims, PoolOptions options) {
        String op = PoolGeometry.opName("avg_pool", dims);
        if (options != null) {
            PoolGeometry.refuse(op, "dilation", options.dilation, "max_pool");
            PoolGeometry.refuse(op, "return_indices", options.returnIndices, "max_pool");
            if (dims == 1) {
                PoolGeometry.refuse(op, "divisor_override", options.divisorOverride, "avg_pool2d and avg_pool3d");
            }
            if (options.divisorOverride != null && options.divisorOverride == 0) {
                throw new IllegalArgumentException(op + ": divisor_override must not be zero, got divisor_override=0");
            }
        }
        // avg_pool3d (unlike 1-d and 2-d) also refuses inputs smaller than the kernel.
        PoolGeometry geometry = PoolGeometry.create(op, dims, options, dims == 3);
        return new AvgPool(geometry, options.countIncludePad == null || options.countIncludePad,
                options.divisorOverride == null ? 0 : options.divisorOverride);
    }

    @Override
    public long[] outputShape(long[] inputShape) {
        return geometry.outputShape(inputShape);
    }

    /** output = avg_pool(input); the workspace is unused and may be null. */
    public void run(Tensor input, Tensor output, FloatPointer workspace) {
        long[] inShape = geometry.checkRun(input, output, null);
        NativeCore.check(NativeCore.cnn4j_avg_pool_forward(geometry.window(inShape),
                PoolGeometry.planes(inShape, geometry.dims), countIncludePad ? 1 : 0, divisorOverride,
                input.pointer(), output.pointer()), "cnn4j_avg_pool_forward");
    }

    /** The pooling for one input shape, its window and planes worked out once: a run only checks the shapes. */
    @Override
    public Prepared prepare(long[] inputShape) {
        return geometry.prepare(inputShape, "cnn4j_avg_pool_forward", (window, planes, input, output) ->
                NativeCore.cnn4j_avg_pool_forward(window, planes, countIncludePad ? 1 : 0, divisorOverride,
                        input.pointer(), output.pointer()));
    }

    /** Each sample (dim 0) of the output is computed from the same sample of the input alone. */
    @Override
    public boolean samplewise() {
        return true;
    }
}
