package io.cnn4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cnn4j.ops.Binary;
import io.cnn4j.ops.UnaryMath;
import io.cnn4j.reference.NaiveElementwise;
import io.cnn4j.testing.LibTorch;
import io.cnn4j.testing.Oracle;
import io.cnn4j.testing.SecondOpinion;
import java.util.Arrays;
import java.util.Random;
import java.util.function.BinaryOperator;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * Element-wise arithmetic (Binary: add, sub, mul, div, maximum, minimum, pow and the comparisons gt, ge, lt, le, eq
 * with broadcasting; UnaryMath: neg, abs, sqrt, exp, log) against the float64 reference {@link NaiveElementwise}, libtorch float32 as a counted second
 * opinion. Shapes are random pairs that broadcast (stretched dims on either side, missing leading dims, a
 * one-element scalar operand), values include NaN, infinities, signed zeros and huge magnitudes. Tolerance: Oracle's
 * 1e-5 relative to the output's largest finite value (the basic operations are correctly rounded, so they are far
 * inside it; exp, log and pow of libm within a few ulp).
 */
class ArithmeticConformanceTest {
    private static final int CASES = 500;

    @Test
    void randomBroadcastsMatchReferenceAndLibtorch() {
        SecondOpinion ledger = SecondOpinion.of("binary arithmetic");
        Oracle.forEachSeed("binary arithmetic", CASES, (r, seed) -> {
            Binary.Kind kind = Binary.Kind.values()[r.nextInt(Binary.Kind.values().length)];
            long[][] shapes = broadcastingPair(r);
            float[] a = operand(r, kind, Shapes.numel(shapes[0]), false);
            float[] b = operand(r, kind, Shapes.numel(shapes[1]), true);
            String context = kind.op() + " " + Arrays.toString(shapes[0]) + " and " + Arrays.toString(shapes[1]);
            double[] reference = NaiveElementwise.binary(kind.op(), Oracle.widen(a), shapes[0], Oracle.widen(b),
                    shapes[1]);
            Oracle.assertClose(context + " cnn4j vs float64 reference", reference, run(kind, a, shapes[0], b,
                    shapes[1], r.nextInt(3)));
            float[] libtorch = DenseFixtures.torchOrNull(() -> torchBinary(kind).apply(
                    LibTorch.tensor(a, shapes[0]), LibTorch.tensor(b, shapes[1])));
            ledger.check(context, reference, libtorch);
        });
        ledger.report();
    }

    @Test
    void unaryMathMatchesReferenceAndLibtorch() {
        SecondOpinion ledger = SecondOpinion.of("unary math");
        String[] names = {"neg", "abs", "sqrt", "exp", "log", "floor", "ceil", "round", "sign", "erf"};
        Oracle.forEachSeed("unary math", 200, (r, seed) -> {
            String f = names[r.nextInt(names.length)];
            long[] shape = DenseFixtures.shape(r, Oracle.between(r, 1, 4), 7);
            float[] x = f.equals("exp") ? scaled(Oracle.uniform(r, Shapes.numel(shape)), 20)
                    : f.equals("round") ? halves(r, Shapes.numel(shape)) // ties: halves to even
                    : f.equals("erf") ? scaled(Oracle.uniform(r, Shapes.numel(shape)), 5)
                    : DenseFixtures.values(r, Shapes.numel(shape));
            if (f.equals("exp") && r.nextInt(3) == 0) {
                x[r.nextInt(x.length)] = DenseFixtures.SPECIALS[r.nextInt(DenseFixtures.SPECIALS.length)];
            }
            double[] reference = NaiveElementwise.unary(f, Oracle.widen(x));
            UnaryMath op = unaryOp(f);
            boolean inPlace = r.nextBoolean();
            float[] actual;
            try (Tensor in = Tensor.of(x, shape); Tensor out = inPlace ? null : Tensor.empty(shape)) {
                op.run(in, inPlace ? in : out, null);
                actual = (inPlace ? in : out).toFloatArray();
            }
            String context = f + " " + Arrays.toString(shape);
            Oracle.assertClose(context + " cnn4j vs float64 reference", reference, actual);
            ledger.check(context, reference, DenseFixtures.torchOrNull(() -> torchUnary(f).apply(
                    LibTorch.tensor(x, shape))));
        });
        ledger.report();
    }

