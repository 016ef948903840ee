package io.cnn4j.ops;

import io.cnn4j.Tensor;
import io.cnn4j.jni.NativeCore;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.javacpp.FloatPointer;

/**
 * torch.nn.functional.interpolate / nn.Upsample: modes nearest, nearest-exact, linear (3-d input), bilinear and
 * bicubic (4-d), trilinear (5-d); the output by {@code size} or by {@code scale_factor} (output size floor(in *
 * scale), the scale itself used for the source coordinates unless {@code recompute_scale_factor}); align_corners
 * for the interpolating modes. Source indices and weights are computed per spatial dim with ATen's float
 * arithmetic (UpSample.h: area_pixel_compute_scale, area_pixel_compute_source_index, the nearest source index, the
 * cubic convolution with A = -0.75 and clamped taps) and applied by the native core. As PyTorch's CPU kernels do
 * (checked against torch 2.13): the linear modes copy a dim whose size does not change, and only the 2-d nearest
 * kernel takes shortcuts for a dim of the same or the double size (see {@link #nearest}). Lifecycle as {@link Activation};
 * the output must not overlap the input. Immutable and thread-safe.
 */
public final class Interpolate extends ScratchFreeOp {
    private static final String OP = "interpolate";
    private static final List<String> MODES = List.of("nearest", "nearest-exact", "linear", "bilinear", "bicubic",
            "trilinear");
    private static final float CUBIC_A = -0.75f;

    private final String mode;
    private final long[] size;
    private final double[] scaleFactor;
    private final boolean alignCorners;
    private final boolean recomputeScaleFactor;

    private Interpolate(String mode, long[] size, double[] scaleFactor, boolean alignCorners,
            boolean recomputeScaleFactor) {
        this.mode = mode;
        this.size = size;
        this.scaleFactor = scaleFactor;
        this.alignCorners = alignCorners;
        this.recomputeScaleFactor = recomputeScaleFactor;
    }

    /**
     * PyTorch's arguments: exactly one of size (one value or one per spatial dim) and scaleFactor; alignCorners
     * null (False) or set only for the interpolating modes; recomputeScaleFactor null (False) or set only with
     * scaleFactor.
     */
    public static Interpolate create(long[] size, double[] scaleFactor, String mode, Boolean alignCorners,
            Boolean recomputeScaleFactor) {
        if (mode == null || !MODES.contains(mode)) {
            throw new IllegalArgumentException(OP + ": mode must be one of " + MODES + ", got mode=" + mode
                    + (("area".equals(mode)) ? " (area is adaptive average pooling: use AdaptiveAvgPool)" : ""));
        }
        if ((size == null) == (scaleFactor == null)) {
            throw new IllegalArgumentException(OP + ": " + (size == null ? "either size or scale_factor should be "
                    + "defined" : "only one of size or scale_factor should be defined"));
        }
        boolean interpolating = !mode.startsWith("nearest");
        if (alignCorners != null && !interpolating) {
            throw new IllegalArgumentException(OP + ": align_corners option can only be set with the interpolating "
                    + "modes: linear | bilinear | bicubic | trilinear, got mode=" + mode);
        }
        if (recomputeScaleFactor != null && recomputeScaleFactor && size != null) {
            throw new IllegalArgumentException(OP + ": recompute_scale_factor is not meaningful with an explicit "
                    + "size");
        }
        if (size != null) {
            for (long s : size) {
                if (s < 1) {
                    throw new IllegalArgumentException(OP + ": size must be positive, got size="
                            + Arrays.toString(size));
                }
            }
        }
        if (scaleFactor != null) {
            for (double s : scaleFactor) {
                if (!(s > 0) || Double.isInfinite(s)) {
                    throw new IllegalArgumentException(OP + ": scale_factor must be positive and finite, got "
                            + "scale_factor=" + Arrays.toString(scaleFactor));
                }
            }
        }
        return new Interpolate(mode, size == null ? null : size.clone(),
                scaleFactor == null ? null : scaleFactor.clone(), alignCorners != null && alignCorners,
                recomputeScaleFactor != null && recomputeScaleFactor);
    }

    private int dims(long[] inputShape) {
        Args.checkInputShape(OP, inputShape);
        int dims = inputShape.length - 2;
        int needed = switch (mode) {
            case "linear" -> 1;
            case "bilinear", "bicubic" -> 2;
            case "trilinear" -> 3;
            default -> dims;
        };
        if (dims < 1 || dims > 3 || dims != needed) {
            throw new IllegalArgumentException(OP + ": got " + inputShape.length + "D input of shape "
                    + Args.shape(inputShape) + ", but mode " + mode + " needs " + (needed < 1 || needed > 3
                    ? "3D, 4D or 5D" : (needed + 2) + "D") + " input [N, C, spatial...]");
        }
        int given = size != null ? size.length : scaleFactor.length;
        if (given != 1 && given != dims) {
            throw new IllegalArgumentException(OP + ": input has " + dims + " spatial dims, but "
                    + (size != null ? "size=" + Arrays.toString(size) : "scale_factor="
                    + Arrays.toString(scaleFactor)) + " has " + given + " values");
        }
        return dims;
    }

    /** The scale per spatial dim handed to the kernel: scale_factor, or null (use in / out). */
    private Double scale(int d) {
        if (scaleFactor == null || recomputeScaleFactor) {
            return null;
        }
        return scaleFactor[scaleFactor.length == 1 ? 0 : d];
    }

