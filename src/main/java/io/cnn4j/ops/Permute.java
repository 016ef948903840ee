package io.cnn4j.ops;

import io.cnn4j.Tensor;
import io.cnn4j.jni.NativeCore;
import java.util.Arrays;
import org.bytedeco.javacpp.FloatPointer;

/**
 * torch.permute(input, dims): output dim d is input dim dims[d] (negative dims count from the end), copied into
 * contiguous memory. Lifecycle as {@link Activation}; the output must not overlap the input. Immutable and
 * thread-safe.
 */
public final class Permute implements UnaryOp {
    private static final String OP = "permute";
    private final long[] dims;

    private Permute(long[] dims) {
        this.dims = dims;
    }

    public static Permute create(long... dims) {
        if (dims == null || dims.length == 0) {
            throw new IllegalArgumentException(OP + ": dims must list every dim of the input, got "
                    + Arrays.toString(dims));
        }
        return new Permute(dims.clone());
    }

    /** dims wrapped and checked against a rank: a permutation of 0..rank-1. */
    private int[] order(long[] inputShape) {
        Args.checkInputShape(OP, inputShape);
        int rank = inputShape.length;
        if (dims.length != rank) {
            throw new IllegalArgumentException(OP + ": number of dims don't match in permute: input has " + rank
                    + " dims, dims=" + Arrays.toString(dims) + " has " + dims.length);
        }
        int[] order = new int[rank];
        boolean[] seen = new boolean[rank];
        for (int d = 0; d < rank; d++) {
            order[d] = Args.wrapDim(OP, "dims", dims[d], rank);
            if (seen[order[d]]) {
                throw new IllegalArgumentException(OP + ": repeated dim in dims=" + Arrays.toString(dims));
            }
            seen[order[d]] = true;
        }
        return order;
    }

    public long[] outputShape(long[] inputShape) {
        int[] order = order(inputShape);
        long[] out = new long[order.length];
        for (int d = 0; d < order.length; d++) {
            out[d] = inputShape[order[d]];
        }
        return out;
    }

    public long workspaceSize(long[] inputShape) {
        order(inputShape);
        return 0;
    }

    public void run(Tensor input, Tensor output, FloatPointer workspace) {
        long[] in = Args.checkRun(OP, input, output, this::outputShape, false);
        int[] order = order(in);
        long[] strides = new long[in.length];
        long step = 1;
        long[] inStrides = new long[in.length];
        for (int d = in.length - 1; d >= 0; d--) {
            inStrides[d] = step;
            step *= in[d];
        }
        long[] shape = new long[in.length];
        for (int d = 0; d < in.length; d++) {
            shape[d] = in[order[d]];
            strides[d] = inStrides[order[d]];
        }
        NativeCore.check(NativeCore.cnn4j_strided_copy(shape.length, shape, strides, 0, input.pointer(),
                output.pointer()), "cnn4j_strided_copy");
    }
}
