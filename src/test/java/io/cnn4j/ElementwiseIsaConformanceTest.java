package io.cnn4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cnn4j.jni.NativeCore;
import io.cnn4j.reference.NaiveDense;
import io.cnn4j.testing.Isas;
import io.cnn4j.testing.Oracle;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.bytedeco.javacpp.FloatPointer;
import org.junit.jupiter.api.Test;

/**
 * The element-wise kernels of every instruction set this build and CPU support (Cnn4j.supportedIsas: scalar, AVX2,
 * AVX-512 or NEON, each forced with Cnn4j.setIsa), called through the C ABI: activations (apply and the fused
 * bias + residual epilogue) and softmax / log-softmax (contiguous rows and strided columns). Each variant's result
 * must match the float64 reference (NaiveDense) and the scalar variant's result with Oracle's rule: 1e-5 of the
 * output's scale, NaN for NaN, infinities exactly; GELU with the input's scale too (see ActivationConformanceTest).
 * Inputs: edge values (NaN, infinities, signed zeros, subnormals, overflow thresholds of exp and x^3, the ends of the
 * SIMD polynomials' ranges), every length 1..67 (every tail of 4, 8 and 16 lanes) and random lengths up to 40000
 * (split over threads). Where the input is +-0, a variant must give the scalar result's sign of zero too.
 */
class ElementwiseIsaConformanceTest {
    /** An activation: its CNN4J_ACT_* kind, the reference's name and the parameters models use. */
    private record Act(int kind, String name, double... params) {}

    private static final Act[] ACTS = {
        new Act(NativeCore.ACT_RELU, "relu", 0), new Act(NativeCore.ACT_RELU6, "relu6", 0),
        new Act(NativeCore.ACT_LEAKY_RELU, "leaky_relu", 0.01, 0.2, -1.5, 0),
        new Act(NativeCore.ACT_ELU, "elu", 1.0, 0.5, -2.0), new Act(NativeCore.ACT_GELU, "gelu", 0),
        new Act(NativeCore.ACT_GELU_TANH, "gelu_tanh", 0), new Act(NativeCore.ACT_SILU, "silu", 0),
        new Act(NativeCore.ACT_SIGMOID, "sigmoid", 0), new Act(NativeCore.ACT_TANH, "tanh", 0),
        new Act(NativeCore.ACT_HARDSWISH, "hardswish", 0), new Act(NativeCore.ACT_HARDSIGMOID, "hardsigmoid", 0),
        new Act(NativeCore.ACT_IDENTITY, "identity", 0),
    };

