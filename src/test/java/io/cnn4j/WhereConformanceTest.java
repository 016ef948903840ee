package io.cnn4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cnn4j.ops.Where;
import io.cnn4j.reference.NaiveElementwise;
import io.cnn4j.testing.LibTorch;
import io.cnn4j.testing.Oracle;
import io.cnn4j.testing.SecondOpinion;
import java.util.Arrays;
import java.util.Random;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * torch.where (ops.Where) against the float64 reference {@link NaiveElementwise#where}, libtorch float32 as a counted
 * second opinion: random triples of shapes that broadcast (the condition, input or other stretched, with missing
 * leading dims or one element), conditions of 1 / 0 as the comparisons make them, operands with NaN, infinities and
 * signed zeros (a select copies them bit for bit, so the match is exact), run fresh, prepared or in place.
 */
class WhereConformanceTest {
    @Test
    void randomBroadcastsMatchReferenceAndLibtorch() {
        SecondOpinion ledger = SecondOpinion.of("where");
        Oracle.forEachSeed("where", 300, (r, seed) -> {
            long[][] pair = ArithmeticConformanceTest.broadcastingPair(r);
            long[] third = stretched(r, NaiveElementwise.broadcastShape(pair[0], pair[1]));
            long[][] shapes = new long[3][];
            int thirdAt = r.nextInt(3); // which operand gets the third shape
            for (int i = 0, k = 0; i < 3; i++) {
                shapes[i] = i == thirdAt ? third : pair[k++];
            }
            float[] c = condition(r, Shapes.numel(shapes[0]));
            float[] a = DenseFixtures.values(r, Shapes.numel(shapes[1]));
            float[] b = DenseFixtures.values(r, Shapes.numel(shapes[2]));
            String context = "where " + Arrays.deepToString(shapes);
            double[] reference = NaiveElementwise.where(Oracle.widen(c), shapes[0], Oracle.widen(a), shapes[1],
                    Oracle.widen(b), shapes[2]);
            Oracle.assertClose(context + " cnn4j vs float64 reference", reference, run(c, a, b, shapes,
                    r.nextInt(3)));
            ledger.check(context, reference, DenseFixtures.torchOrNull(() -> torch.where(
                    torch.ne(LibTorch.tensor(c, shapes[0]), new org.bytedeco.pytorch.Scalar(0.0)),
                    LibTorch.tensor(a, shapes[1]), LibTorch.tensor(b, shapes[2]))));
        });
        ledger.report();
    }

    @Test
    void selectsExactlyWithSpecialValues() {
        float nan = Float.NaN;
        float inf = Float.POSITIVE_INFINITY;
        long[] s = {4};
        float[] y = run(new float[] {1f, 0f, 1f, 0f}, new float[] {nan, 1f, -0f, 2f}, new float[] {3f, -inf, 4f, -0f},
                new long[][] {s, s, s}, 0);
        assertArrayEquals(new float[] {nan, -inf, -0f, -0f}, y);
        assertTrue(Float.floatToRawIntBits(y[3]) == Float.floatToRawIntBits(-0f), "the selected -0 keeps its sign");
    }

    @Test
    void invalidArgumentsAreRefusedWithClearMessages() {
        assertMessage(() -> Where.outputShape(new long[] {2, 3}, new long[] {3}, new long[] {4}), "where: shapes",
                "do not broadcast", "3 against 4");
        assertMessage(() -> Where.outputShape(new long[] {2, 0}, new long[] {1}, new long[] {1}), "where",
                "input shape");
        try (Tensor c = Tensor.zeros(2, 3); Tensor x = Tensor.zeros(3); Tensor wrong = Tensor.zeros(3, 2)) {
            assertMessage(() -> Where.run(c, x, x, wrong), "where: output must have shape [2, 3], got [3, 2]");
            assertMessage(() -> Where.run(null, x, x, c), "where: condition must not be null");
            Where.run(c, x, x, c); // in place over the condition, which has the output's shape
            try (Tensor big = Tensor.zeros(2, 3); Tensor view = Tensor.wrap(big.pointer(), 0, 3)) {
                assertMessage(() -> Where.run(big, view, x, big), "where: output must not overlap input");
            }
            Tensor closed = Tensor.zeros(3);
            closed.close();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Where.run(c, x, closed, c));
            assertTrue(e.getMessage().contains("where") && e.getMessage().contains("other"), e.getMessage());
        }
    }

    /** A shape that broadcasts to {@code out}: some dims 1, leading dims maybe dropped, sometimes one element. */
    private static long[] stretched(Random r, long[] out) {
        if (r.nextInt(8) == 0) {
            return new long[] {1};
        }
        long[] s = Arrays.copyOfRange(out, r.nextInt(4) == 0 ? r.nextInt(out.length) : 0, out.length);
        for (int d = 0; d < s.length; d++) {
            if (r.nextInt(3) == 0) {
                s[d] = 1;
            }
        }
        return s;
    }

    private static float[] condition(Random r, long n) {
        float[] c = new float[(int) n];
        for (int i = 0; i < c.length; i++) {
            c[i] = r.nextBoolean() ? 1f : 0f;
        }
        return c;
    }

    /** mode 0: into a fresh output; 1: prepared; 2: in place into an operand of the output's shape if one is. */
    private static float[] run(float[] c, float[] a, float[] b, long[][] shapes, int mode) {
        long[] out = Where.outputShape(shapes[0], shapes[1], shapes[2]);
        try (Tensor tc = Tensor.of(c, shapes[0]); Tensor ta = Tensor.of(a, shapes[1]);
                Tensor tb = Tensor.of(b, shapes[2])) {
            Tensor[] operands = {tc, ta, tb};
            for (int i = 0; i < 3 && mode == 2; i++) {
                if (Arrays.equals(shapes[i], out)) {
                    Where.run(tc, ta, tb, operands[i]);
                    return operands[i].toFloatArray();
                }
            }
            try (Tensor to = Tensor.empty(out)) {
                if (mode == 1) {
                    Where.prepare(shapes[0], shapes[1], shapes[2]).run(tc, ta, tb, to);
                } else {
                    Where.run(tc, ta, tb, to);
                }
                return to.toFloatArray();
            }
        }
    }

    private static void assertMessage(Runnable call, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message '" + e.getMessage() + "' lacks '" + p + "'");
        }
    }
}
