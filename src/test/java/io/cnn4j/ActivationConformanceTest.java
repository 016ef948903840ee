package io.cnn4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cnn4j.ops.Activation;
import io.cnn4j.reference.NaiveDense;
import io.cnn4j.testing.LibTorch;
import io.cnn4j.testing.Oracle;
import io.cnn4j.testing.SecondOpinion;
import java.util.Arrays;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.function.DoubleFunction;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * Activations: cnn4j (op and functional, in place or not) vs the float64 naive reference (libtorch float32 as a
 * counted second opinion), on random shapes and values that include NaN, infinities, signed zeros, clamp edges and
 * magnitudes where exp and x^3 overflow. Tolerance: Oracle's 1e-5 relative to the output's largest finite value, for
 * the transcendental ones too (float exp/erf/tanh of libm, Sleef and oneDNN differ by a few ulp, far inside it), with
 * one exception: GELU computes
 * x/2 * (1 + erf(..)) or (1 + tanh(..)), which cancels for x below about -3, so float's error there is
 * ulp(1) * |x| however small the output; for GELU the scale is the larger of the output's and the input's.
 */
class ActivationConformanceTest {
    private static final int CASES = 600;

    /** One activation: cnn4j's op, libtorch's call and the reference's name, each taking the same parameter. */
    enum Act {
        RELU("relu", p -> Activation.relu(), (x, p) -> torch.relu(x)),
        RELU6("relu6", p -> Activation.relu6(), (x, p) -> torch.relu6(x)),
        LEAKY_RELU("leaky_relu", Activation::leakyRelu, (x, p) -> torch.leaky_relu(x, new Scalar(p))),
        ELU("elu", Activation::elu, (x, p) -> torch.elu(x, new Scalar(p), new Scalar(1.0), new Scalar(1.0))),
        GELU("gelu", p -> Activation.gelu("none"), (x, p) -> torch.gelu(x, "none")),
        GELU_TANH("gelu_tanh", p -> Activation.gelu("tanh"), (x, p) -> torch.gelu(x, "tanh")),
        SILU("silu", p -> Activation.silu(), (x, p) -> torch.silu(x)),
        SIGMOID("sigmoid", p -> Activation.sigmoid(), (x, p) -> torch.sigmoid(x)),
        TANH("tanh", p -> Activation.tanh(), (x, p) -> torch.tanh(x)),
        HARDSWISH("hardswish", p -> Activation.hardswish(), (x, p) -> torch.hardswish(x)),
        HARDSIGMOID("hardsigmoid", p -> Activation.hardsigmoid(), (x, p) -> torch.hardsigmoid(x));

        final String reference;
        final DoubleFunction<Activation> op;
        final BiFunction<org.bytedeco.pytorch.Tensor, Double, org.bytedeco.pytorch.Tensor> torchCall;

        Act(String reference, DoubleFunction<Activation> op,
                BiFunction<org.bytedeco.pytorch.Tensor, Double, org.bytedeco.pytorch.Tensor> torchCall) {
            this.reference = reference;
            this.op = op;
            this.torchCall = torchCall;
        }

        /** The functional API's call for this activation. */
        Tensor functional(Tensor x, double p) {
            return switch (this) {
                case RELU -> Functional.relu(x);
                case RELU6 -> Functional.relu6(x);
                case LEAKY_RELU -> Functional.leakyRelu(x, p);
                case ELU -> Functional.elu(x, p);
                case GELU -> Functional.gelu(x, "none");
                case GELU_TANH -> Functional.gelu(x, "tanh");
                case SILU -> Functional.silu(x);
                case SIGMOID -> Functional.sigmoid(x);
                case TANH -> Functional.tanh(x);
                case HARDSWISH -> Functional.hardswish(x);
                case HARDSIGMOID -> Functional.hardsigmoid(x);
            };
        }

        /** Oracle's tolerance, for GELU scaled up by the input's scale over the output's (see above). */
        double rtol(float[] x, double[] expected) {
            if (this != GELU && this != GELU_TANH) {
                return Oracle.RTOL;
            }
            return Oracle.RTOL * Math.max(1, Oracle.scale(Oracle.widen(x)) / Oracle.scale(expected));
        }

