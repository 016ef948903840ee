package io.cnn4j.reference;

import org.apache.commons.math3.special.Erf;

/**
 * Plain-Java references for the dense and element-wise family (linear, batch norm, activations, softmax, add,
 * cat, flatten / unflatten), written from PyTorch's definitions with nothing shared with cnn4j's code: loops over
 * row-major arrays, arithmetic in float64 with results not rounded to float (the conformance tests' anchor, the same
 * on every CPU), each activation with the formula of ATen's kernel so NaN and infinities come out as PyTorch's do.
 */
public final class NaiveDense {
    private NaiveDense() {}

    /** x (rows, in) times w (out, in) transposed, plus b (out) or null: (rows, out). */
    public static double[] linear(double[] x, long rows, int in, double[] w, int out, double[] b) {
        double[] y = new double[Math.toIntExact(rows * out)];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < out; o++) {
                double sum = b == null ? 0 : b[o];
                for (int i = 0; i < in; i++) {
                    sum += x[r * in + i] * w[o * in + i];
                }
                y[r * out + o] = sum;
            }
        }
        return y;
    }

    /**
     * Inference batch norm over x (N, C, S); weight/bias nullable. Composed as ATen composes it, y = x * a + b with
     * a = weight / sqrt(var + eps), b = bias - mean * a, which also fixes what var + eps = 0 gives (inf - inf = NaN
     * where (x - mean) / 0 would give inf).
     */
    public static double[] batchNorm(double[] x, int n, int c, int s, double[] mean, double[] var, double[] weight,
            double[] bias, double eps) {
        double[] y = new double[x.length];
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < c; ch++) {
                double scale = (weight == null ? 1 : weight[ch]) / Math.sqrt(var[ch] + eps);
                double shift = (bias == null ? 0 : bias[ch]) - mean[ch] * scale;
                for (int i = 0; i < s; i++) {
                    int at = (b * c + ch) * s + i;
                    y[at] = x[at] * scale + shift;
                }
            }
        }
        return y;
    }

    /**
     * One activation by PyTorch's functional name (relu, relu6, leaky_relu, elu, gelu, gelu_tanh, silu, sigmoid,
     * tanh, hardswish, hardsigmoid), from the formula in PyTorch's documentation; {@code param} is leaky_relu's
     * negative_slope or elu's alpha (converted to float, as PyTorch converts a scalar for a float32 tensor).
     */
    public static double activation(String name, double param, double x) {
        return switch (name) {
            case "relu" -> x < 0 ? 0 : x; // NaN passes through, as clamp_min does
            case "relu6" -> x < 0 ? 0 : (x > 6 ? 6 : x);
            case "leaky_relu" -> x > 0 ? x : x * (float) param;
            case "elu" -> x <= 0 ? Math.expm1(x) * (float) param : x;
            case "gelu" -> 0.5 * x * (1 + Erf.erf(x / Math.sqrt(2)));
            case "gelu_tanh" -> 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
            case "silu" -> x / (1 + Math.exp(-x));
            case "sigmoid" -> 1 / (1 + Math.exp(-x));
            case "tanh" -> Math.tanh(x);
            case "hardswish" -> overflowingAsFloat(x * clampNanPropagating(x + 3, 0, 6)) / 6;
            case "hardsigmoid" -> clampNanPropagating(x + 3, 0, 6) / 6;
            default -> throw new IllegalArgumentException("unknown activation " + name);
        };
    }

    private static double clampNanPropagating(double x, double lo, double hi) {
        return Double.isNaN(x) ? x : Math.min(Math.max(x, lo), hi);
    }

    /**
     * A product that PyTorch's float32 kernel (x * (x + 3) before the division by 6) stores in a float: beyond
     * float's range it is infinite there, and cnn4j follows it; in range it stays exact.
     */
    private static double overflowingAsFloat(double product) {
        return Float.isInfinite((float) product) ? (float) product : product;
    }

    /** Softmax or log-softmax of x (outer, dim, inner) along the middle dim, the max subtracted first. */
    public static double[] softmax(double[] x, long outer, int dim, long inner, boolean log) {
        double[] y = new double[x.length];
        for (long o = 0; o < outer; o++) {
            for (long i = 0; i < inner; i++) {
                int base = (int) (o * dim * inner + i);
                double max = Double.NEGATIVE_INFINITY;
                boolean nan = false;
                for (int d = 0; d < dim; d++) {
                    double v = x[(int) (base + d * inner)];
                    nan |= Double.isNaN(v);
                    max = Math.max(max, v);
                }
                double sum = 0;
                for (int d = 0; d < dim; d++) {
                    sum += Math.exp(x[(int) (base + d * inner)] - max);
                }
                for (int d = 0; d < dim; d++) {
                    int at = (int) (base + d * inner);
                    double shifted = x[at] - max;
                    y[at] = nan ? Double.NaN : log ? shifted - Math.log(sum) : Math.exp(shifted) / sum;
                }
            }
        }
        return y;
    }

    /**
     * a + b + ... element by element, left to right. With {@code float32Steps} each partial sum is rounded to float,
     * as PyTorch's chained float32 adds are (IEEE float addition is exactly specified, so this is the same on every
     * CPU); without, in float64.
     */
    public static double[] add(boolean float32Steps, double[]... inputs) {
        double[] y = inputs[0].clone();
        for (int k = 1; k < inputs.length; k++) {
            for (int i = 0; i < y.length; i++) {
                y[i] = float32Steps ? (float) y[i] + (float) inputs[k][i] : y[i] + inputs[k][i];
            }
        }
        return y;
    }

    /** torch.cat of row-major tensors with the given shapes along a non-negative dim, index by index. */
    public static double[] cat(double[][] inputs, long[][] shapes, int dim) {
        int rank = shapes[0].length;
        long[] outShape = shapes[0].clone();
        for (int k = 1; k < shapes.length; k++) {
            outShape[dim] += shapes[k][dim];
        }
        int total = 0;
        for (double[] in : inputs) {
            total += in.length;
        }
        double[] y = new double[total];
        long offsetAtDim = 0;
        for (int k = 0; k < inputs.length; k++) {
            long[] idx = new long[rank];
            for (int flat = 0; flat < inputs[k].length; flat++) {
                // unravel flat into idx over shapes[k], then ravel it over outShape with the dim shifted
                long rest = flat;
                for (int d = rank - 1; d >= 0; d--) {
                    idx[d] = rest % shapes[k][d];
                    rest /= shapes[k][d];
                }
                long outFlat = 0;
                for (int d = 0; d < rank; d++) {
                    outFlat = outFlat * outShape[d] + idx[d] + (d == dim ? offsetAtDim : 0);
                }
                y[(int) outFlat] = inputs[k][flat];
            }
            offsetAtDim += shapes[k][dim];
        }
        return y;
    }

    /** torch.flatten's shape for non-negative start <= end. */
    public static long[] flattenShape(long[] shape, int start, int end) {
        java.util.List<Long> out = new java.util.ArrayList<>();
        long merged = 1;
        for (int d = 0; d < shape.length; d++) {
            if (d < start || d > end) {
                out.add(shape[d]);
            } else {
                merged *= shape[d];
                if (d == end) {
                    out.add(merged);
                }
            }
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }
}
