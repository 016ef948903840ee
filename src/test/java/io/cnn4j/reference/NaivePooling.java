package io.cnn4j.reference;

import java.util.Arrays;

/**
 * Plain-Java reference of the pooling family and F.pad, written from PyTorch's definitions with no attempt at speed:
 * every output element visits its window tap by tap in float64, results not rounded to float (the conformance tests'
 * anchor, the same on every CPU). Inputs are flat row-major arrays with a shape [leading..., spatial...]; {@code dims}
 * trailing dims are spatial, the rest are independent planes.
 */
public final class NaivePooling {
    private NaivePooling() {}

    /** Values, indices (max pooling only, else null) and shape of a result. */
    public record Result(double[] values, long[] indices, long[] shape) {}

    /** pooling_output_shape with dilation; may be < 1 (the caller compares validity separately). */
    public static long outputSize(long in, long k, long pad, long stride, long dilation, boolean ceil) {
        long numerator = in + 2 * pad - dilation * (k - 1) - 1 + (ceil ? stride - 1 : 0);
        long out = Math.floorDiv(numerator, stride) + 1;
        if (ceil && (out - 1) * stride >= in + pad) {
            out--;
        }
        return out;
    }

    /** max_pool with indices; -inf padding, NaN wins, first maximum kept; an all-padding window reports -inf. */
    public static Result maxPool(double[] x, long[] shape, int dims, long[] k, long[] s, long[] p, long[] d,
            boolean ceil) {
        Plane g = new Plane(shape, dims);
        long[] out = new long[dims];
        for (int i = 0; i < dims; i++) {
            out[i] = outputSize(g.in[i], k[i], p[i], s[i], d[i], ceil);
        }
        long[] outShape = g.outputShape(out);
        int outPlane = (int) product(out);
        double[] values = new double[g.planes * outPlane];
        long[] indices = new long[values.length];
        for (int plane = 0; plane < g.planes; plane++) {
            for (int o = 0; o < outPlane; o++) {
                long[] pos = unflatten(o, out);
                double best = Double.NEGATIVE_INFINITY;
                // ATen starts from the first tap at or after the input start, even when it lies past the input end.
                long[] first = new long[dims];
                for (int i = 0; i < dims; i++) {
                    long start = pos[i] * s[i] - p[i];
                    first[i] = start < 0 ? start + ceilDiv(-start, d[i]) * d[i] : start;
                }
                long bestIndex = flatten(first, g.in);
                for (long[] tap : taps(k)) {
                    long[] at = new long[dims];
                    boolean inside = true;
                    for (int i = 0; i < dims; i++) {
                        at[i] = pos[i] * s[i] - p[i] + tap[i] * d[i];
                        inside &= at[i] >= 0 && at[i] < g.in[i];
                    }
                    if (!inside) {
                        continue;
                    }
                    long index = flatten(at, g.in);
                    double v = x[(int) (plane * g.inPlane + index)];
                    if (v > best || Double.isNaN(v)) {
                        best = v;
                        bestIndex = index;
                    }
                }
                values[plane * outPlane + o] = best;
                indices[plane * outPlane + o] = bestIndex;
            }
        }
        return new Result(values, indices, outShape);
    }

    /** avg_pool: zero padding; divisor_override, else the window clipped to input+padding or to the input. */
    public static Result avgPool(double[] x, long[] shape, int dims, long[] k, long[] s, long[] p, boolean ceil,
            boolean countIncludePad, Long divisorOverride) {
        return windowMean(x, shape, dims, k, s, p, ceil, countIncludePad, divisorOverride, 1, false);
    }

    /** lp_pool as PyTorch composes it: (avg_pool(x^p) * kernel volume)^(1/p), sign(0) taken as +0. */
    public static Result lpPool(double[] x, long[] shape, int dims, double normType, long[] k, long[] s,
            boolean ceil) {
        return windowMean(x, shape, dims, k, s, new long[dims], ceil, true, null, normType, true);
    }

