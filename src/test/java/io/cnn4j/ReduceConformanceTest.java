package io.cnn4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cnn4j.ops.Reduce;
import io.cnn4j.testing.LibTorch;
import io.cnn4j.testing.Oracle;
import io.cnn4j.testing.SecondOpinion;
import java.util.Arrays;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * sum, mean, amax and amin over random sets of dims ({@link Reduce}) against a float64 reference, libtorch as a
 * counted second opinion: random ranks 1 to 5, any subset of dims (negative or not, in any order, or none: every
 * dim), keepdim or not, values at several scales with NaN and infinities sprinkled in, prepared and unprepared runs.
 * Sum and mean accumulate in double, so the tolerance is 1e-6 relative to the output's scale; amax and amin are exact.
 */
class ReduceConformanceTest {
    private static final Reduce.Kind[] KINDS = Reduce.Kind.values();

    @Test
    void randomReductionsMatchReferenceAndLibtorch() {
        SecondOpinion ledger = SecondOpinion.of("reduce");
        Oracle.forEachSeed("reduce", 500, (r, seed) -> {
            int rank = Oracle.between(r, 1, 5);
            long[] shape = DenseFixtures.shape(r, rank, rank <= 3 && r.nextInt(4) == 0 ? 40 : 6);
            Reduce.Kind kind = KINDS[r.nextInt(KINDS.length)];
            boolean[] reduced = new boolean[rank];
            java.util.List<Long> dimList = new java.util.ArrayList<>();
            boolean all = r.nextInt(8) == 0;
            for (int d = 0; d < rank && !all; d++) {
                if (r.nextBoolean()) {
                    reduced[d] = true;
                    dimList.add(r.nextBoolean() ? (long) d : (long) d - rank);
                }
            }
            if (!all && dimList.isEmpty()) {
                int d = r.nextInt(rank);
                reduced[d] = true;
                dimList.add((long) d);
            }
            if (all) {
                Arrays.fill(reduced, true);
            }
            java.util.Collections.shuffle(dimList, r);
            long[] dims = dimList.stream().mapToLong(Long::longValue).toArray();
            boolean keepdim = r.nextBoolean();
            Reduce op = Reduce.create(kind, dims, keepdim);
            String context = kind.op() + " " + Arrays.toString(shape) + " dim " + Arrays.toString(dims) + " keepdim "
                    + keepdim;
            boolean allReduced = true;
            for (boolean b : reduced) {
                allReduced &= b;
            }
            if (allReduced && !keepdim) {
                assertThrows(IllegalArgumentException.class, () -> op.outputShape(shape), context);
                return;
            }
            float[] x = r.nextInt(3) == 0 ? DenseFixtures.values(r, Shapes.numel(shape))
                    : Oracle.uniform(r, Shapes.numel(shape));
            long[] out = expectedShape(shape, reduced, keepdim);
            double[] reference = reference(kind, x, shape, reduced);
            assertArrayEquals(out, op.outputShape(shape), context);
            float[] actual;
            try (Tensor in = Tensor.of(x, shape); Tensor y = Tensor.empty(out)) {
                if (r.nextBoolean()) {
                    op.run(in, y, null);
                } else {
                    op.prepare(shape).run(in, y, null);
                }
                actual = y.toFloatArray();
            }
            boolean exact = kind == Reduce.Kind.AMAX || kind == Reduce.Kind.AMIN;
            Oracle.assertClose(context + " cnn4j vs float64 reference", reference, actual, exact ? 0 : 1e-6);
            float[] libtorch = DenseFixtures.torchOrNull(() -> {
                var t = LibTorch.tensor(x, shape);
                long[] d = all ? new long[0] : dims;
                return switch (kind) {
                    case SUM -> torch.sum(t, d, keepdim, new ScalarTypeOptional());
                    case MEAN -> torch.mean(t, d, keepdim, new ScalarTypeOptional());
                    case AMAX -> torch.amax(t, d, keepdim);
                    case AMIN -> torch.amin(t, d, keepdim);
                };
            });
            if (libtorch == null) {
                throw new AssertionError(context + ": libtorch refuses what cnn4j accepted");
            }
            ledger.check(context, reference, libtorch);
        });
        ledger.report();
    }

    private static long[] expectedShape(long[] shape, boolean[] reduced, boolean keepdim) {
        return java.util.stream.IntStream.range(0, shape.length).filter(d -> keepdim || !reduced[d])
                .mapToLong(d -> reduced[d] ? 1 : shape[d]).toArray();
    }

    /** The reduction in double, output element by element in row-major order of the kept dims. */
    private static double[] reference(Reduce.Kind kind, float[] x, long[] shape, boolean[] reduced) {
        long[] kept = new long[shape.length];
        for (int d = 0; d < shape.length; d++) {
            kept[d] = reduced[d] ? 1 : shape[d];
        }
        int outputs = (int) Shapes.numel(kept);
        double[] acc = new double[outputs];
        long[] count = new long[outputs];
        boolean[] nan = new boolean[outputs];
        boolean sum = kind == Reduce.Kind.SUM || kind == Reduce.Kind.MEAN;
        Arrays.fill(acc, sum ? 0 : kind == Reduce.Kind.AMAX ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY);
        for (int i = 0; i < x.length; i++) {
            long rest = i;
            long o = 0;
            long step = 1;
            for (int d = shape.length - 1; d >= 0; d--) {
                long idx = rest % shape[d];
                rest /= shape[d];
                if (!reduced[d]) {
                    o += idx * step;
                }
                step *= kept[d];
            }
            int k = (int) o;
            double v = x[i];
            count[k]++;
            if (sum) {
                acc[k] += v;
            } else if (Double.isNaN(v)) {
                nan[k] = true;
            } else {
                acc[k] = kind == Reduce.Kind.AMAX ? Math.max(acc[k], v) : Math.min(acc[k], v);
            }
        }
        for (int k = 0; k < outputs; k++) {
            if (nan[k]) {
                acc[k] = Double.NaN;
            } else if (kind == Reduce.Kind.MEAN) {
                acc[k] /= count[k];
            }
        }
        return acc;
    }

    @Test
    void invalidArgumentsAreRefusedWithClearMessages() {
        assertMessage(() -> Reduce.create(null, new long[] {1}, false), "reduce: kind must not be null");
        assertMessage(() -> Reduce.create(Reduce.Kind.SUM, new long[] {3}, false).outputShape(new long[] {2, 3, 4}),
                "sum: dim must be in range [-3, 2]", "dim=3");
        assertMessage(() -> Reduce.create(Reduce.Kind.MEAN, new long[] {1, -2}, false)
                .outputShape(new long[] {2, 3, 4}), "mean: dim 1 appears multiple times in the list of dims");
        assertMessage(() -> Reduce.create(Reduce.Kind.AMAX, null, false).outputShape(new long[] {2, 3}),
                "amax: reducing every dim of input [2, 3] without keepdim gives a 0-d result", "keepdim=True");
        try (Tensor x = Tensor.zeros(2, 3, 4); Tensor wrong = Tensor.zeros(2, 4)) {
            assertMessage(() -> Reduce.create(Reduce.Kind.AMIN, new long[] {2}, false).run(x, wrong, null),
                    "amin: output must have shape [2, 3]");
        }
    }

    private static void assertMessage(Runnable call, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message '" + e.getMessage() + "' lacks '" + p + "'");
        }
    }
}
