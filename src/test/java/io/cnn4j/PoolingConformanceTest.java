package io.cnn4j;

import static io.cnn4j.PoolingOutcome.expand;
import static io.cnn4j.PoolingOutcome.intOrTuple;
import static io.cnn4j.PoolingOutcome.longs;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cnn4j.ops.MaxPool;
import io.cnn4j.ops.Pad;
import io.cnn4j.ops.PoolOptions;
import io.cnn4j.reference.NaivePooling;
import io.cnn4j.testing.LibTorch;
import io.cnn4j.testing.Oracle;
import io.cnn4j.testing.SecondOpinion;
import java.util.Arrays;
import java.util.Random;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.T_TensorTensor_T;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * Max, average, power-average and adaptive pooling against the float64 naive reference (libtorch float32 as a
 * counted second opinion), on random 1-, 2- and 3-d configurations (batched and unbatched, tuple and single-int
 * arguments, ceil_mode, NaN/inf and tied inputs), some of them invalid: then libtorch and cnn4j must both reject.
 */
class PoolingConformanceTest {
    private static final int CASES = 800;

    /** Random sliding-window arguments, sometimes invalid; stride null means PyTorch's stride=None. */
    private record Window(int dims, long[] shape, int[] kernel, int[] stride, int[] padding, int[] dilation,
            boolean ceil) {
        static Window random(Random r, boolean dilated, boolean padded) {
            int dims = Oracle.between(r, 1, 3);
            long[] shape = PoolingOutcome.inputShape(r, dims, new int[] {10, 7, 5}[dims - 1]);
            int[] kernel = intOrTuple(r, dims, () -> r.nextInt(20) == 0 ? -r.nextInt(2) : Oracle.between(r, 1, 4));
            int[] stride = r.nextInt(3) == 0 ? null
                    : intOrTuple(r, dims, () -> r.nextInt(20) == 0 ? -r.nextInt(2) : Oracle.between(r, 1, 3));
            int maxPad = Math.max(Arrays.stream(kernel).min().getAsInt(), 0) / 2;
            int[] padding = !padded || r.nextBoolean() ? new int[] {0} : intOrTuple(r, dims, () -> {
                int roll = r.nextInt(20);
                return roll == 0 ? -1 : roll < 3 ? maxPad + 1 : Oracle.between(r, 0, maxPad);
            });
            int[] dilation = !dilated || r.nextBoolean() ? new int[] {1}
                    : intOrTuple(r, dims, () -> r.nextInt(20) == 0 ? -r.nextInt(2) : Oracle.between(r, 1, 3));
            return new Window(dims, shape, kernel, stride, padding, dilation, r.nextBoolean());
        }

        long[] torchStride() {
            return stride == null ? new long[0] : longs(stride);
        }

        long[] strideOrKernel() {
            return expand(stride == null ? kernel : stride, dims);
        }

        PoolOptions options(boolean withPadding, boolean withDilation) {
            PoolOptions o = new PoolOptions(kernel).ceilMode(ceil);
            if (stride != null) {
                o.stride(stride);
            }
            if (withPadding) {
                o.padding(padding);
            }
            if (withDilation) {
                o.dilation(dilation);
            }
            return o;
        }

        @Override
        public String toString() {
            return "input " + Arrays.toString(shape) + " kernel_size=" + Arrays.toString(kernel) + " stride="
                    + (stride == null ? "None" : Arrays.toString(stride)) + " padding=" + Arrays.toString(padding)
                    + " dilation=" + Arrays.toString(dilation) + " ceil_mode=" + ceil;
        }
    }

    /** Accepted / rejected counts, so that a family's run demonstrably covers both, and libtorch's ledger. */
    private static final class Tally {
        final String family;
        final SecondOpinion ledger;
        int accepted;
        int rejected;

        Tally(String family) {
            this.family = family;
            this.ledger = SecondOpinion.of(family);
        }

        void add(boolean accepted) {
            if (accepted) {
                this.accepted++;
            } else {
                rejected++;
            }
        }

        void check() {
            System.out.println(family + ": " + accepted + " accepted, " + rejected + " rejected by both");
            ledger.report();
            assertTrue(accepted >= CASES * 2 / 5 && rejected >= CASES / 50, family + ": poor coverage " + accepted + "/"
                    + rejected);
        }
    }