    private static Result windowMean(double[] x, long[] shape, int dims, long[] k, long[] s, long[] p, boolean ceil,
            boolean countIncludePad, Long divisorOverride, double power, boolean lp) {
        Plane g = new Plane(shape, dims);
        long[] out = new long[dims];
        for (int i = 0; i < dims; i++) {
            out[i] = outputSize(g.in[i], k[i], p[i], s[i], 1, ceil);
        }
        int outPlane = (int) product(out);
        double[] values = new double[g.planes * outPlane];
        for (int plane = 0; plane < g.planes; plane++) {
            for (int o = 0; o < outPlane; o++) {
                long[] pos = unflatten(o, out);
                long withPad = 1;
                long inside = 1;
                for (int i = 0; i < dims; i++) {
                    long start = pos[i] * s[i] - p[i];
                    long end = Math.min(start + k[i], g.in[i] + p[i]);
                    withPad *= end - start;
                    inside *= Math.max(0, Math.min(end, g.in[i]) - Math.max(start, 0));
                }
                double sum = 0;
                for (long[] tap : taps(k)) {
                    long[] at = new long[dims];
                    boolean in = true;
                    for (int i = 0; i < dims; i++) {
                        at[i] = pos[i] * s[i] - p[i] + tap[i];
                        in &= at[i] >= 0 && at[i] < g.in[i];
                    }
                    if (in) {
                        double v = x[(int) (plane * g.inPlane + flatten(at, g.in))];
                        sum += lp ? Math.pow(v, power) : v;
                    }
                }
                double result;
                if (inside == 0) {
                    result = 0;
                } else if (divisorOverride != null) {
                    result = sum / divisorOverride;
                } else {
                    result = sum / (countIncludePad ? withPad : inside);
                }
                if (lp) {
                    result = result == 0 ? 0 : result; // sign(-0) * relu(0) = +0
                    result = Math.pow(result * product(k), 1.0 / power);
                }
                values[plane * outPlane + o] = result;
            }
        }
        return new Result(values, null, g.outputShape(out));
    }

    /** adaptive_avg_pool / adaptive_max_pool (indices for max); bin i = [floor(i*In/Out), ceil((i+1)*In/Out)). */
    public static Result adaptive(double[] x, long[] shape, int dims, long[] out, boolean max) {
        Plane g = new Plane(shape, dims);
        int outPlane = (int) product(out);
        double[] values = new double[g.planes * outPlane];
        long[] indices = max ? new long[values.length] : null;
        for (int plane = 0; plane < g.planes; plane++) {
            for (int o = 0; o < outPlane; o++) {
                long[] pos = unflatten(o, out);
                long[] start = new long[dims];
                long[] size = new long[dims];
                for (int i = 0; i < dims; i++) {
                    start[i] = Math.floorDiv(pos[i] * g.in[i], out[i]);
                    long end = -Math.floorDiv(-(pos[i] + 1) * g.in[i], out[i]);
                    size[i] = end - start[i];
                }
                double sum = 0;
                double best = Double.NEGATIVE_INFINITY;
                long bestIndex = flatten(start, g.in);
                for (long[] tap : taps(size)) {
                    long[] at = new long[dims];
                    for (int i = 0; i < dims; i++) {
                        at[i] = start[i] + tap[i];
                    }
                    long index = flatten(at, g.in);
                    double v = x[(int) (plane * g.inPlane + index)];
                    sum += v;
                    if (v > best || Double.isNaN(v)) {
                        best = v;
                        bestIndex = index;
                    }
                }
                values[plane * outPlane + o] = max ? best : sum / product(size);
                if (max) {
                    indices[plane * outPlane + o] = bestIndex;
                }
            }
        }
        return new Result(values, indices, g.outputShape(out));
    }

