package io.cnn4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.cnn4j.reference.NaivePooling;
import io.cnn4j.testing.LibTorch;
import io.cnn4j.testing.Oracle;
import io.cnn4j.testing.SecondOpinion;
import java.util.Arrays;
import java.util.Random;
import java.util.function.Supplier;
import org.bytedeco.javacpp.PointerScope;

/**
 * One side's answer to a random pooling or padding configuration: a result (values, indices, shape) or a
 * rejection. The conformance tests get one from libtorch and one from cnn4j and require that both reject, or that
 * both accept with the same shape; cnn4j's values and indices must then be the float64 naive reference's, and
 * libtorch's are checked against the reference as a second opinion that is counted, never failing.
 */
record PoolingOutcome(float[] values, long[] indices, long[] shape, String rejection) {

    static PoolingOutcome rejected(String why) {
        return new PoolingOutcome(null, null, null, why);
    }

    boolean accepted() {
        return rejection == null;
    }

    /**
     * libtorch's answer: {@code call} returns the output (and indices). An empty output counts as a rejection, as
     * cnn4j tensors have no empty dims (PyTorch allows adaptive output_size 0 and constant padding down to 0).
     */
    static PoolingOutcome torch(Supplier<org.bytedeco.pytorch.Tensor[]> call) {
        try (PointerScope scope = new PointerScope()) {
            org.bytedeco.pytorch.Tensor[] t = call.get();
            if (t[0].numel() == 0) {
                return rejected("libtorch returned an empty tensor " + Arrays.toString(LibTorch.shape(t[0])));
            }
            return new PoolingOutcome(LibTorch.floats(t[0]), t.length > 1 ? LibTorch.longs(t[1]) : null,
                    LibTorch.shape(t[0]), null);
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (RuntimeException e) {
            return rejected("libtorch: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    /** cnn4j's answer: {@code call} returns a {@link Tensor} or {@link TensorWithIndices}, closed here. */
    static PoolingOutcome cnn4j(Supplier<AutoCloseable> call) {
        AutoCloseable result;
        try {
            result = call.get();
        } catch (IllegalArgumentException e) {
            return rejected("cnn4j: " + e.getMessage());
        }
        if (result instanceof TensorWithIndices r) {
            try (r) {
                return new PoolingOutcome(r.values().toFloatArray(), r.indices().toLongArray(), r.values().shape(),
                        null);
            }
        }
        try (Tensor t = (Tensor) result) {
            return new PoolingOutcome(t.toFloatArray(), null, t.shape(), null);
        }
    }

    /**
     * Both reject, or both accept with the same shape, and then cnn4j has the float64 naive reference's values (rtol
     * 1e-5 of the output's scale) and exact indices; libtorch's values and indices go to the ledger. The reference is
     * only asked for accepted configurations.
     */
    static boolean assertAgree(String config, SecondOpinion ledger, PoolingOutcome torch, PoolingOutcome ours,
            Supplier<NaivePooling.Result> naive) {
        if (torch.accepted() != ours.accepted()) {
            fail(config + ": " + (torch.accepted() ? "libtorch accepts, " + ours.rejection
                    : "cnn4j accepts, " + torch.rejection));
        }
        if (!torch.accepted()) {
            return false;
        }
        assertArrayEquals(torch.shape, ours.shape, config + ": shape");
        NaivePooling.Result n = naive.get();
        assertArrayEquals(torch.shape, n.shape(), config + ": naive shape");
        Oracle.assertClose(config + ": cnn4j vs float64 reference", n.values(), ours.values);
        if (n.indices() != null && ours.indices != null) {
            assertArrayEquals(n.indices(), ours.indices, config + ": cnn4j indices vs reference");
        }
        ledger.check(config, n.values(), torch.values);
        if (n.indices() != null && torch.indices != null) {
            ledger.checkExact(config + " indices", n.indices(), torch.indices);
        }
        return true;
    }

    /**
     * Input data: mostly uniform in [-1, 1); sometimes small integers (ties, so that the first-maximum rule shows);
     * with {@code specials}, sometimes NaN and infinities sprinkled in.
     */
    static float[] data(Random r, long n, boolean specials) {
        float[] x = Oracle.uniform(r, n);
        int kind = r.nextInt(10);
        if (kind < 2) {
            for (int i = 0; i < x.length; i++) {
                x[i] = r.nextInt(5) - 2;
            }
        } else if (kind < 4 && specials) {
            float[] special = {Float.NaN, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY};
            for (int i = 0; i < x.length; i++) {
                if (r.nextInt(8) == 0) {
                    x[i] = special[r.nextInt(special.length)];
                }
            }
        }
        return x;
    }

    /** A shape [N, C, spatial...] (or unbatched [C, spatial...]) with spatial sizes in [1, maxSize]. */
    static long[] inputShape(Random r, int dims, int maxSize) {
        boolean batched = r.nextBoolean();
        long[] shape = new long[dims + (batched ? 2 : 1)];
        int s = 0;
        if (batched) {
            shape[s++] = Oracle.between(r, 1, 2);
        }
        shape[s++] = Oracle.between(r, 1, 3);
        for (int i = 0; i < dims; i++) {
            shape[s + i] = Oracle.between(r, 1, maxSize);
        }
        return shape;
    }

    /** An int-or-tuple argument: one value or one per dim, each from {@code value}. */
    static int[] intOrTuple(Random r, int dims, java.util.function.IntSupplier value) {
        int[] v = new int[r.nextInt(3) == 0 ? 1 : dims];
        for (int i = 0; i < v.length; i++) {
            v[i] = value.getAsInt();
        }
        return v;
    }

    /** The per-dim values of an int-or-tuple argument. */
    static long[] expand(int[] v, int dims) {
        long[] out = new long[dims];
        for (int i = 0; i < dims; i++) {
            out[i] = v.length == 1 ? v[0] : v[i];
        }
        return out;
    }

    static long[] longs(int[] v) {
        return Arrays.stream(v).asLongStream().toArray();
    }
}