    public long[] outputShape(long[] inputShape) {
        int dims = dims(inputShape);
        long[] out = inputShape.clone();
        for (int d = 0; d < dims; d++) {
            long in = inputShape[2 + d];
            out[2 + d] = size != null ? size[size.length == 1 ? 0 : d]
                    : (long) Math.floor(in * scaleFactor[scaleFactor.length == 1 ? 0 : d]);
            if (out[2 + d] < 1) {
                throw new IllegalArgumentException(OP + ": input and output sizes should be greater than 0, but got "
                        + "input " + Args.shape(inputShape) + " and output " + Args.shape(out));
            }
        }
        return out;
    }

    public void run(Tensor input, Tensor output, FloatPointer workspace) {
        prepare(Args.checkRun(OP, input, output, this::outputShape, false)).run(input, output, workspace);
    }

    @Override
    public Prepared prepare(long[] inputShape) {
        long[] outShape = outputShape(inputShape);
        int dims = inputShape.length - 2;
        long[] in = Arrays.copyOfRange(inputShape, 2, inputShape.length);
        long[] out = Arrays.copyOfRange(outShape, 2, outShape.length);
        long[] taps = new long[dims];
        long total = 0;
        for (int d = 0; d < dims; d++) {
            // The linear modes copy a dim whose size does not change, whatever the scale_factor (ATen's kernel does).
            boolean copied = !mode.startsWith("nearest") && !mode.equals("bicubic") && in[d] == out[d];
            taps[d] = mode.startsWith("nearest") || copied ? 1 : mode.equals("bicubic") ? 4 : 2;
            total += out[d] * taps[d];
        }
        Args.checkFitsInt(OP, "interpolation tables", total);
        long[] index = new long[(int) total];
        float[] weight = new float[(int) total];
        int at = 0;
        for (int d = 0; d < dims; d++) {
            at = taps[d] == 1 && !mode.startsWith("nearest") ? copy(out[d], index, weight, at)
                    : table(d, dims, in[d], out[d], index, weight, at);
        }
        long planes = inputShape[0] * inputShape[1];
        return (x, y, workspace) -> {
            Args.checkPrepared(OP, x, inputShape, y, outShape, null, workspace, 0);
            Args.checkNoOverlap(OP, y, "input", x, false);
            NativeCore.check(NativeCore.cnn4j_resize_forward(dims, planes, in, out, taps, index, weight, x.pointer(),
                    y.pointer()), "cnn4j_resize_forward");
        };
    }

    /** Fills dim d's taps (indices into the input dim, weights) from {@code at}; returns the next free slot. */
    private int table(int d, int dims, long in, long out, long[] index, float[] weight, int at) {
        Double scale = scale(d);
        for (long o = 0; o < out; o++) {
            switch (mode) {
                case "nearest", "nearest-exact" -> {
                    index[at] = nearest(o, in, out, scale, mode.equals("nearest-exact"), dims);
                    weight[at++] = 1f;
                }
                case "bicubic" -> {
                    float real = sourceIndex(areaScale(in, out, scale), o, true);
                    float floor = (float) Math.floor(real);
                    float t = real - floor;
                    float[] c = {cubic2(t + 1f), cubic1(t), cubic1(1f - t), cubic2(1f - t + 1f)};
                    for (int k = 0; k < 4; k++) {
                        index[at] = Math.min(Math.max((long) floor - 1 + k, 0), in - 1);
                        weight[at++] = c[k];
                    }
                }
                default -> { // linear, bilinear, trilinear
                    float real = sourceIndex(areaScale(in, out, scale), o, false);
                    long i0 = Math.min((long) Math.floor(real), in - 1);
                    float lambda = Math.min(Math.max(real - i0, 0f), 1f);
                    index[at] = i0;
                    weight[at++] = 1f - lambda;
                    index[at] = i0 + (i0 < in - 1 ? 1 : 0);
                    weight[at++] = lambda;
                }
            }
        }
        return at;
    }

    /** The identity taps of a dim that keeps its size. */
    private static int copy(long out, long[] index, float[] weight, int at) {
        for (long o = 0; o < out; o++) {
            index[at] = o;
            weight[at++] = 1f;
        }
        return at;
    }

    /** compute_scales_value: 1 / scale_factor when given, else in / out, as float. */
    private static float scalesValue(long in, long out, Double scale) {
        return scale != null && scale > 0 ? (float) (1.0 / scale) : (float) in / out;
    }

    /** area_pixel_compute_scale. */
    private float areaScale(long in, long out, Double scale) {
        if (alignCorners) {
            return out > 1 ? (float) (in - 1) / (out - 1) : 0f;
        }
        return scalesValue(in, out, scale);
    }

    /** area_pixel_compute_source_index. */
    private float sourceIndex(float scale, long dst, boolean cubic) {
        if (alignCorners) {
            return scale * dst;
        }
        float src = scale * (dst + 0.5f) - 0.5f;
        return !cubic && src < 0 ? 0f : src;
    }

    /**
     * The source index of nearest / nearest-exact: floor((o [+ 0.5]) * scale). PyTorch's 2-d nearest kernel (not
     * the 1-d and 3-d ones, nor nearest-exact) first takes nearest_idx's shortcuts: a dim that keeps its size is
     * copied and a doubled one halved, whatever the scale_factor.
     */
    private static long nearest(long o, long in, long out, Double scale, boolean exact, int dims) {
        if (!exact && dims == 2 && out == in) {
            return o;
        }
        if (!exact && dims == 2 && out == 2 * in) {
            return o >> 1;
        }
        float s = scalesValue(in, out, scale);
        float src = exact ? (o + 0.5f) * s : o * s;
        return Math.min((long) Math.floor(src), in - 1);
    }

    private static float cubic1(float x) {
        return ((CUBIC_A + 2) * x - (CUBIC_A + 3)) * x * x + 1;
    }

    private static float cubic2(float x) {
        return ((CUBIC_A * x - 5 * CUBIC_A) * x + 8 * CUBIC_A) * x - 4 * CUBIC_A;
    }
}