    @Test
    void maxPool() {
        Tally tally = new Tally("max_pool");
        Oracle.forEachSeed("max_pool", CASES, (seeded, seed) -> {
            Random r = seeded;
            Window w = Window.random(r, true, true);
            float[] x = PoolingOutcome.data(r, io.cnn4j.Shapes.numel(w.shape), true);
            boolean withIndices = r.nextBoolean();
            String config = "max_pool" + w.dims + "d" + (withIndices ? "_with_indices " : " ") + w;
            PoolingOutcome torchSide = PoolingOutcome.torch(() -> {
                var t = LibTorch.tensor(x, w.shape);
                long[] k = longs(w.kernel), s = w.torchStride(), p = longs(w.padding), d = longs(w.dilation);
                if (!withIndices) {
                    return new org.bytedeco.pytorch.Tensor[] {switch (w.dims) {
                        case 1 -> torch.max_pool1d(t, k, s, p, d, w.ceil);
                        case 2 -> torch.max_pool2d(t, k, s, p, d, w.ceil);
                        default -> torch.max_pool3d(t, k, s, p, d, w.ceil);
                    }};
                }
                T_TensorTensor_T out = switch (w.dims) {
                    case 1 -> torch.max_pool1d_with_indices(t, k, s, p, d, w.ceil);
                    case 2 -> torch.max_pool2d_with_indices(t, k, s, p, d, w.ceil);
                    default -> torch.max_pool3d_with_indices(t, k, s, p, d, w.ceil);
                };
                return new org.bytedeco.pytorch.Tensor[] {out.get0(), out.get1()};
            });
            PoolingOutcome ours = PoolingOutcome.cnn4j(() -> {
                try (Tensor t = Tensor.of(x, w.shape)) {
                    PoolOptions o = w.options(true, true);
                    return withIndices ? switch (w.dims) {
                        case 1 -> Functional.maxPool1dWithIndices(t, o);
                        case 2 -> Functional.maxPool2dWithIndices(t, o);
                        default -> Functional.maxPool3dWithIndices(t, o);
                    } : switch (w.dims) {
                        case 1 -> Functional.maxPool1d(t, o);
                        case 2 -> Functional.maxPool2d(t, o);
                        default -> Functional.maxPool3d(t, o);
                    };
                }
            });
            tally.add(PoolingOutcome.assertAgree(config, tally.ledger, torchSide, ours,
                    () -> NaivePooling.maxPool(Oracle.widen(x), w.shape, w.dims, expand(w.kernel, w.dims),
                            w.strideOrKernel(), expand(w.padding, w.dims), expand(w.dilation, w.dims), w.ceil)));
        });
        tally.check();
    }

    @Test
    void avgPool() {
        Tally tally = new Tally("avg_pool");
        Oracle.forEachSeed("avg_pool", CASES, (seeded, seed) -> {
            Random r = seeded;
            Window w = Window.random(r, false, true);
            boolean countIncludePad = r.nextBoolean();
            Integer divisor = w.dims > 1 && r.nextInt(4) == 0 ? new int[] {-3, -1, 0, 1, 2, 5}[r.nextInt(6)] : null;
            float[] x = PoolingOutcome.data(r, io.cnn4j.Shapes.numel(w.shape), true);
            String config = "avg_pool" + w.dims + "d " + w + " count_include_pad=" + countIncludePad
                    + " divisor_override=" + divisor;
            PoolingOutcome torchSide = PoolingOutcome.torch(() -> {
                var t = LibTorch.tensor(x, w.shape);
                long[] k = longs(w.kernel), s = w.torchStride(), p = longs(w.padding);
                LongOptional d = divisor == null ? new LongOptional() : new LongOptional(divisor);
                return new org.bytedeco.pytorch.Tensor[] {switch (w.dims) {
                    case 1 -> torch.avg_pool1d(t, k, s, p, w.ceil, countIncludePad);
                    case 2 -> torch.avg_pool2d(t, k, s, p, w.ceil, countIncludePad, d);
                    default -> torch.avg_pool3d(t, k, s, p, w.ceil, countIncludePad, d);
                }};
            });
            PoolingOutcome ours = PoolingOutcome.cnn4j(() -> {
                try (Tensor t = Tensor.of(x, w.shape)) {
                    PoolOptions o = w.options(true, false).countIncludePad(countIncludePad);
                    if (divisor != null) {
                        o.divisorOverride(divisor);
                    }
                    return switch (w.dims) {
                        case 1 -> Functional.avgPool1d(t, o);
                        case 2 -> Functional.avgPool2d(t, o);
                        default -> Functional.avgPool3d(t, o);
                    };
                }
            });
            tally.add(PoolingOutcome.assertAgree(config, tally.ledger, torchSide, ours,
                    () -> NaivePooling.avgPool(Oracle.widen(x), w.shape, w.dims, expand(w.kernel, w.dims),
                            w.strideOrKernel(), expand(w.padding, w.dims), w.ceil, countIncludePad,
                            divisor == null ? null : (long) divisor)));
        });
        tally.check();
    }

