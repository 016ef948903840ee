package io.cnn4j;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cnn4j.ops.PRelu;
import io.cnn4j.ops.UnaryMath;
import io.cnn4j.ops.UnaryOp;
import io.cnn4j.reference.NaiveElementwise;
import io.cnn4j.testing.LibTorch;
import io.cnn4j.testing.Oracle;
import io.cnn4j.testing.SecondOpinion;
import java.util.Arrays;
import java.util.Random;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * The activations of format version 2 (Softplus, Mish, SELU, CELU, Softsign, LogSigmoid, Hardtanh, PReLU shared and
 * per channel) against the float64 reference {@link NaiveElementwise#activation}, libtorch float32 as a counted
 * second opinion, on random shapes, arguments (PyTorch's defaults, common and random ones) and values with NaN,
 * infinities, signed zeros and magnitudes where exp overflows. Tolerance: Oracle's 1e-5 relative to the output's
 * largest finite value.
 */
class ActivationsV2ConformanceTest {
    private static final String[] NAMES = {"softplus", "mish", "selu", "celu", "softsign", "logsigmoid", "hardtanh",
        "prelu"};

    @Test
    void randomConfigurationsMatchReferenceAndLibtorch() {
        SecondOpinion ledger = SecondOpinion.of("activations v2");
        Oracle.forEachSeed("activations v2", 600, (r, seed) -> {
            String f = NAMES[r.nextInt(NAMES.length)];
            long[] shape = DenseFixtures.shape(r, Oracle.between(r, 1, 5), r.nextBoolean() ? 4 : 9);
            float[] x = DenseFixtures.values(r, Shapes.numel(shape));
            float[] p = parameters(f, r, shape);
            String context = f + Arrays.toString(p) + " " + Arrays.toString(shape);
            long channels = shape.length >= 2 ? shape[1] : 1;
            long inner = Shapes.product(shape, Math.min(2, shape.length), shape.length);
            double[] reference = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                float weight = f.equals("prelu") ? p[p.length == 1 ? 0 : (int) ((i / inner) % channels)] : 0;
                reference[i] = NaiveElementwise.activation(f, f.equals("prelu") ? weight : p[0], p[1 % p.length],
                        x[i]);
            }
            float[] actual;
            boolean inPlace = r.nextBoolean();
            try (Tensor w = Tensor.of(p, p.length); Tensor in = Tensor.of(x, shape);
                    Tensor out = inPlace ? null : Tensor.empty(shape)) {
                UnaryOp op = op(f, p, w);
                op.run(in, inPlace ? in : out, null);
                actual = (inPlace ? in : out).toFloatArray();
            }
            Oracle.assertClose(context + " cnn4j vs float64 reference", reference, actual);
            float[] libtorch = DenseFixtures.torchOrNull(() -> libtorch(f, p, x, shape));
            if (libtorch == null) {
                throw new AssertionError(context + ": libtorch refuses what cnn4j accepted");
            }
            ledger.check(context, reference, libtorch);
        });
        ledger.report();
    }

    @Test
    void invalidArgumentsAreRefusedWithClearMessages() {
        assertMessage(() -> UnaryMath.celu(0), "celu: alpha must not be 0");
        assertMessage(() -> UnaryMath.hardtanh(1, -1), "hardtanh: max_val must be greater than or equal to min_val");
        assertMessage(() -> UnaryMath.hardtanh(Double.NaN, 1), "hardtanh");
        try (Tensor w3 = Tensor.of(new float[] {1, 2, 3}, 3); Tensor w2d = Tensor.zeros(3, 1)) {
            assertMessage(() -> PRelu.create(w2d), "prelu: weight must be 1-d");
            assertMessage(() -> PRelu.create(w3).outputShape(new long[] {2, 4, 5}), "prelu: 3 weights",
                    "got input of shape [2, 4, 5]", "num_parameters is 1 or the number of channels");
            assertMessage(() -> PRelu.create(w3).outputShape(new long[] {3}), "prelu: 3 weights", "[3]");
        }
    }

    private static void assertMessage(Runnable call, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "message '" + e.getMessage() + "' lacks '" + part + "'");
        }
    }

    /** The float32 arguments: {beta, threshold}, {alpha}, {min, max}, or PReLU's weights (1 or one per channel). */
    private static float[] parameters(String f, Random r, long[] shape) {
        return switch (f) {
            case "softplus" -> r.nextBoolean() ? new float[] {1, 20}
                    : new float[] {(float) (0.2 + 3 * r.nextDouble()), (float) (1 + 30 * r.nextDouble())};
            case "celu" -> new float[] {r.nextBoolean() ? 1f : (float) (r.nextBoolean() ? 0.1 + 3 * r.nextDouble()
                    : -0.1 - 2 * r.nextDouble())};
            case "hardtanh" -> {
                float a = (float) (r.nextDouble() * 4 - 2);
                float b = a + (float) (r.nextDouble() * 3);
                yield r.nextBoolean() ? new float[] {-1, 1} : new float[] {a, b};
            }
            case "prelu" -> {
                int channels = r.nextBoolean() || shape.length < 2 ? 1 : (int) shape[1];
                float[] w = Oracle.uniform(r, channels);
                yield w;
            }
            default -> new float[] {0};
        };
    }

    private static UnaryOp op(String f, float[] p, Tensor w) {
        return switch (f) {
            case "softplus" -> UnaryMath.softplus(p[0], p[1]);
            case "mish" -> UnaryMath.mish();
            case "selu" -> UnaryMath.selu();
            case "celu" -> UnaryMath.celu(p[0]);
            case "softsign" -> UnaryMath.softsign();
            case "logsigmoid" -> UnaryMath.logSigmoid();
            case "hardtanh" -> UnaryMath.hardtanh(p[0], p[1]);
            default -> PRelu.create(w);
        };
    }

    private static org.bytedeco.pytorch.Tensor libtorch(String f, float[] p, float[] x, long[] shape) {
        org.bytedeco.pytorch.Tensor t = LibTorch.tensor(x, shape);
        return switch (f) {
            case "softplus" -> torch.softplus(t, new Scalar(p[0]), new Scalar(p[1]));
            case "mish" -> torch.mish(t);
            case "selu" -> torch.selu(t);
            case "celu" -> torch.celu(t, new Scalar(p[0]));
            case "softsign" -> torch.div(t, torch.add(torch.abs(t), new Scalar(1.0)));
            case "logsigmoid" -> torch.log_sigmoid(t);
            case "hardtanh" -> torch.hardtanh(t, new Scalar(p[0]), new Scalar(p[1]));
            default -> torch.prelu(t, LibTorch.tensor(p, p.length));
        };
    }
}
