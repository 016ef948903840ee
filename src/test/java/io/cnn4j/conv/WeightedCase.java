package io.cnn4j.conv;

import io.cnn4j.Tensor;
import io.cnn4j.reference.NaiveConv;
import io.cnn4j.testing.LibTorch;
import io.cnn4j.testing.Oracle;
import java.util.Arrays;
import java.util.Random;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.TensorOptional;

/**
 * What {@link ConvCase} and {@link ConvTransposeCase} share: an input (batched or not), a weight and an optional
 * bias, with the int-or-tuple arguments of both ops, run through cnn4j, libtorch and the naive reference.
 */
abstract class WeightedCase {
    int dims;
    long batch; // 0: unbatched
    long inChannels;
    long[] spatial;
    long[] weightShape;
    long[] biasShape; // null: no bias
    int[] stride;
    int[] padding;
    int[] dilation;
    int groups;
    float[] x;
    float[] w;
    float[] b;

    long[] inputShape() {
        long[] lead = batch > 0 ? new long[] {batch, inChannels} : new long[] {inChannels};
        long[] shape = Arrays.copyOf(lead, lead.length + spatial.length);
        System.arraycopy(spatial, 0, shape, lead.length, spatial.length);
        return shape;
    }

    /** Random data for the current shapes. */
    void fill(Random r) {
        x = Oracle.uniform(r, numel(inputShape()));
        w = Oracle.uniform(r, numel(weightShape));
        b = biasShape == null ? null : Oracle.uniform(r, numel(biasShape));
    }

    /** After a mutation: zero-size dims make no cnn4j tensor, so every size stays >= 1. */
    void clampSizes() {
        for (int i = 0; i < weightShape.length; i++) {
            weightShape[i] = Math.max(1, weightShape[i]);
        }
        for (int i = 0; i < spatial.length; i++) {
            spatial[i] = Math.max(1, spatial[i]);
        }
    }

    /** cnn4j's functional call; it closes nothing. */
    abstract Tensor callCnn4j(Tensor input, Tensor weight, Tensor bias);

    /** libtorch's call; a RuntimeException means libtorch rejected the configuration. */
    abstract org.bytedeco.pytorch.Tensor callTorch(org.bytedeco.pytorch.Tensor input,
            org.bytedeco.pytorch.Tensor weight, TensorOptional bias);

    /** The float64 naive reference on the batched form [N, C, spatial...] of the input. */
    abstract NaiveConv.Result naiveBatched(long[] inputShape);

    /** Runs cnn4j; an IllegalArgumentException means it rejected the configuration. */
    final Float32Result cnn4j() {
        try (Tensor tx = Tensor.of(x, inputShape());
                Tensor tw = Tensor.of(w, weightShape);
                Tensor tb = b == null ? null : Tensor.of(b, biasShape);
                Tensor y = callCnn4j(tx, tw, tb)) {
            return new Float32Result(y.shape(), y.toFloatArray());
        }
    }

    final Float32Result torch() {
        try (PointerScope scope = new PointerScope()) {
            var y = callTorch(LibTorch.tensor(x, inputShape()), LibTorch.tensor(w, weightShape),
                    LibTorch.optional(b == null ? null : LibTorch.tensor(b, biasShape)));
            return new Float32Result(LibTorch.shape(y), LibTorch.floats(y));
        }
    }

    /** The float64 naive reference; only for configurations libtorch accepts. */
    final NaiveConv.Result naive() {
        // batched or not by the input's rank, as libtorch reads it (a mutation may have changed the rank)
        if (inputShape().length == weightShape.length) {
            return naiveBatched(inputShape());
        }
        NaiveConv.Result y = naiveBatched(prepend(1, inputShape()));
        return new NaiveConv.Result(Arrays.copyOfRange(y.shape(), 1, y.shape().length), y.data());
    }

    /** A tuple argument as one value per spatial dim. */
    long[] expand(int[] tuple) {
        long[] out = new long[dims];
        for (int i = 0; i < dims; i++) {
            out[i] = at(tuple, i);
        }
        return out;
    }

    /** An int (length 1) or a full tuple, each value in [lo, hi]. */
    static int[] tuple(Random r, int dims, int lo, int hi) {
        int[] t = new int[r.nextBoolean() ? 1 : dims];
        for (int i = 0; i < t.length; i++) {
            t[i] = Oracle.between(r, lo, hi);
        }
        return t;
    }

    static int at(int[] tuple, int i) {
        return tuple.length == 1 ? tuple[0] : tuple[i];
    }

    static long[] longs(int[] values) {
        return Arrays.stream(values).asLongStream().toArray();
    }

    static long[] prepend(long first, long[] rest) {
        long[] out = new long[rest.length + 1];
        out[0] = first;
        System.arraycopy(rest, 0, out, 1, rest.length);
        return out;
    }

    static long numel(long[] shape) {
        return Arrays.stream(shape).reduce(1, (a, s) -> a * s);
    }
}