    /**
     * The reference is lp_pool's definition, (sum of x^p over the window)^(1/p), in float64; PyTorch's own
     * composition (avg_pool of x^p, times the kernel volume, to the 1/p) run in libtorch is the second opinion.
     */
    @Test
    void lpPool() {
        Tally tally = new Tally("lp_pool");
        Oracle.forEachSeed("lp_pool", CASES, (seeded, seed) -> {
            Random r = seeded;
            Window w = Window.random(r, false, false);
            // Signed inputs only with powers that keep windows away from a sign flip near 0 (which would amplify
            // rounding into NaN on one side): p = 1 is linear, even p is non-negative.
            double[] signedPowers = {1, 2, 4};
            double[] positivePowers = {0.5, 1.5, 2.5, 3, 2, 1};
            boolean signed = r.nextBoolean();
            double p = signed ? signedPowers[r.nextInt(3)] : positivePowers[r.nextInt(6)];
            float[] x = PoolingOutcome.data(r, io.cnn4j.Shapes.numel(w.shape), false);
            if (!signed) {
                for (int i = 0; i < x.length; i++) {
                    x[i] = Math.abs(x[i]);
                }
            }
            String config = "lp_pool" + w.dims + "d norm_type=" + p + " " + w;
            long kernelVolume = Arrays.stream(expand(w.kernel, w.dims)).reduce(1, (a, b) -> a * b);
            PoolingOutcome torchSide = PoolingOutcome.torch(() -> {
                var t = LibTorch.tensor(x, w.shape).pow(new Scalar(p));
                long[] k = longs(w.kernel), s = w.torchStride(), zero = {0};
                var a = switch (w.dims) {
                    case 1 -> torch.avg_pool1d(t, k, s, zero, w.ceil, true);
                    case 2 -> torch.avg_pool2d(t, k, s, zero, w.ceil, true, new LongOptional());
                    default -> torch.avg_pool3d(t, k, s, zero, w.ceil, true, new LongOptional());
                };
                return new org.bytedeco.pytorch.Tensor[] {
                    a.sign().mul(a.abs().relu()).mul(new Scalar(kernelVolume)).pow(new Scalar(1.0 / p))};
            });
            PoolingOutcome ours = PoolingOutcome.cnn4j(() -> {
                try (Tensor t = Tensor.of(x, w.shape)) {
                    PoolOptions o = w.options(false, false);
                    return switch (w.dims) {
                        case 1 -> Functional.lpPool1d(t, p, o);
                        case 2 -> Functional.lpPool2d(t, p, o);
                        default -> Functional.lpPool3d(t, p, o);
                    };
                }
            });
            tally.add(PoolingOutcome.assertAgree(config, tally.ledger, torchSide, ours,
                    () -> NaivePooling.lpPool(Oracle.widen(x), w.shape, w.dims, p, expand(w.kernel, w.dims),
                            w.strideOrKernel(), w.ceil)));
        });
        tally.check();
    }

    @Test
    void adaptiveAvgPool() {
        adaptive(false);
    }

    @Test
    void adaptiveMaxPool() {
        adaptive(true);
    }

