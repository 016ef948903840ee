package io.cnn4j;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cnn4j.ops.Interpolate;
import io.cnn4j.reference.NaiveInterpolate;
import io.cnn4j.testing.LibTorch;
import io.cnn4j.testing.Oracle;
import io.cnn4j.testing.SecondOpinion;
import java.util.Arrays;
import java.util.Random;
import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * interpolate / Upsample against the float64 reference {@link NaiveInterpolate} (libtorch float32 as a counted second
 * opinion): every mode on 1 to 3 spatial dims, up and down, by size and by scale_factor (integer and fractional,
 * recomputed or not), with and without align_corners, sizes down to 1. Tolerance: Oracle's 1e-5 relative to the
 * output's largest value.
 */
class InterpolateConformanceTest {
    private static final String[] MODES = {"nearest", "nearest-exact", "linear", "bilinear", "bicubic", "trilinear"};

    @Test
    void randomConfigurationsMatchReferenceAndLibtorch() {
        SecondOpinion ledger = SecondOpinion.of("interpolate");
        Oracle.forEachSeed("interpolate", 400, (r, seed) -> {
            String mode = MODES[r.nextInt(MODES.length)];
            int dims = switch (mode) {
                case "linear" -> 1;
                case "bilinear", "bicubic" -> 2;
                case "trilinear" -> 3;
                default -> Oracle.between(r, 1, 3);
            };
            long[] shape = new long[dims + 2];
            shape[0] = Oracle.between(r, 1, 2);
            shape[1] = Oracle.between(r, 1, 3);
            for (int d = 0; d < dims; d++) {
                shape[2 + d] = Oracle.between(r, 1, dims == 3 ? 5 : 9);
            }
            boolean bySize = r.nextBoolean();
            Boolean align = mode.startsWith("nearest") || r.nextBoolean() ? null : r.nextBoolean();
            long[] size = null;
            double[] scale = null;
            Boolean recompute = null;
            if (bySize) {
                size = new long[dims];
                for (int d = 0; d < dims; d++) {
                    size[d] = Oracle.between(r, 1, dims == 3 ? 7 : 13);
                }
            } else {
                scale = new double[dims];
                double[] common = {2, 3, 0.5, 1.5, 0.75, 1.3, 2.7, 1};
                for (int d = 0; d < dims; d++) {
                    scale[d] = r.nextBoolean() ? common[r.nextInt(common.length)] : 0.4 + 3 * r.nextDouble();
                    while (Math.floor(shape[2 + d] * scale[d]) < 1) {
                        scale[d] *= 2;
                    }
                }
                recompute = r.nextInt(4) == 0 ? Boolean.TRUE : null;
            }
            Interpolate op = Interpolate.create(size, scale, mode, align, recompute);
            long[] outShape = op.outputShape(shape);
            long[] out = Arrays.copyOfRange(outShape, 2, outShape.length);
            Double[] kernelScales = null;
            if (scale != null && recompute == null) {
                kernelScales = new Double[dims];
                for (int d = 0; d < dims; d++) {
                    kernelScales[d] = scale[d];
                }
            }
            float[] x = Oracle.uniform(r, Shapes.numel(shape));
            String context = mode + " " + Arrays.toString(shape) + " -> " + Arrays.toString(out) + " scale "
                    + Arrays.toString(scale) + " recompute " + recompute + " align " + align;
            double[] reference = NaiveInterpolate.run(Oracle.widen(x), shape, out, kernelScales, mode,
                    align != null && align);
            float[] actual;
            try (Tensor in = Tensor.of(x, shape); Tensor y = Tensor.empty(outShape)) {
                if (r.nextBoolean()) {
                    op.run(in, y, null);
                } else {
                    op.prepare(shape).run(in, y, null);
                }
                actual = y.toFloatArray();
            }
            Oracle.assertClose(context + " cnn4j vs float64 reference", reference, actual);
            if (!mode.equals("nearest-exact")) {
                Double[] scales = kernelScales;
                boolean corners = align != null && align;
                float[] libtorch = DenseFixtures.torchOrNull(() -> libtorch(mode, x, shape, out, scales, corners));
                if (libtorch == null) {
                    throw new AssertionError(context + ": libtorch refuses what cnn4j accepted");
                }
                ledger.check(context, reference, libtorch);
            }
        });
        ledger.report();
    }

    private static org.bytedeco.pytorch.Tensor libtorch(String mode, float[] x, long[] shape, long[] out,
            Double[] scales, boolean align) {
        org.bytedeco.pytorch.Tensor t = LibTorch.tensor(x, shape);
        DoubleOptional[] s = new DoubleOptional[out.length];
        for (int d = 0; d < out.length; d++) {
            s[d] = scales == null ? new DoubleOptional() : new DoubleOptional(scales[d]);
        }
        return switch (mode) {
            case "nearest" -> switch (out.length) {
                case 1 -> torch.upsample_nearest1d(t, out, s[0]);
                case 2 -> torch.upsample_nearest2d(t, out, s[0], s[1]);
                default -> torch.upsample_nearest3d(t, out, s[0], s[1], s[2]);
            };
            case "linear" -> torch.upsample_linear1d(t, out, align, s[0]);
            case "bilinear" -> torch.upsample_bilinear2d(t, out, align, s[0], s[1]);
            case "bicubic" -> torch.upsample_bicubic2d(t, out, align, s[0], s[1]);
            default -> torch.upsample_trilinear3d(t, out, align, s[0], s[1], s[2]);
        };
    }

    @Test
    void invalidArgumentsAreRefusedWithClearMessages() {
        assertMessage(() -> Interpolate.create(null, null, "nearest", null, null), "either size or scale_factor");
        assertMessage(() -> Interpolate.create(new long[] {2}, new double[] {2}, "nearest", null, null),
                "only one of size or scale_factor");
        assertMessage(() -> Interpolate.create(null, new double[] {2}, "nearest", true, null),
                "align_corners option can only be set with the interpolating modes");
        assertMessage(() -> Interpolate.create(null, new double[] {2}, "area", null, null), "mode must be one of",
                "AdaptiveAvgPool");
        assertMessage(() -> Interpolate.create(new long[] {2}, null, "linear", null, true),
                "recompute_scale_factor is not meaningful with an explicit size");
        assertMessage(() -> Interpolate.create(new long[] {0}, null, "nearest", null, null), "size must be positive");
        assertMessage(() -> Interpolate.create(null, new double[] {-1}, "nearest", null, null),
                "scale_factor must be positive");
        assertMessage(() -> Interpolate.create(null, new double[] {2}, "bilinear", null, null)
                .outputShape(new long[] {1, 2, 5}), "got 3D input", "mode bilinear needs 4D input");
        assertMessage(() -> Interpolate.create(new long[] {2, 3, 4}, null, "nearest", null, null)
                .outputShape(new long[] {1, 2, 5, 5}), "2 spatial dims", "has 3 values");
        assertMessage(() -> Interpolate.create(null, new double[] {0.1}, "nearest", null, null)
                .outputShape(new long[] {1, 2, 5, 5}), "output sizes should be greater than 0");
    }

    private static void assertMessage(Runnable call, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message '" + e.getMessage() + "' lacks '" + p + "'");
        }
    }
}