    @Test
    void specialValuesFollowIeeeAndTorch() {
        float nan = Float.NaN;
        float inf = Float.POSITIVE_INFINITY;
        float[] specials = {nan, -inf, inf, -0f, 0.5f, -0.5f, 1.5f, 2.5f, -2.5f, 1e30f};
        assertArrayEquals(new float[] {nan, -inf, inf, -0f, 0f, -1f, 1f, 2f, -3f, 1e30f},
                unary(UnaryMath.floor(), specials));
        assertArrayEquals(new float[] {nan, -inf, inf, -0f, 1f, -0f, 2f, 3f, -2f, 1e30f},
                unary(UnaryMath.ceil(), specials));
        assertArrayEquals(new float[] {nan, -inf, inf, -0f, 0f, -0f, 2f, 2f, -2f, 1e30f},
                unary(UnaryMath.round(), specials)); // halves to even
        assertArrayEquals(new float[] {0f, -1f, 1f, 0f, 1f, -1f, 1f, 1f, -1f, 1f}, unary(UnaryMath.sign(), specials));
        assertArrayEquals(new float[] {nan, -1f, 1f, -0f}, Arrays.copyOf(unary(UnaryMath.erf(), specials), 4));
        assertArrayEquals(new float[] {nan, nan, 3f, -0f},
                binary(Binary.Kind.MAXIMUM, new float[] {nan, 1f, 3f, -0f}, new float[] {1f, nan, -inf, -1f}));
        assertArrayEquals(new float[] {nan, nan, -inf, -1f},
                binary(Binary.Kind.MINIMUM, new float[] {nan, 1f, 3f, -0f}, new float[] {1f, nan, -inf, -1f}));
        assertArrayEquals(new float[] {inf, -inf, nan, 0f},
                binary(Binary.Kind.DIV, new float[] {1f, -1f, 0f, 1f}, new float[] {0f, 0f, 0f, inf}));
        assertArrayEquals(new float[] {1f, 1f, 9f, 0.5f},
                binary(Binary.Kind.POW, new float[] {nan, 0f, 3f, 0.25f}, new float[] {0f, 0f, 2f, 0.5f}));
        // comparisons with NaN are false; -0 equals 0
        assertArrayEquals(new float[] {0f, 0f, 1f, 0f},
                binary(Binary.Kind.GT, new float[] {nan, 1f, inf, -0f}, new float[] {1f, nan, 3f, 0f}));
        assertArrayEquals(new float[] {0f, 0f, 1f, 1f},
                binary(Binary.Kind.EQ, new float[] {nan, 1f, inf, -0f}, new float[] {nan, -1f, inf, 0f}));
        assertArrayEquals(new float[] {0f, 1f, 0f, 1f},
                binary(Binary.Kind.LE, new float[] {nan, -inf, 3f, -0f}, new float[] {0f, -inf, 2f, 0f}));
    }