    private static void adaptive(boolean max) {
        String family = max ? "adaptive_max_pool" : "adaptive_avg_pool";
        Tally tally = new Tally(family);
        Oracle.forEachSeed(family, CASES, (seeded, seed) -> {
            Random r = seeded;
            int dims = Oracle.between(r, 1, 3);
            long[] shape = PoolingOutcome.inputShape(r, dims, new int[] {12, 8, 5}[dims - 1]);
            long[] in = Arrays.copyOfRange(shape, shape.length - dims, shape.length);
            // Sizes around the input size (smaller, equal, larger); sometimes 0 or negative; for 2-d and 3-d tuples
            // sometimes None (keep the input size), as F.adaptive_*_pool2d/3d resolve it.
            Integer[] outputSize = new Integer[r.nextInt(3) == 0 ? 1 : dims];
            for (int i = 0; i < outputSize.length; i++) {
                int roll = r.nextInt(30);
                boolean none = dims > 1 && outputSize.length == dims && roll < 4;
                outputSize[i] = none ? null : roll == 4 ? -r.nextInt(2) : Oracle.between(r, 1, (int) in[i] + 3);
            }
            long[] resolved = new long[dims];
            for (int i = 0; i < dims; i++) {
                Integer o = outputSize.length == 1 ? outputSize[0] : outputSize[i];
                resolved[i] = o == null ? in[i] : o;
            }
            boolean withIndices = max && r.nextBoolean();
            float[] x = PoolingOutcome.data(r, io.cnn4j.Shapes.numel(shape), true);
            String config = family + dims + "d input " + Arrays.toString(shape) + " output_size="
                    + Arrays.toString(outputSize);
            PoolingOutcome torchSide = PoolingOutcome.torch(() -> {
                var t = LibTorch.tensor(x, shape);
                if (!max) {
                    return new org.bytedeco.pytorch.Tensor[] {switch (dims) {
                        case 1 -> torch.adaptive_avg_pool1d(t, resolved);
                        case 2 -> torch.adaptive_avg_pool2d(t, resolved);
                        default -> torch.adaptive_avg_pool3d(t, resolved);
                    }};
                }
                T_TensorTensor_T out = switch (dims) {
                    case 1 -> torch.adaptive_max_pool1d(t, resolved);
                    case 2 -> torch.adaptive_max_pool2d(t, resolved);
                    default -> torch.adaptive_max_pool3d(t, resolved);
                };
                return new org.bytedeco.pytorch.Tensor[] {out.get0(), out.get1()};
            });
            PoolingOutcome ours = PoolingOutcome.cnn4j(() -> {
                try (Tensor t = Tensor.of(x, shape)) {
                    if (!max) {
                        return switch (dims) {
                            case 1 -> Functional.adaptiveAvgPool1d(t, outputSize);
                            case 2 -> Functional.adaptiveAvgPool2d(t, outputSize);
                            default -> Functional.adaptiveAvgPool3d(t, outputSize);
                        };
                    }
                    return withIndices ? switch (dims) {
                        case 1 -> Functional.adaptiveMaxPool1dWithIndices(t, outputSize);
                        case 2 -> Functional.adaptiveMaxPool2dWithIndices(t, outputSize);
                        default -> Functional.adaptiveMaxPool3dWithIndices(t, outputSize);
                    } : switch (dims) {
                        case 1 -> Functional.adaptiveMaxPool1d(t, outputSize);
                        case 2 -> Functional.adaptiveMaxPool2d(t, outputSize);
                        default -> Functional.adaptiveMaxPool3d(t, outputSize);
                    };
                }
            });
            tally.add(PoolingOutcome.assertAgree(config, tally.ledger, torchSide, ours,
                    () -> NaivePooling.adaptive(Oracle.widen(x), shape, dims, resolved, max)));
        });
        tally.check();
    }

    /** The op lifecycle: plan once, then run repeatedly into caller-owned output (and index) tensors. */
    @Test
    void opsRunIntoCallerMemory() {
        Random r = new Random(7);
        long[] in = {2, 3, 9, 8};
        MaxPool pool = MaxPool.create(2, new PoolOptions(3).stride(2).padding(1).ceilMode(true));
        Pad pad = Pad.create(new int[] {2, -1, 1, 3}, "reflect", 0);
        long[] pooled = pool.outputShape(in);
        long[] padded = pad.outputShape(in);
        assertArrayEquals(new long[] {2, 3, 5, 5}, pooled);
        assertArrayEquals(new long[] {2, 3, 13, 9}, padded);
        assertEquals(0, pool.workspaceSize(in) + pad.workspaceSize(in));
        SecondOpinion ledger = SecondOpinion.of("pooling ops into caller memory");
        try (Tensor y = Tensor.empty(pooled); IndexTensor indices = IndexTensor.empty(pooled);
                Tensor z = Tensor.empty(padded)) {
            for (int run = 0; run < 2; run++) {
                float[] data = Oracle.uniform(r, io.cnn4j.Shapes.numel(in));
                try (Tensor x = Tensor.of(data, in)) {
                    pool.run(x, y, indices, null);
                    pad.run(x, z, null);
                }
                NaivePooling.Result pooledReference = NaivePooling.maxPool(Oracle.widen(data), in, 2,
                        new long[] {3, 3}, new long[] {2, 2}, new long[] {1, 1}, new long[] {1, 1}, true);
                NaivePooling.Result paddedReference = NaivePooling.pad(Oracle.widen(data), in,
                        new int[] {2, -1, 1, 3}, "reflect", 0);
                Oracle.assertClose("max_pool2d run " + run, pooledReference.values(), y.toFloatArray());
                assertArrayEquals(pooledReference.indices(), indices.toLongArray(), "indices run " + run);
                Oracle.assertClose("pad run " + run, paddedReference.values(), z.toFloatArray());

                var t = LibTorch.tensor(data, in);
                T_TensorTensor_T libtorch = torch.max_pool2d_with_indices(t, new long[] {3}, new long[] {2},
                        new long[] {1}, new long[] {1}, true);
                ledger.check("max_pool2d run " + run, pooledReference.values(), LibTorch.floats(libtorch.get0()));
                ledger.checkExact("max_pool2d indices run " + run, pooledReference.indices(),
                        LibTorch.longs(libtorch.get1()));
                ledger.check("pad run " + run, paddedReference.values(), LibTorch.floats(torch.pad(t,
                        new long[] {2, -1, 1, 3}, "reflect", new org.bytedeco.pytorch.DoubleOptional())));
            }
        }
        ledger.report();
    }
}
