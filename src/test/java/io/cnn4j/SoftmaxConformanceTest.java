package io.cnn4j;

import io.cnn4j.ops.Softmax;
import io.cnn4j.reference.NaiveDense;
import io.cnn4j.testing.LibTorch;
import io.cnn4j.testing.Oracle;
import io.cnn4j.testing.SecondOpinion;
import java.util.Arrays;
import java.util.Random;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * Softmax and LogSoftmax: cnn4j (op and functional, in place or not) vs the float64 naive reference (libtorch float32
 * as a counted second opinion) on random ranks and dims (negative ones included), with large magnitudes, large offsets
 * (where log_softmax's order of operations matters), NaN, infinities and rows of -inf; and random dims that may be out
 * of range, where cnn4j must throw exactly when libtorch does (and otherwise compute the reference's values).
 * Tolerance: Oracle's 1e-5 of the output's scale.
 */
class SoftmaxConformanceTest {
    private static final int CASES = 600;
    /** Fewer: each libtorch refusal costs ~10 ms (it captures a C++ stack trace). */
    private static final int INVALID_CASES = 200;

    /** Values for one case: a scale, sometimes a common offset, sometimes specials or a whole row of -inf. */
    private static float[] values(Random r, long[] shape, int dim) {
        float[] x = DenseFixtures.values(r, Shapes.numel(shape));
        if (r.nextInt(4) == 0) {
            float offset = (float) ((r.nextDouble() * 2 - 1) * Math.pow(10, Oracle.between(r, 1, 6)));
            for (int i = 0; i < x.length; i++) {
                x[i] += offset;
            }
        }
        if (r.nextInt(6) == 0) { // one slice along dim all -inf
            long inner = Shapes.product(shape, dim + 1, shape.length);
            long outerIdx = r.nextInt((int) Shapes.product(shape, 0, dim));
            long innerIdx = r.nextInt((int) inner);
            for (long d = 0; d < shape[dim]; d++) {
                x[(int) ((outerIdx * shape[dim] + d) * inner + innerIdx)] = Float.NEGATIVE_INFINITY;
            }
        }
        return x;
    }

    @Test
    void randomConfigurationsMatchReferenceAndLibtorch() {
        SecondOpinion ledger = SecondOpinion.of("softmax");
        Oracle.forEachSeed("softmax", CASES, (r, seed) -> {
            int rank = Oracle.between(r, 1, 4);
            long[] shape = DenseFixtures.shape(r, rank, r.nextBoolean() ? 5 : 12);
            int dim = Oracle.between(r, -rank, rank - 1);
            int d = dim < 0 ? dim + rank : dim;
            boolean log = r.nextBoolean();
            float[] x = values(r, shape, d);
            String context = (log ? "log_softmax" : "softmax") + " dim=" + dim + " " + Arrays.toString(shape);
            double[] reference = reference(log, dim, x, shape);
            Oracle.assertClose(context + " cnn4j vs float64 reference", reference, run(log, dim, x, shape,
                    r.nextInt(3)));
            ledger.check(context, reference, LibTorch.floats(libtorch(log, dim, x, shape)));
        });
        ledger.report();
    }

    /** The float64 reference along dim (negative counted from the end). */
    private static double[] reference(boolean log, int dim, float[] x, long[] shape) {
        int d = dim < 0 ? dim + shape.length : dim;
        return NaiveDense.softmax(Oracle.widen(x), Shapes.product(shape, 0, d), (int) shape[d],
                Shapes.product(shape, d + 1, shape.length), log);
    }

    /** libtorch's float32 result; a RuntimeException when it refuses the dim. */
    private static org.bytedeco.pytorch.Tensor libtorch(boolean log, int dim, float[] x, long[] shape) {
        org.bytedeco.pytorch.Tensor tx = LibTorch.tensor(x, shape);
        return log ? torch.log_softmax(tx, dim) : torch.softmax(tx, dim);
    }

    /** mode 0: functional; 1: op into a fresh output; 2: op in place. */
    private static float[] run(boolean log, int dim, float[] x, long[] shape, int mode) {
        Softmax op = log ? Softmax.logSoftmax(dim) : Softmax.softmax(dim);
        return DenseFixtures.runSameShape(x, shape, mode,
                input -> log ? Functional.logSoftmax(input, dim) : Functional.softmax(input, dim), op::outputShape,
                (input, output) -> op.run(input, output, null));
    }

    @Test
    void randomDimsThrowExactlyWhenLibtorchDoes() {
        SecondOpinion ledger = SecondOpinion.of("softmax dims");
        Oracle.forEachSeed("softmax dims", INVALID_CASES, (r, seed) -> {
            int rank = Oracle.between(r, 1, 4);
            long[] shape = DenseFixtures.shape(r, rank, 4);
            int dim = Oracle.between(r, -rank - 2, rank + 1);
            boolean log = r.nextBoolean();
            float[] x = Oracle.uniform(r, Shapes.numel(shape));
            float[] libtorch = DenseFixtures.torchOrNull(() -> libtorch(log, dim, x, shape));
            DenseFixtures.assertSameVerdict(ledger, "softmax dim=" + dim + " " + Arrays.toString(shape), libtorch,
                    () -> reference(log, dim, x, shape), () -> run(log, dim, x, shape, r.nextInt(2)));
        });
        ledger.report();
    }

    @Test
    void hugeLogitsStayStable() {
        float[] x = {1e30f, -1e30f, 3e38f, 0f, 88.8f, 89f, -3e38f, 1e4f};
        long[] shape = {2, 4};
        SecondOpinion ledger = SecondOpinion.of("softmax huge logits");
        for (boolean log : new boolean[] {false, true}) {
            for (int dim = -2; dim <= 1; dim++) {
                String context = "stable " + log + " dim=" + dim;
                double[] reference = reference(log, dim, x, shape);
                Oracle.assertClose(context, reference, run(log, dim, x, shape, 1));
                ledger.check(context, reference, LibTorch.floats(libtorch(log, dim, x, shape)));
            }
        }
        ledger.report();
    }
}