    @Test
    void invalidArgumentsAreRefusedWithClearMessages() {
        Binary mul = Binary.create(Binary.Kind.MUL);
        assertMessage(() -> mul.outputShape(new long[] {2, 3, 4}, new long[] {2, 4}), "mul: shapes [2, 3, 4] and "
                + "[2, 4] do not broadcast", "dim 1", "3 against 2");
        assertMessage(() -> mul.outputShape(new long[] {2, 0}, new long[] {1}), "mul", "input shape");
        assertMessage(() -> Binary.create(null), "kind must not be null");
        try (Tensor a = Tensor.zeros(2, 3); Tensor b = Tensor.zeros(3); Tensor wrong = Tensor.zeros(3, 2)) {
            assertMessage(() -> mul.run(a, b, wrong), "mul: output must have shape [2, 3], got [3, 2]");
            Tensor closed = Tensor.zeros(3);
            closed.close();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> mul.run(a, closed, a));
            assertTrue(e.getMessage().contains("mul") && e.getMessage().contains("other"), e.getMessage());
            // the output may be an operand of its own shape, but not a stretched one
            mul.run(a, b, a);
            try (Tensor big = Tensor.zeros(2, 3); Tensor view = Tensor.wrap(big.pointer(), 0, 3)) {
                assertMessage(() -> mul.run(big, view, big), "mul: output must not overlap other");
            }
        }
    }

    private static void assertMessage(Runnable call, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message '" + e.getMessage() + "' lacks '" + p + "'");
        }
    }

    private static float[] unary(UnaryMath op, float[] x) {
        try (Tensor in = Tensor.of(x, x.length); Tensor out = Tensor.empty(x.length)) {
            op.run(in, out, null);
            return out.toFloatArray();
        }
    }

    private static float[] binary(Binary.Kind kind, float[] a, float[] b) {
        return run(kind, a, new long[] {a.length}, b, new long[] {b.length}, 0);
    }

    /** mode 0: into a fresh output; 1: prepared; 2: in place into an operand of the output's shape if one is. */
    private static float[] run(Binary.Kind kind, float[] a, long[] aShape, float[] b, long[] bShape, int mode) {
        Binary op = Binary.create(kind);
        long[] out = op.outputShape(aShape, bShape);
        try (Tensor ta = Tensor.of(a, aShape); Tensor tb = Tensor.of(b, bShape)) {
            if (mode == 2 && (Arrays.equals(aShape, out) || Arrays.equals(bShape, out))) {
                Tensor target = Arrays.equals(aShape, out) ? ta : tb;
                op.run(ta, tb, target);
                return target.toFloatArray();
            }
            try (Tensor to = Tensor.empty(out)) {
                if (mode == 1) {
                    op.prepare(aShape, bShape).run(ta, tb, to);
                } else {
                    op.run(ta, tb, to);
                }
                return to.toFloatArray();
            }
        }
    }

    /** Two shapes that broadcast: a common shape, each dim kept, stretched (1) or, leading, dropped in one. */
    static long[][] broadcastingPair(Random r) {
        if (r.nextInt(8) == 0) { // a number operand, as the model format passes one
            long[] s = DenseFixtures.shape(r, Oracle.between(r, 1, 4), 6);
            return r.nextBoolean() ? new long[][] {s, {1}} : new long[][] {{1}, s};
        }
        long[] common = DenseFixtures.shape(r, Oracle.between(r, 1, 5), r.nextBoolean() ? 4 : 9);
        long[][] out = new long[2][];
        int drop = r.nextInt(4) == 0 ? r.nextInt(common.length) : 0;
        for (int k = 0; k < 2; k++) {
            int from = k == 1 ? drop : 0;
            long[] s = Arrays.copyOfRange(common, from, common.length);
            for (int d = 0; d < s.length; d++) {
                if (r.nextInt(3) == 0) {
                    s[d] = 1;
                }
            }
            out[k] = s;
        }
        return out;
    }

    /**
     * Operand values; pow gets positive bases and moderate exponents (ATen's special ones among them); comparisons
     * half the time values from a small set, so that equal pairs (and NaN against anything) occur often.
     */
    private static float[] operand(Random r, Binary.Kind kind, long n, boolean second) {
        if (kind.ordinal() > Binary.Kind.POW.ordinal() && r.nextBoolean()) {
            float[] small = {-1f, 0f, -0f, 1f, Float.NaN, Float.POSITIVE_INFINITY};
            float[] v = new float[(int) n];
            for (int i = 0; i < v.length; i++) {
                v[i] = small[r.nextInt(small.length)];
            }
            return v;
        }
        if (kind != Binary.Kind.POW) {
            return DenseFixtures.values(r, n);
        }
        float[] v = Oracle.uniform(r, n);
        float[] specials = {2f, 3f, 0.5f, -0.5f, -1f, -2f, 0f, 1f};
        for (int i = 0; i < v.length; i++) {
            v[i] = second ? (r.nextBoolean() ? specials[r.nextInt(specials.length)] : v[i] * 3f)
                    : 0.05f + 4f * Math.abs(v[i]);
        }
        return v;
    }

    /** Multiples of 0.5 in [-5, 5] and some other values. */
    private static float[] halves(java.util.Random r, long n) {
        float[] v = new float[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextBoolean() ? (r.nextInt(21) - 10) * 0.5f : (float) (r.nextGaussian() * 4);
        }
        return v;
    }

    private static float[] scaled(float[] v, float s) {
        for (int i = 0; i < v.length; i++) {
            v[i] *= s;
        }
        return v;
    }

    private static UnaryMath unaryOp(String f) {
        return switch (f) {
            case "neg" -> UnaryMath.neg();
            case "abs" -> UnaryMath.abs();
            case "sqrt" -> UnaryMath.sqrt();
            case "exp" -> UnaryMath.exp();
            case "floor" -> UnaryMath.floor();
            case "ceil" -> UnaryMath.ceil();
            case "round" -> UnaryMath.round();
            case "sign" -> UnaryMath.sign();
            case "erf" -> UnaryMath.erf();
            default -> UnaryMath.log();
        };
    }

    private static BinaryOperator<org.bytedeco.pytorch.Tensor> torchBinary(Binary.Kind kind) {
        return switch (kind) {
            case ADD -> torch::add;
            case SUB -> torch::sub;
            case MUL -> torch::mul;
            case DIV -> torch::div;
            case MAXIMUM -> torch::maximum;
            case MINIMUM -> torch::minimum;
            case POW -> torch::pow;
            // torch.bool results as float32 1 / 0, cnn4j's form of them
            case GT -> (a, b) -> torch.gt(a, b).to(torch.ScalarType.Float);
            case GE -> (a, b) -> torch.ge(a, b).to(torch.ScalarType.Float);
            case LT -> (a, b) -> torch.lt(a, b).to(torch.ScalarType.Float);
            case LE -> (a, b) -> torch.le(a, b).to(torch.ScalarType.Float);
            case EQ -> (a, b) -> torch.eq(a, b).to(torch.ScalarType.Float);
            case FMOD -> torch::fmod;
            case REMAINDER -> torch::remainder;
        };
    }

    private static UnaryOperator<org.bytedeco.pytorch.Tensor> torchUnary(String f) {
        return switch (f) {
            case "neg" -> torch::neg;
            case "abs" -> torch::abs;
            case "sqrt" -> torch::sqrt;
            case "exp" -> torch::exp;
            case "floor" -> torch::floor;
            case "ceil" -> torch::ceil;
            case "round" -> torch::round;
            case "sign" -> torch::sign;
            case "erf" -> torch::erf;
            default -> torch::log;
        };
    }
}