        /**
         * libtorch's result, the second opinion. For GELU (approximate='none') PyTorch routes tensors of more than one
         * element through oneDNN, whose gelu_erf gives NaN at +inf and inf at Float.MAX_VALUE; cnn4j follows ATen's own
         * kernel, so where input or output is not finite libtorch's answer is its own on that one element (ATen's
         * kernel: +inf at +inf, MAX_VALUE at MAX_VALUE).
         */
        float[] libtorch(float[] x, long[] shape, double p) {
            float[] e = LibTorch.floats(torchCall.apply(LibTorch.tensor(x, shape), p));
            if (this == GELU) {
                for (int i = 0; i < x.length; i++) {
                    if (!Float.isFinite(x[i]) || !Float.isFinite(e[i])) {
                        e[i] = LibTorch.floats(torchCall.apply(LibTorch.tensor(new float[] {x[i]}, 1), p))[0];
                    }
                }
            }
            return e;
        }

        double[] reference(float[] x, double p) {
            double[] y = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                y[i] = NaiveDense.activation(reference, p, x[i]);
            }
            return y;
        }
    }

    /** A parameter as models use them: PyTorch's defaults, common choices, random ones (negative included). */
    private static double parameter(Act act, Random r) {
        if (act != Act.LEAKY_RELU && act != Act.ELU) {
            return 0;
        }
        double[] common = act == Act.LEAKY_RELU ? new double[] {0.01, 0.1, 0.2, 0} : new double[] {1.0, 0.5, 2.0};
        return r.nextBoolean() ? common[r.nextInt(common.length)] : (r.nextDouble() * 4 - 2);
    }

    @Test
    void randomConfigurationsMatchReferenceAndLibtorch() {
        SecondOpinion ledger = SecondOpinion.of("activation");
        Oracle.forEachSeed("activation", CASES, (r, seed) -> {
            Act act = Act.values()[r.nextInt(Act.values().length)];
            double p = parameter(act, r);
            long[] shape = DenseFixtures.shape(r, Oracle.between(r, 1, 5), r.nextBoolean() ? 4 : 9);
            float[] x = DenseFixtures.values(r, Shapes.numel(shape));
            String context = act + "(" + p + ") " + Arrays.toString(shape);
            double[] reference = act.reference(x, p);
            double rtol = act.rtol(x, reference);
            Oracle.assertClose(context + " cnn4j vs float64 reference", reference, run(act, p, x, shape,
                    r.nextInt(3)), rtol);
            ledger.check(context, reference, act.libtorch(x, shape, p), rtol);
        });
        ledger.report();
    }

    /** mode 0: functional; 1: op into a fresh output; 2: op in place. */
    private static float[] run(Act act, double p, float[] x, long[] shape, int mode) {
        Activation op = act.op.apply(p);
        return DenseFixtures.runSameShape(x, shape, mode, input -> act.functional(input, p), op::outputShape,
                (input, output) -> op.run(input, output, null));
    }

    @Test
    void specialAndLargeValuesMatchReferenceAndLibtorch() {
        SecondOpinion ledger = SecondOpinion.of("activation special values");
        float[] x = new float[DenseFixtures.SPECIALS.length + DenseFixtures.LARGE.length];
        System.arraycopy(DenseFixtures.SPECIALS, 0, x, 0, DenseFixtures.SPECIALS.length);
        System.arraycopy(DenseFixtures.LARGE, 0, x, DenseFixtures.SPECIALS.length, DenseFixtures.LARGE.length);
        for (Act act : Act.values()) {
            double p = act == Act.LEAKY_RELU ? 0.01 : 1.0;
            float[] libtorch = act.libtorch(x, new long[] {x.length}, p);
            float[] actual = run(act, p, x, new long[] {x.length}, 1);
            double[] reference = act.reference(x, p);
            // Element by element, each as if in a tensor of scale max(|y|, 1): non-finite results must match
            // exactly, huge ones relatively, and the rest to 1e-5 of the unit scale of typical activations.
            for (int i = 0; i < x.length; i++) {
                float[] xi = {x[i], 1f};
                double[] e = {reference[i], 1};
                double rtol = act.rtol(xi, e);
                Oracle.assertClose(act + " at x=" + x[i], e, new float[] {actual[i], 1f}, rtol);
                ledger.check(act + " at x=" + x[i], e, new float[] {libtorch[i], 1f}, rtol);
            }
        }
        ledger.report();
    }

    @Test
    void geluAtPositiveInfinityFollowsAtenNotOneDnn() {
        try (Tensor x = Tensor.of(new float[] {Float.POSITIVE_INFINITY, 1}, 2); Tensor y = Functional.gelu(x, "none")) {
            assertEquals(Float.POSITIVE_INFINITY, y.toFloatArray()[0]);
        }
    }
}
