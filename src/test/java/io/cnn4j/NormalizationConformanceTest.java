package io.cnn4j;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cnn4j.ops.Normalization;
import io.cnn4j.reference.NaiveNorm;
import io.cnn4j.testing.LibTorch;
import io.cnn4j.testing.Oracle;
import io.cnn4j.testing.SecondOpinion;
import java.util.Arrays;
import java.util.Random;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * GroupNorm, InstanceNorm (batch statistics) and LayerNorm ({@link Normalization}) against the float64 reference
 * {@link NaiveNorm}, libtorch float32 as a counted second opinion, on random shapes (1 to 4 spatial dims, blocks from
 * one element to thousands), group counts, normalized_shape lengths, with or without weight and bias, eps from 0 to
 * 0.1, values centred or offset far from 0 (where float accumulation loses digits), with NaN and infinities
 * sprinkled in, in place or not. Tolerance: 1e-6 relative to the output's largest finite value (cnn4j's statistics
 * are in double, so only the output's rounding remains; Oracle's usual 1e-5 would hide a float accumulation). For
 * libtorch an absolute 1e-5 x (output scale + the largest |mean| / sqrt(var + eps) of a block x the largest |weight|):
 * ATen computes x * a + (bias - mean * a) with a = weight / sqrt(var + eps) in float, which cancels away that many
 * times float's precision when the data sit far from 0 (offset data, or one-element blocks whose mean is the value
 * itself).
 */
class NormalizationConformanceTest {
    private static final double RTOL = 1e-6;
    private static final String[] KINDS = {"group", "instance", "layer"};

    @Test
    void randomConfigurationsMatchReferenceAndLibtorch() {
        SecondOpinion ledger = SecondOpinion.of("normalization");
        Oracle.forEachSeed("normalization", 500, (r, seed) -> {
            String kind = KINDS[r.nextInt(KINDS.length)];
            long[] shape = DenseFixtures.shape(r, Oracle.between(r, kind.equals("instance") ? 3 : 2, 5),
                    r.nextInt(4) == 0 ? 24 : 6);
            int groups = 1;
            if (kind.equals("group")) {
                shape[1] = Oracle.between(r, 1, 4) * Oracle.between(r, 1, 6);
                int[] divisors = java.util.stream.IntStream.rangeClosed(1, (int) shape[1])
                        .filter(g -> shape[1] % g == 0).toArray();
                groups = divisors[r.nextInt(divisors.length)];
            }
            if (kind.equals("instance") && Shapes.product(shape, 2, shape.length) == 1) {
                shape[shape.length - 1] = 2; // batch statistics need more than one spatial element
            }
            int normalizedDims = Oracle.between(r, 1, shape.length);
            long[] normalized = Arrays.copyOfRange(shape, shape.length - normalizedDims, shape.length);
            long[] affineShape = kind.equals("layer") ? normalized : new long[] {shape[1]};
            double offset = r.nextInt(3) == 0 ? (r.nextBoolean() ? 1000 : -5e4) : 0;
            float[] x = values(r, Shapes.numel(shape), offset);
            boolean hasWeight = r.nextBoolean();
            boolean hasBias = r.nextBoolean();
            float[] w = hasWeight ? scaled(Oracle.uniform(r, Shapes.numel(affineShape)), 2) : null;
            float[] b = hasBias ? Oracle.uniform(r, Shapes.numel(affineShape)) : null;
            double eps = r.nextBoolean() ? 1e-5 : r.nextInt(4) == 0 ? 0 : r.nextDouble() * 0.1;
            int g = groups;
            String context = kind + " " + Arrays.toString(shape) + (kind.equals("group") ? " groups " + g : "")
                    + (kind.equals("layer") ? " normalized " + Arrays.toString(normalized) : "") + " weight "
                    + hasWeight + " bias " + hasBias + " eps " + eps + " offset " + offset;
            double[] offCentre = new double[1];
            double[] reference = switch (kind) {
                case "group" -> NaiveNorm.groupNorm(x, shape, g, w, b, eps, offCentre);
                case "instance" -> NaiveNorm.instanceNorm(x, shape, w, b, eps, offCentre);
                default -> NaiveNorm.layerNorm(x, (int) Shapes.numel(normalized), w, b, eps, offCentre);
            };
            float[] actual;
            boolean inPlace = r.nextBoolean();
            try (Tensor wt = w == null ? null : Tensor.of(w, affineShape);
                    Tensor bt = b == null ? null : Tensor.of(b, affineShape);
                    Tensor in = Tensor.of(x, shape); Tensor out = inPlace ? null : Tensor.empty(shape)) {
                Normalization op = switch (kind) {
                    case "group" -> Normalization.groupNorm(g, wt, bt, eps);
                    case "instance" -> Normalization.instanceNorm(wt, bt, eps);
                    default -> Normalization.layerNorm(normalized, wt, bt, eps);
                };
                Tensor target = inPlace ? in : out;
                if (r.nextBoolean()) {
                    op.run(in, target, null);
                } else {
                    op.prepare(shape).run(in, target, null);
                }
                actual = target.toFloatArray();
            }
            Oracle.assertClose(context + " cnn4j vs float64 reference", reference, actual, RTOL);
            float[] libtorch = DenseFixtures.torchOrNull(() -> {
                var wt = w == null ? null : LibTorch.tensor(w, affineShape);
                var bt = b == null ? null : LibTorch.tensor(b, affineShape);
                var t = LibTorch.tensor(x, shape);
                return switch (kind) {
                    case "group" -> torch.group_norm(t, g, LibTorch.optional(wt), LibTorch.optional(bt), eps, false);
                    case "instance" -> torch.instance_norm(t, LibTorch.optional(wt), LibTorch.optional(bt),
                            LibTorch.optional(null), LibTorch.optional(null), true, 0.1, eps, false);
                    default -> torch.layer_norm(t, normalized, LibTorch.optional(wt), LibTorch.optional(bt), eps,
                            false);
                };
            });
            if (libtorch == null) {
                throw new AssertionError(context + ": libtorch refuses what cnn4j accepted");
            }
            double weightScale = w == null ? 1 : 0;
            for (int i = 0; w != null && i < w.length; i++) {
                weightScale = Math.max(weightScale, Math.abs(w[i]));
            }
            double scale = Oracle.scale(reference);
            ledger.check(context, reference, libtorch, Oracle.RTOL * (scale + offCentre[0] * weightScale) / scale);
        });
        ledger.report();
    }