    /**
     * F.pad for a valid configuration: pad lists (left, right) from the last dim. Negative padding crops first;
     * the positive padding then fills from the cropped input: constant value, mirror, edge, or wrap. The constant
     * is the float32 value PyTorch converts it to for a float32 tensor.
     */
    public static Result pad(double[] x, long[] shape, int[] pad, String mode, double value) {
        int dims = pad.length / 2;
        Plane g = new Plane(shape, dims);
        long[] before = new long[dims];
        long[] after = new long[dims];
        long[] out = new long[dims];
        for (int i = 0; i < dims; i++) {
            before[i] = pad[2 * (dims - 1 - i)];
            after[i] = pad[2 * (dims - 1 - i) + 1];
            out[i] = g.in[i] + before[i] + after[i];
        }
        int outPlane = (int) product(out);
        double[] values = new double[g.planes * outPlane];
        for (int plane = 0; plane < g.planes; plane++) {
            for (int o = 0; o < outPlane; o++) {
                long[] pos = unflatten(o, out);
                long[] src = new long[dims];
                boolean fill = false;
                for (int i = 0; i < dims; i++) {
                    src[i] = source(mode, pos[i], before[i], after[i], g.in[i]);
                    fill |= src[i] < 0;
                }
                values[plane * outPlane + o] = fill ? (double) (float) value
                        : x[(int) (plane * g.inPlane + flatten(src, g.in))];
            }
        }
        return new Result(values, null, g.outputShape(out));
    }

    private static long source(String mode, long o, long before, long after, long size) {
        // Crop: the kept input is [cropBefore, size - cropAfter); it starts at output position max(before, 0).
        long cropBefore = Math.max(-before, 0);
        long kept = size - cropBefore - Math.max(-after, 0);
        long j = o - Math.max(before, 0); // position relative to the kept input
        long i = j + cropBefore; // position in the whole input
        if (j >= 0 && j < kept) {
            return i;
        }
        switch (mode) {
            case "constant":
                return -1;
            case "replicate":
                return Math.min(Math.max(i, 0), size - 1);
            case "circular":
                return cropBefore + Math.floorMod(j, kept);
            case "reflect": {
                // Mirror about the whole input's edges (reflection reads outside the kept part, as PyTorch does).
                long period = 2 * (size - 1);
                long m = period == 0 ? 0 : Math.floorMod(i, period);
                return m < size ? m : period - m;
            }
            default:
                throw new IllegalArgumentException(mode);
        }
    }

    /** The planes and spatial sizes of a shape whose last {@code dims} dims are spatial. */
    private static final class Plane {
        final long[] shape;
        final long[] in;
        final int planes;
        final long inPlane;

        Plane(long[] shape, int dims) {
            this.shape = shape;
            this.in = Arrays.copyOfRange(shape, shape.length - dims, shape.length);
            this.planes = (int) product(Arrays.copyOfRange(shape, 0, shape.length - dims));
            this.inPlane = product(in);
        }

        long[] outputShape(long[] out) {
            long[] s = shape.clone();
            System.arraycopy(out, 0, s, s.length - out.length, out.length);
            return s;
        }
    }

    private static long product(long[] a) {
        long p = 1;
        for (long v : a) {
            p *= v;
        }
        return p;
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }

    private static long[] unflatten(long flat, long[] sizes) {
        long[] pos = new long[sizes.length];
        for (int i = sizes.length - 1; i >= 0; i--) {
            pos[i] = flat % sizes[i];
            flat /= sizes[i];
        }
        return pos;
    }

    private static long flatten(long[] pos, long[] sizes) {
        long flat = 0;
        for (int i = 0; i < sizes.length; i++) {
            flat = flat * sizes[i] + pos[i];
        }
        return flat;
    }

    /** Every tap offset of a window of the given extent, in row-major order. */
    private static long[][] taps(long[] extent) {
        int n = (int) product(extent);
        long[][] all = new long[n][];
        for (int t = 0; t < n; t++) {
            all[t] = unflatten(t, extent);
        }
        return all;
    }
}