    /** Values where the SIMD code changes regime: clamps of exp (-104, 89), expm1 (+-88), tanh (9.5), erf (4). */
    private static final float[] EDGES = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f,
        Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, -Float.MIN_NORMAL, 1e-30f, -1e-30f, 1e-7f, -1e-7f,
        0.34657f, -0.34657f, 0.35f, -0.35f, 1f, -1f, 2.5f, -2.5f, 2.8f, -2.8f, 3f, -3f, 3.92f, -3.92f, 4f, -4f,
        5.65f, -5.65f, 6f, -6f, 9.01f, -9.01f, 9.5f, -9.5f, 17.3f, -17.3f, 20f, -20f, 87.3f, -87.3f, 88f, -88f,
        88.7f, -88.7f, 88.73f, -88.73f, 89f, -89f, 91.4f, -91.4f, 103.9f, -103.9f, 104f, -104f, 1e4f, -1e4f, 1e13f,
        -1e13f, 1e30f, -1e30f, Float.MAX_VALUE, -Float.MAX_VALUE};

    private static double reference(Act act, double p, float x) {
        return act.name.equals("identity") ? x : NaiveDense.activation(act.name, p, x);
    }

    private static double rtol(Act act, float[] x, double[] expected) {
        if (act.kind != NativeCore.ACT_GELU && act.kind != NativeCore.ACT_GELU_TANH) {
            return Oracle.RTOL;
        }
        return Oracle.RTOL * Math.max(1, Oracle.scale(Oracle.widen(x)) / Oracle.scale(expected));
    }


    private static float[] apply(String isa, Act act, double p, float[] x) {
        Cnn4j.setIsa(isa);
        try (FloatPointer in = new FloatPointer(x); FloatPointer out = new FloatPointer(x.length)) {
            assertEquals(NativeCore.OK, NativeCore.cnn4j_activation_forward(act.kind, (float) p, x.length, in, out));
            float[] y = new float[x.length];
            out.get(y);
            return y;
        }
    }

    private static void checkApply(String isa, Act act, double p, float[] x, String context) {
        double[] expected = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            expected[i] = reference(act, p, x[i]);
        }
        float[] actual = apply(isa, act, p, x);
        float[] scalar = apply("scalar", act, p, x);
        Cnn4j.setIsa(isa);
        double rtol = rtol(act, x, expected);
        Oracle.assertClose(context + " vs float64 reference", expected, actual, rtol);
        Oracle.assertClose(context + " vs scalar", Oracle.widen(scalar), actual, rtol);
        for (int i = 0; i < x.length; i++) {
            if (x[i] == 0 && scalar[i] == 0) {
                assertEquals(Float.floatToRawIntBits(scalar[i]), Float.floatToRawIntBits(actual[i]),
                        context + ": sign of zero at x=" + x[i]);
            }
        }
    }

    @Test
    void activationsAtEdgeValuesMatchReferenceAndScalarElementByElement() {
        Isas.forEach(isa -> {
            for (Act act : ACTS) {
                for (double p : act.params) {
                    float[] actual = apply(isa, act, p, EDGES);
                    float[] scalar = apply("scalar", act, p, EDGES);
                    for (int i = 0; i < EDGES.length; i++) {
                        // each element as if in a tensor of scale max(|y|, 1), as in ActivationConformanceTest
                        float[] xi = {EDGES[i], 1f};
                        double[] e = {reference(act, p, EDGES[i]), 1};
                        double rtol = rtol(act, xi, e);
                        String context = isa + " " + act.name + "(" + p + ") at x=" + EDGES[i];
                        Oracle.assertClose(context, e, new float[] {actual[i], 1f}, rtol);
                        Oracle.assertClose(context + " vs scalar", new double[] {scalar[i], 1},
                                new float[] {actual[i], 1f}, rtol);
                    }
                    checkApply(isa, act, p, EDGES, isa + " " + act.name + "(" + p + ") edges");
                }
            }
        });
    }

    @Test
    void activationsOfEveryTailAndRandomLengthsMatchReferenceAndScalar() {
        Isas.forEach(isa -> Oracle.forEachSeed("activation isa " + isa, 400, (r, seed) -> {
            Act act = ACTS[r.nextInt(ACTS.length)];
            double p = act.params[r.nextInt(act.params.length)];
            int n = r.nextInt(3) > 0 ? Oracle.between(r, 1, 67) : Oracle.between(r, 68, 40000);
            float[] x = DenseFixtures.values(r, n);
            checkApply(isa, act, p, x, isa + " " + act.name + "(" + p + ") n=" + n);
        }));
    }

    private static float[] epilogue(String isa, Act act, double p, int rows, int cols, float[] y, float[] bias,
            float[] residual) {
        Cnn4j.setIsa(isa);
        try (FloatPointer out = new FloatPointer(y); FloatPointer b = bias == null ? null : new FloatPointer(bias);
                FloatPointer res = residual == null ? null : new FloatPointer(residual)) {
            assertEquals(NativeCore.OK, NativeCore.cnn4j_activation_epilogue(act.kind, (float) p, rows, cols, b, res,
                    out));
            float[] result = new float[y.length];
            out.get(result);
            return result;
        }
    }

    @Test
    void epiloguesMatchReferenceAndScalar() {
        Isas.forEach(isa -> Oracle.forEachSeed("epilogue isa " + isa, 300, (r, seed) -> {
            Act act = ACTS[r.nextInt(ACTS.length)];
            double p = act.params[r.nextInt(act.params.length)];
            int rows = Oracle.between(r, 1, 5);
            int cols = Oracle.between(r, 1, r.nextBoolean() ? 67 : 300);
            float[] y = DenseFixtures.values(r, (long) rows * cols);
            float[] bias = r.nextBoolean() ? Oracle.uniform(r, rows) : null;
            float[] residual = r.nextBoolean() ? DenseFixtures.values(r, (long) rows * cols) : null;
            // the pre-activation is float32's (y + bias) + residual, the contract's order
            float[] pre = new float[y.length];
            double[] expected = new double[y.length];
            for (int i = 0; i < y.length; i++) {
                float v = y[i] + (bias == null ? 0f : bias[i / cols]);
                pre[i] = residual == null ? v : v + residual[i];
                expected[i] = reference(act, p, pre[i]);
            }
            String context = isa + " epilogue " + act.name + "(" + p + ") " + rows + "x" + cols
                    + (bias == null ? "" : " +bias") + (residual == null ? "" : " +residual");
            float[] actual = epilogue(isa, act, p, rows, cols, y, bias, residual);
            float[] scalar = epilogue("scalar", act, p, rows, cols, y, bias, residual);
            Cnn4j.setIsa(isa);
            double rtol = rtol(act, pre, expected);
            Oracle.assertClose(context + " vs float64 reference", expected, actual, rtol);
            Oracle.assertClose(context + " vs scalar", Oracle.widen(scalar), actual, rtol);
        }));
    }

    private static float[] softmax(String isa, boolean log, long outer, int dim, long inner, float[] x) {
        Cnn4j.setIsa(isa);
        try (FloatPointer in = new FloatPointer(x); FloatPointer out = new FloatPointer(x.length)) {
            assertEquals(NativeCore.OK, NativeCore.cnn4j_softmax_forward(log ? 1 : 0, outer, dim, inner, in, out));
            float[] y = new float[x.length];
            out.get(y);
            return y;
        }
    }

    /** Shapes [outer, dim, inner]: every row length and column count 1..67, and large ones split over threads. */
    private static long[] softmaxShape(Random r) {
        return switch (r.nextInt(4)) {
            case 0 -> new long[] {Oracle.between(r, 1, 4), Oracle.between(r, 1, 67), 1};
            case 1 -> new long[] {Oracle.between(r, 1, 3), Oracle.between(r, 1, 9), Oracle.between(r, 1, 67)};
            case 2 -> new long[] {Oracle.between(r, 1, 300), Oracle.between(r, 60, 300), 1};
            default -> new long[] {Oracle.between(r, 1, 3), Oracle.between(r, 2, 40), Oracle.between(r, 100, 900)};
        };
    }

    @Test
    void softmaxOfRowsAndColumnsMatchesReferenceAndScalar() {
        Isas.forEach(isa -> Oracle.forEachSeed("softmax isa " + isa, 300, (r, seed) -> {
            long[] s = softmaxShape(r);
            int n = Math.toIntExact(s[0] * s[1] * s[2]);
            float[] x = DenseFixtures.values(r, n);
            if (r.nextInt(4) == 0) { // a large common offset
                float offset = (float) ((r.nextDouble() * 2 - 1) * Math.pow(10, Oracle.between(r, 1, 6)));
                for (int i = 0; i < n; i++) {
                    x[i] += offset;
                }
            }
            if (r.nextInt(5) == 0) { // one slice all -inf
                int o = r.nextInt((int) s[0]);
                int i = r.nextInt((int) s[2]);
                for (int d = 0; d < s[1]; d++) {
                    x[(int) ((o * s[1] + d) * s[2] + i)] = Float.NEGATIVE_INFINITY;
                }
            }
            boolean log = r.nextBoolean();
            String context = isa + (log ? " log_softmax " : " softmax ") + java.util.Arrays.toString(s);
            double[] expected = NaiveDense.softmax(Oracle.widen(x), s[0], (int) s[1], s[2], log);
            float[] actual = softmax(isa, log, s[0], (int) s[1], s[2], x);
            float[] scalar = softmax("scalar", log, s[0], (int) s[1], s[2], x);
            Cnn4j.setIsa(isa);
            Oracle.assertClose(context + " vs float64 reference", expected, actual);
            Oracle.assertClose(context + " vs scalar", Oracle.widen(scalar), actual);
        }));
    }

    @Test
    void softmaxOfEdgeRowsMatchesReference() {
        List<float[]> rows = new ArrayList<>();
        rows.add(new float[] {1e30f, -1e30f, 3e38f, 0f, 88.8f, 89f, -3e38f, 1e4f});
        rows.add(new float[] {Float.NEGATIVE_INFINITY, 0f, Float.NEGATIVE_INFINITY});
        rows.add(new float[] {1f, Float.NaN, 2f});
        rows.add(new float[] {Float.POSITIVE_INFINITY, 1f});
        rows.add(new float[] {-104f, 0f, -88f, -103.9f, 20f});
        rows.add(new float[] {5f});
        Isas.forEach(isa -> {
            for (float[] row : rows) {
                for (boolean log : new boolean[] {false, true}) {
                    double[] expected = NaiveDense.softmax(Oracle.widen(row), 1, row.length, 1, log);
                    String context = isa + (log ? " log_softmax " : " softmax ") + java.util.Arrays.toString(row);
                    Oracle.assertClose(context + " row", expected, softmax(isa, log, 1, row.length, 1, row));
                    // the same values as one column of a [dim, 3] tensor, the other two columns copies
                    float[] columns = new float[row.length * 3];
                    double[] expectedColumns = new double[columns.length];
                    for (int d = 0; d < row.length; d++) {
                        for (int c = 0; c < 3; c++) {
                            columns[d * 3 + c] = row[d];
                            expectedColumns[d * 3 + c] = expected[d];
                        }
                    }
                    Oracle.assertClose(context + " column", expectedColumns,
                            softmax(isa, log, 1, row.length, 3, columns));
                }
            }
        });
    }
}
