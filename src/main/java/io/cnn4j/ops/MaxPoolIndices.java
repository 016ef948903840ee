package io.cnn4j.ops;

import io.cnn4j.Shapes;
import io.cnn4j.Tensor;
import io.cnn4j.jni.NativeCore;
import org.bytedeco.javacpp.FloatPointer;

/**
 * The indices of a {@link MaxPool} (what {@code MaxPool*d(return_indices=True)} returns second) as a float32 tensor of
 * exact integers, for a model that returns them or computes with them: each maximum's flat offset inside its (n, c)
 * input plane, as PyTorch counts it, or, {@code perTensor}, across the whole [N, C, spatial...] input, as ONNX's
 * MaxPool counts its Indices output ({@code ((n * C + c) * plane) + offset}). float32 holds every integer below
 * 2^24 exactly; a shape whose indices could reach it is refused. Immutable and thread-safe.
 */
public final class MaxPoolIndices implements UnaryOp {
    /** Integers below this are exact in float32. */
    public static final long EXACT_LIMIT = 1L << 24;

    private final MaxPool pool;
    private final boolean perTensor;
    private final String op;

    private MaxPoolIndices(MaxPool pool, boolean perTensor) {
        this.pool = pool;
        this.perTensor = perTensor;
        this.op = "max_pool" + pool.dims() + "d indices";
    }

    /** The indices {@code pool} finds, per plane (PyTorch) or, {@code perTensor}, across the tensor (ONNX). */
    public static MaxPoolIndices create(MaxPool pool, boolean perTensor) {
        if (pool == null) {
            throw new IllegalArgumentException("max_pool indices: pool must not be null");
        }
        return new MaxPoolIndices(pool, perTensor);
    }

    /** The pooled shape; refused when the largest index would not be exact in float32. */
    @Override
    public long[] outputShape(long[] inputShape) {
        long[] out = pool.outputShape(inputShape);
        int dims = pool.dims();
        long plane = Shapes.product(inputShape, inputShape.length - dims, inputShape.length);
        long largest = perTensor ? Shapes.numel(inputShape) : plane;
        if (largest > EXACT_LIMIT) {
            throw new IllegalArgumentException(op + ": the input " + Args.shape(inputShape) + " has " + largest
                    + " elements " + (perTensor ? "" : "per plane ") + "to index, more than float32 holds exactly "
                    + "(2^24 = " + EXACT_LIMIT + "); cnn4j carries indices as float32 integers");
        }
        return out;
    }

    /** Floats of scratch: the int64 indices before they become floats. */
    @Override
    public long workspaceSize(long[] inputShape) {
        return 2 * Shapes.numel(outputShape(inputShape)) + 2;
    }

    @Override
    public void run(Tensor input, Tensor output, FloatPointer workspace) {
        Args.checkOpen(op, "input", input);
        prepare(input.shape()).run(input, output, workspace);
    }

    @Override
    public Prepared prepare(long[] inputShape) {
        long[] out = outputShape(inputShape);
        long[] in = inputShape.clone();
        long[] window = pool.window(inputShape);
        long planes = PoolGeometry.planes(inputShape, pool.dims());
        long scratch = workspaceSize(inputShape);
        return (x, y, workspace) -> {
            Args.checkShape(op, "input", x, in);
            Args.checkShape(op, "output", y, out);
            Workspaces.checkSize(op, workspace, scratch);
            Args.checkNoOverlap(op, y, "input", x, false);
            NativeCore.check(NativeCore.cnn4j_max_pool_indices_forward(window, planes, x.pointer(), perTensor ? 1 : 0,
                    y.pointer(), workspace), "cnn4j_max_pool_indices_forward");
        };
    }

    /**
     * Per plane, each sample's indices come from that sample alone; counted across the tensor they also count the
     * samples before it, so a slice of the batch would number them from 0 (never run on slices).
     */
    @Override
    public boolean samplewise() {
        return !perTensor;
    }

    @Override
    public String toString() {
        return op + (perTensor ? " (across the tensor)" : "");
    }
}