    /** Values centred on 0 at several scales, or offset far from 0, sometimes with NaN or infinities. */
    private static float[] values(Random r, long n, double offset) {
        float[] x = Oracle.uniform(r, n);
        double scale = new double[] {1, 30, 1e4}[r.nextInt(3)];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (x[i] * scale + offset);
        }
        if (r.nextInt(8) == 0) {
            x[r.nextInt(x.length)] = DenseFixtures.SPECIALS[r.nextInt(3)];
        }
        return x;
    }

    private static float[] scaled(float[] v, float factor) {
        for (int i = 0; i < v.length; i++) {
            v[i] *= factor;
        }
        return v;
    }

    @Test
    void invalidArgumentsAreRefusedWithClearMessages() {
        assertMessage(() -> Normalization.groupNorm(0, null, null, 1e-5), "group_norm: num_groups must be positive");
        assertMessage(() -> Normalization.groupNorm(3, null, null, 1e-5).outputShape(new long[] {2, 4, 5}),
                "group_norm: expected number of channels in input to be divisible by num_groups",
                "[2, 4, 5]", "num_groups=3");
        assertMessage(() -> Normalization.groupNorm(1, null, null, 1e-5).outputShape(new long[] {4}),
                "group_norm: expected an input of at least 2 dims");
        assertMessage(() -> Normalization.layerNorm(new long[0], null, null, 1e-5),
                "layer_norm: expected normalized_shape to be at least 1-dimensional");
        assertMessage(() -> Normalization.layerNorm(new long[] {3, 0}, null, null, 1e-5),
                "layer_norm: normalized_shape must be positive");
        assertMessage(() -> Normalization.layerNorm(new long[] {4, 5}, null, null, 1e-5)
                .outputShape(new long[] {2, 5, 4}), "layer_norm: given normalized_shape=[4, 5]",
                "expected input with shape [*, 4, 5]", "got input of size [2, 5, 4]");
        assertMessage(() -> Normalization.instanceNorm(null, null, 1e-5).outputShape(new long[] {2, 3, 1, 1}),
                "instance_norm: expected more than 1 spatial element", "track_running_stats=True");
        try (Tensor w3 = Tensor.zeros(3); Tensor w2d = Tensor.zeros(3, 1); Tensor w45 = Tensor.zeros(4, 5)) {
            assertMessage(() -> Normalization.groupNorm(1, w2d, null, 1e-5), "group_norm: expected weight to be a "
                    + "vector of one value per channel", "[3, 1]");
            assertMessage(() -> Normalization.groupNorm(1, w3, null, 1e-5).outputShape(new long[] {2, 4, 5}),
                    "group_norm: expected weight to be a vector of size equal to the number of channels in input",
                    "weight of shape [3]", "input of shape [2, 4, 5]");
            assertMessage(() -> Normalization.instanceNorm(null, w3, 1e-5).outputShape(new long[] {2, 4, 5}),
                    "instance_norm: expected bias to be a vector of size equal to the number of channels");
            assertMessage(() -> Normalization.layerNorm(new long[] {5, 4}, w45, null, 1e-5),
                    "layer_norm: expected weight to be of same shape as normalized_shape [5, 4]",
                    "weight of shape [4, 5]");
            Normalization ok = Normalization.layerNorm(new long[] {4, 5}, w45, null, 1e-5);
            try (Tensor x = Tensor.zeros(2, 4, 5); Tensor wrong = Tensor.zeros(2, 4, 4)) {
                assertMessage(() -> ok.run(x, wrong, null), "layer_norm: output must have shape [2, 4, 5]");
            }
        }
    }

    private static void assertMessage(Runnable call, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "message '" + e.getMessage() + "' lacks '" + part + "'");
        }
    }
}
