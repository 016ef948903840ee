package io.cnn4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cnn4j.ops.MatMul;
import io.cnn4j.testing.LibTorch;
import io.cnn4j.testing.Oracle;
import io.cnn4j.testing.SecondOpinion;
import java.util.Arrays;
import java.util.Random;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * torch.matmul ({@link MatMul}) against a float64 reference, libtorch as a counted second opinion (and the judge of
 * which shape pairs are accepted): vectors on either side, matrices, batch dims of ranks 0 to 3 on each side with
 * sizes 1 that broadcast, M, N, K from 1 to 70 (sgemm's edge panels), prepared and unprepared runs. Tolerance:
 * Oracle's 1e-5 relative to the output's scale, on values in [-1, 1).
 */
class MatMulConformanceTest {
    @Test
    void randomProductsMatchReferenceAndLibtorch() {
        SecondOpinion ledger = SecondOpinion.of("matmul");
        Oracle.forEachSeed("matmul", 400, (r, seed) -> {
            long m = size(r);
            long n = size(r);
            long k = size(r);
            long[] batch = DenseFixtures.shape(r, r.nextInt(4), 4);
            long[] a = operand(r, batch, m, k, r.nextInt(6) == 0);
            long[] b = operand(r, batch, k, n, r.nextInt(6) == 0);
            if (a.length == 1 && b.length == 1) {
                b = new long[] {k, n};
            }
            if (r.nextInt(10) == 0) { // sometimes the inner dims disagree
                b = b.clone();
                b[Math.max(0, b.length - 2)] += 1;
            }
            long[] as = a;
            long[] bs = b;
            String context = Arrays.toString(a) + " @ " + Arrays.toString(b);
            float[] x = Oracle.uniform(r, Shapes.numel(a));
            float[] y = Oracle.uniform(r, Shapes.numel(b));
            float[] libtorch = DenseFixtures.torchOrNull(() -> torch.matmul(LibTorch.tensor(x, as),
                    LibTorch.tensor(y, bs)));
            MatMul op = MatMul.create();
            if (libtorch == null) {
                assertThrows(IllegalArgumentException.class, () -> op.outputShape(as, bs), context);
                return;
            }
            long[] out = op.outputShape(a, b);
            assertArrayEquals(LibTorch.shape(torch.matmul(LibTorch.tensor(x, as), LibTorch.tensor(y, bs))), out,
                    context);
            double[] reference = reference(x, a, y, b, out);
            float[] actual;
            try (Tensor ta = Tensor.of(x, a); Tensor tb = Tensor.of(y, b); Tensor t = Tensor.empty(out)) {
                if (r.nextBoolean()) {
                    op.run(ta, tb, t);
                } else {
                    op.prepare(a, b).run(ta, tb, t);
                }
                actual = t.toFloatArray();
            }
            Oracle.assertClose(context + " cnn4j vs float64 reference", reference, actual);
            ledger.check(context, reference, libtorch);
        });
        ledger.report();
    }

    private static long size(Random r) {
        return r.nextInt(4) == 0 ? Oracle.between(r, 17, 70) : Oracle.between(r, 1, 9);
    }

    /** A vector [inner] or batch dims (some dropped from the front, some set to 1) then [rows, cols]. */
    private static long[] operand(Random r, long[] batch, long rows, long cols, boolean vector) {
        if (vector) {
            return new long[] {r.nextBoolean() ? rows : cols};
        }
        int keep = Oracle.between(r, 0, batch.length);
        long[] s = new long[keep + 2];
        for (int i = 0; i < keep; i++) {
            s[i] = r.nextInt(3) == 0 ? 1 : batch[batch.length - keep + i];
        }
        s[keep] = rows;
        s[keep + 1] = cols;
        return s;
    }

    /** torch.matmul in double, by its definition: vectors promoted, batch dims broadcast. */
    private static double[] reference(float[] x, long[] a, float[] y, long[] b, long[] out) {
        long[] am = a.length == 1 ? new long[] {1, a[0]} : a;
        long[] bm = b.length == 1 ? new long[] {b[0], 1} : b;
        int m = (int) am[am.length - 2];
        int k = (int) am[am.length - 1];
        int n = (int) bm[bm.length - 1];
        int batchRank = Math.max(am.length, bm.length) - 2;
        long[] batch = new long[batchRank];
        for (int d = 0; d < batchRank; d++) {
            batch[d] = Math.max(dim(am, d, batchRank), dim(bm, d, batchRank));
        }
        int batches = (int) Shapes.numel(batch.length == 0 ? new long[] {1} : batch);
        double[] result = new double[batches * m * n];
        for (int i = 0; i < batches; i++) {
            long ao = 0;
            long bo = 0;
            long sa = (long) m * k;
            long sb = (long) k * n;
            long rest = i;
            for (int d = batchRank - 1; d >= 0; d--) {
                long idx = rest % batch[d];
                rest /= batch[d];
                long p = dim(am, d, batchRank);
                long q = dim(bm, d, batchRank);
                ao += (p == 1 ? 0 : idx) * sa;
                bo += (q == 1 ? 0 : idx) * sb;
                sa *= p;
                sb *= q;
            }
            for (int row = 0; row < m; row++) {
                for (int col = 0; col < n; col++) {
                    double s = 0;
                    for (int j = 0; j < k; j++) {
                        s += (double) x[(int) (ao + (long) row * k + j)] * y[(int) (bo + (long) j * n + col)];
                    }
                    result[(i * m + row) * n + col] = s;
                }
            }
        }
        assertTrue(result.length == Shapes.numel(out));
        return result;
    }

    private static long dim(long[] s, int d, int batchRank) {
        int i = d - (batchRank - (s.length - 2));
        return i < 0 ? 1 : s[i];
    }

    @Test
    void invalidArgumentsAreRefusedWithClearMessages() {
        MatMul op = MatMul.create();
        assertMessage(() -> op.outputShape(new long[] {3}, new long[] {3}), "matmul: a vector times a vector",
                "0-d dot product");
        assertMessage(() -> op.outputShape(new long[] {2, 3}, new long[] {4, 5}), "matmul: shapes [2, 3] and "
                + "[4, 5] cannot be multiplied", "input's last dim (3) must equal other's second-to-last dim (4)");
        assertMessage(() -> op.outputShape(new long[] {2, 2, 3}, new long[] {3, 3, 4}), "matmul batch dims: shapes "
                + "[2] and [3] do not broadcast");
        try (Tensor x = Tensor.zeros(2, 3); Tensor w = Tensor.zeros(3, 4); Tensor wrong = Tensor.zeros(2, 3)) {
            assertMessage(() -> op.run(x, w, wrong), "matmul: output must have shape [2, 4]");
            assertMessage(() -> op.run(x, w, x), "matmul: output must have shape [2, 4]");
        }
    }

    private static void assertMessage(Runnable call, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message '" + e.getMessage() + "' lacks '" + p + "'");
        }
    }
}
