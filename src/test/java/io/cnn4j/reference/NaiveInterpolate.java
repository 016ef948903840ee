package io.cnn4j.reference;

/**
 * Reference of interpolate (nearest, nearest-exact, linear family, bicubic) written from PyTorch's behaviour: the
 * source coordinate of each output position is computed in float32 as ATen defines it (UpSample.h; the choice of
 * source pixels is part of the semantics), the weighted sums in float64, each output element from scratch as a sum
 * over the taps of every spatial dim (no separable passes, no tables).
 */
public final class NaiveInterpolate {
    private NaiveInterpolate() {}

    /**
     * x of shape [N, C, spatial...] to the output spatial size {@code out}; {@code scales} the scale_factor per dim
     * handed to the kernel or null (in / out).
     */
    public static double[] run(double[] x, long[] shape, long[] out, Double[] scales, String mode,
            boolean alignCorners) {
        int dims = shape.length - 2;
        long planes = shape[0] * shape[1];
        long inPlane = 1;
        long outPlane = 1;
        for (int d = 0; d < dims; d++) {
            inPlane *= shape[2 + d];
            outPlane *= out[d];
        }
        double[] y = new double[(int) (planes * outPlane)];
        long[] o = new long[dims];
        for (long p = 0; p < planes; p++) {
            for (long i = 0; i < outPlane; i++) {
                long rest = i;
                for (int d = dims - 1; d >= 0; d--) {
                    o[d] = rest % out[d];
                    rest /= out[d];
                }
                long[][] idx = new long[dims][];
                double[][] w = new double[dims][];
                for (int d = 0; d < dims; d++) {
                    long in = shape[2 + d];
                    Double s = scales == null ? null : scales[d];
                    taps(mode, alignCorners, in, out[d], s, o[d], d, idx, w);
                }
                y[(int) (p * outPlane + i)] = sum(x, p * inPlane, shape, idx, w, 0, 0);
            }
        }
        return y;
    }

    private static double sum(double[] x, long base, long[] shape, long[][] idx, double[][] w, int d, long offset) {
        int dims = idx.length;
        if (d == dims) {
            return x[(int) (base + offset)];
        }
        double total = 0;
        for (int k = 0; k < idx[d].length; k++) {
            total += w[d][k] * sum(x, base, shape, idx, w, d + 1, offset * shape[2 + d] + idx[d][k]);
        }
        return total;
    }

    private static void taps(String mode, boolean alignCorners, long in, long out, Double scale, long o, int d,
            long[][] idx, double[][] w) {
        float scalesValue = scale != null ? (float) (1.0 / scale) : (float) in / out;
        switch (mode) {
            case "nearest" -> {
                // PyTorch's 2-d nearest kernel copies a dim of the same size and halves a doubled one, whatever
                // the scale; its 1-d and 3-d kernels always use the scale.
                boolean shortcut = idx.length == 2 && (out == in || out == 2 * in);
                long src = shortcut ? (out == in ? o : o / 2) : Math.min((long) Math.floor(o * scalesValue), in - 1);
                idx[d] = new long[] {src};
                w[d] = new double[] {1};
            }
            case "nearest-exact" -> {
                idx[d] = new long[] {Math.min((long) Math.floor((o + 0.5f) * scalesValue), in - 1)};
                w[d] = new double[] {1};
            }
            default -> {
                boolean cubic = mode.equals("bicubic");
                if (!cubic && in == out) { // the linear modes copy a dim that keeps its size, whatever the scale
                    idx[d] = new long[] {o};
                    w[d] = new double[] {1};
                    return;
                }
                float areaScale = alignCorners ? (out > 1 ? (float) (in - 1) / (out - 1) : 0f) : scalesValue;
                float real = alignCorners ? areaScale * o : areaScale * (o + 0.5f) - 0.5f;
                if (!alignCorners && !cubic && real < 0) {
                    real = 0;
                }
                if (cubic) {
                    long floor = (long) Math.floor(real);
                    double t = real - (float) floor;
                    double a = -0.75;
                    double[] c = {cc2(t + 1, a), cc1(t, a), cc1(1 - t, a), cc2(2 - t, a)};
                    idx[d] = new long[4];
                    for (int k = 0; k < 4; k++) {
                        idx[d][k] = Math.min(Math.max(floor - 1 + k, 0), in - 1);
                    }
                    w[d] = c;
                } else {
                    long i0 = Math.min((long) Math.floor(real), in - 1);
                    double lambda = Math.min(Math.max(real - i0, 0), 1);
                    idx[d] = new long[] {i0, Math.min(i0 + 1, in - 1)};
                    w[d] = new double[] {1 - lambda, lambda};
                }
            }
        }
    }

    private static double cc1(double x, double a) {
        return ((a + 2) * x - (a + 3)) * x * x + 1;
    }

    private static double cc2(double x, double a) {
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
    }
}
