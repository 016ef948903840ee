package io.cnn4j;

import io.cnn4j.ops.BatchNorm;
import io.cnn4j.ops.Linear;
import io.cnn4j.reference.NaiveDense;
import io.cnn4j.testing.LibTorch;
import io.cnn4j.testing.Oracle;
import io.cnn4j.testing.SecondOpinion;
import java.util.Arrays;
import java.util.Random;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * Linear and inference BatchNorm: cnn4j (op and functional) vs the float64 naive reference (libtorch float32 as a
 * counted second opinion) on random shapes
 * (input ranks 1 to 4 for linear; BatchNorm1d/2d/3d and F.batch_norm of any rank; with and without bias / affine),
 * and random configurations that may be invalid, where cnn4j must throw exactly when libtorch does (for the
 * BatchNorm classes, when libtorch or the class's input-rank check in nn.BatchNorm*d would). Tolerance: Oracle's
 * 1e-5 of the output's scale.
 */
class DenseConformanceTest {
    private static final int CASES = 600;
    /** Fewer: each libtorch refusal costs ~10 ms (it captures a C++ stack trace). */
    private static final int INVALID_CASES = 200;

    // ---- linear ----------------------------------------------------------------------------------------------------

    private static long[] linearInputShape(Random r, long inFeatures) {
        long[] shape = DenseFixtures.shape(r, Oracle.between(r, 1, 4), 5);
        shape[shape.length - 1] = inFeatures;
        return shape;
    }

    /** cnn4j's linear, through the functional API or the op. */
    private static float[] linear(boolean functional, float[] x, long[] xShape, float[] w, long[] wShape, float[] b,
            long[] bShape) {
        try (Tensor tx = Tensor.of(x, xShape); Tensor tw = Tensor.of(w, wShape);
                Tensor tb = b == null ? null : Tensor.of(b, bShape)) {
            if (functional) {
                try (Tensor y = Functional.linear(tx, tw, tb)) {
                    return y.toFloatArray();
                }
            }
            Linear op = Linear.create(tw, tb);
            try (Tensor y = Tensor.empty(op.outputShape(xShape))) {
                op.run(tx, y, null);
                return y.toFloatArray();
            }
        }
    }

    /** The float64 reference for x [..., in] and w [out, in]. */
    private static double[] linearReference(float[] x, long[] xShape, float[] w, int out, float[] b) {
        int in = (int) xShape[xShape.length - 1];
        return NaiveDense.linear(Oracle.widen(x), Shapes.numel(xShape) / in, in, Oracle.widen(w), out,
                Oracle.widen(b));
    }

    @Test
    void linearMatchesReferenceAndLibtorch() {
        SecondOpinion ledger = SecondOpinion.of("linear");
        Oracle.forEachSeed("linear", CASES, (r, seed) -> {
            int in = Oracle.between(r, 1, r.nextBoolean() ? 8 : 70);
            int out = Oracle.between(r, 1, r.nextBoolean() ? 8 : 70);
            long[] xShape = linearInputShape(r, in);
            float[] x = Oracle.uniform(r, Shapes.numel(xShape));
            float[] w = Oracle.uniform(r, (long) out * in);
            float[] b = r.nextBoolean() ? Oracle.uniform(r, out) : null;
            String context = "linear x=" + Arrays.toString(xShape) + " in=" + in + " out=" + out + " bias="
                    + (b != null);
            double[] reference = linearReference(x, xShape, w, out, b);
            Oracle.assertClose(context + " cnn4j vs float64 reference", reference,
                    linear(r.nextBoolean(), x, xShape, w, new long[] {out, in}, b, new long[] {out}));
            ledger.check(context, reference, LibTorch.floats(torch.linear(LibTorch.tensor(x, xShape),
                    LibTorch.tensor(w, out, in), LibTorch.optional(b == null ? null : LibTorch.tensor(b, out)))));
        });
        ledger.report();
    }

    @Test
    void linearRandomConfigurationsThrowExactlyWhenLibtorchDoes() {
        SecondOpinion ledger = SecondOpinion.of("linear invalid");
        Oracle.forEachSeed("linear invalid", INVALID_CASES, (r, seed) -> {
            int in = Oracle.between(r, 1, 6);
            int out = Oracle.between(r, 1, 6);
            long[] xShape = linearInputShape(r, r.nextInt(3) == 0 ? Oracle.between(r, 1, 6) : in);
            long[] bShape = {r.nextInt(3) == 0 ? Oracle.between(r, 2, 7) : out}; // [1] broadcasts in torch: not drawn
            boolean bias = r.nextBoolean();
            float[] x = Oracle.uniform(r, Shapes.numel(xShape));
            float[] w = Oracle.uniform(r, (long) out * in);
            float[] b = bias ? Oracle.uniform(r, bShape[0]) : null;
            float[] libtorch = DenseFixtures.torchOrNull(() -> torch.linear(LibTorch.tensor(x, xShape),
                    LibTorch.tensor(w, out, in), LibTorch.optional(bias ? LibTorch.tensor(b, bShape) : null)));
            DenseFixtures.assertSameVerdict(ledger, "linear x=" + Arrays.toString(xShape) + " w=[" + out + ", " + in
                    + "] b=" + (bias ? Arrays.toString(bShape) : "none"), libtorch,
                    () -> linearReference(x, xShape, w, out, b),
                    () -> linear(r.nextBoolean(), x, xShape, w, new long[] {out, in}, b, bShape));
        });
        ledger.report();
    }

    // ---- batch norm ------------------------------------------------------------------------------------------------

    /** One batch-norm configuration: which class (0 = F.batch_norm), tensors and their shapes. */
    private record Norm(int dims, float[] x, long[] xShape, float[] mean, long[] meanShape, float[] var,
            long[] varShape, float[] weight, long[] weightShape, float[] bias, long[] biasShape, double eps) {

        static Norm random(Random r, boolean mayBeInvalid) {
            int dims = r.nextInt(4);
            int rank = dims == 0 ? Oracle.between(r, 2, 5) : dims == 1 ? Oracle.between(r, 2, 3) : dims + 2;
            if (mayBeInvalid && r.nextInt(3) == 0) {
                rank = Oracle.between(r, 1, 5);
            }
            long[] xShape = DenseFixtures.shape(r, rank, 4);
            int c = (int) (rank > 1 ? xShape[1] : Oracle.between(r, 1, 4));
            double[] epsChoices = {1e-5, 1e-3, 0.1, 0};
            return new Norm(dims, Oracle.uniform(r, Shapes.numel(xShape)), xShape,
                    Oracle.uniform(r, c), statShape(r, c, mayBeInvalid), variances(r, c), statShape(r, c, mayBeInvalid),
                    r.nextInt(4) == 0 ? null : Oracle.uniform(r, c), statShape(r, c, mayBeInvalid),
                    r.nextInt(4) == 0 ? null : Oracle.uniform(r, c), statShape(r, c, mayBeInvalid),
                    epsChoices[r.nextInt(epsChoices.length)]);
        }

        /** [c] when valid; else sometimes [c + 1] or [1, c] (accepted by ATen for weight and bias only). */
        private static long[] statShape(Random r, int c, boolean mayBeInvalid) {
            if (!mayBeInvalid || r.nextInt(4) != 0) {
                return new long[] {c};
            }
            return r.nextBoolean() ? new long[] {c + 1} : new long[] {1, c};
        }

        private static float[] variances(Random r, int c) {
            float[] v = Oracle.uniform(r, c);
            for (int i = 0; i < c; i++) {
                v[i] = r.nextInt(8) == 0 ? 0 : (v[i] + 1) * 2; // [0, 4), with exact zeros that only eps keeps finite
            }
            return v;
        }

        /** The data for a shape that may hold one element more than drawn (an invalid size), padded with 0. */
        private static float[] fit(float[] data, long[] shape) {
            return data == null ? null : Arrays.copyOf(data, (int) Shapes.numel(shape));
        }

        org.bytedeco.pytorch.Tensor libtorch() {
            // at::batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps, cudnn)
            return torch.batch_norm(LibTorch.tensor(x, xShape), opt(weight, weightShape), opt(bias, biasShape),
                    opt(mean, meanShape), opt(var, varShape), false, 0.1, eps, false);
        }

        private static org.bytedeco.pytorch.TensorOptional opt(float[] data, long[] shape) {
            return LibTorch.optional(data == null ? null : LibTorch.tensor(fit(data, shape), shape));
        }

        /** The float64 reference, channels in dim 1; each statistic's first C values (what an accepted shape holds). */
        double[] reference() {
            int c = (int) xShape[1];
            return NaiveDense.batchNorm(Oracle.widen(x), (int) xShape[0], c,
                    (int) Shapes.product(xShape, 2, xShape.length), first(mean, c), first(var, c), first(weight, c),
                    first(bias, c), eps);
        }

        private static double[] first(float[] data, int c) {
            return data == null ? null : Oracle.widen(Arrays.copyOf(data, c));
        }

        /** nn.BatchNorm{1,2,3}d's own input-rank check, which runs before libtorch's. */
        boolean classAcceptsRank() {
            int rank = xShape.length;
            return switch (dims) {
                case 0 -> true;
                case 1 -> rank == 2 || rank == 3;
                default -> rank == dims + 2;
            };
        }

        float[] cnn4j(boolean functional) {
            try (Tensor tx = Tensor.of(x, xShape); Tensor tm = Tensor.of(fit(mean, meanShape), meanShape);
                    Tensor tv = Tensor.of(fit(var, varShape), varShape);
                    Tensor tw = weight == null ? null : Tensor.of(fit(weight, weightShape), weightShape);
                    Tensor tb = bias == null ? null : Tensor.of(fit(bias, biasShape), biasShape)) {
                if (functional && dims == 0) {
                    try (Tensor y = Functional.batchNorm(tx, tm, tv, tw, tb, eps)) {
                        return y.toFloatArray();
                    }
                }
                BatchNorm op = dims == 0 ? BatchNorm.createAnyRank(tm, tv, tw, tb, eps)
                        : BatchNorm.create(dims, tm, tv, tw, tb, eps);
                try (Tensor y = functional ? null : Tensor.empty(op.outputShape(xShape))) {
                    Tensor out = functional ? tx : y; // the op in place when not through Functional
                    op.run(tx, out, null);
                    return out.toFloatArray();
                }
            }
        }

        @Override
        public String toString() {
            return (dims == 0 ? "batch_norm" : "batch_norm" + dims + "d") + " x=" + Arrays.toString(xShape) + " mean="
                    + Arrays.toString(meanShape) + " var=" + Arrays.toString(varShape) + " weight="
                    + (weight == null ? "none" : Arrays.toString(weightShape)) + " bias="
                    + (bias == null ? "none" : Arrays.toString(biasShape)) + " eps=" + eps;
        }
    }

    @Test
    void batchNormMatchesReferenceAndLibtorch() {
        SecondOpinion ledger = SecondOpinion.of("batch_norm");
        Oracle.forEachSeed("batch_norm", CASES, (r, seed) -> {
            Norm n = Norm.random(r, false);
            double[] reference = n.reference();
            Oracle.assertClose(n + " cnn4j vs float64 reference", reference, n.cnn4j(r.nextBoolean()));
            ledger.check(n, reference, LibTorch.floats(n.libtorch()));
        });
        ledger.report();
    }

    @Test
    void batchNormRandomConfigurationsThrowExactlyWhenLibtorchDoes() {
        SecondOpinion ledger = SecondOpinion.of("batch_norm invalid");
        Oracle.forEachSeed("batch_norm invalid", INVALID_CASES, (r, seed) -> {
            Norm n = Norm.random(r, true);
            float[] libtorch = n.classAcceptsRank() ? DenseFixtures.torchOrNull(n::libtorch) : null;
            DenseFixtures.assertSameVerdict(ledger, n.toString(), libtorch, n::reference,
                    () -> n.cnn4j(r.nextBoolean()));
        });
        ledger.report();
    }
}
