package io.cnn4j.reference;

/**
 * Plain-Java references for the dense and element-wise family (linear, batch norm, activations, softmax, add,
 * cat, flatten / unflatten), written from PyTorch's definitions with nothing shared with cnn4j's code: loops over
 * row-major arrays, arithmetic in double, each activation with the formula of ATen's kernel so NaN and infinities
 * come out as PyTorch's do.
 */
public final class NaiveDense {
    private NaiveDense() {}

    /** x (rows, in) times w (out, in) transposed, plus b (out) or null: (rows, out). */
    public static float[] linear(float[] x, long rows, int in, float[] w, int out, float[] b) {
        float[] y = new float[Math.toIntExact(rows * out)];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < out; o++) {
                double sum = b == null ? 0 : b[o];
                for (int i = 0; i < in; i++) {
                    sum += (double) x[r * in + i] * w[o * in + i];
                }
                y[r * out + o] = (float) sum;
            }
        }
        return y;
    }

    /**
     * Inference batch norm over x (N, C, S); weight/bias nullable. Composed as ATen composes it, y = x * a + b with
     * a = weight / sqrt(var + eps), b = bias - mean * a, which also fixes what var + eps = 0 gives (inf - inf = NaN
     * where (x - mean) / 0 would give inf).
     */
    public static float[] batchNorm(float[] x, int n, int c, int s, float[] mean, float[] var, float[] weight,
            float[] bias, double eps) {
        float[] y = new float[x.length];
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < c; ch++) {
                double scale = (weight == null ? 1 : weight[ch]) / Math.sqrt((double) var[ch] + (float) eps);
                double shift = (bias == null ? 0 : bias[ch]) - mean[ch] * scale;
                for (int i = 0; i < s; i++) {
                    int at = (b * c + ch) * s + i;
                    y[at] = (float) (x[at] * scale + shift);
                }
            }
        }
        return y;
    }

    /**
     * One activation by PyTorch's functional name (relu, relu6, leaky_relu, elu, gelu, gelu_tanh, silu, sigmoid,
     * tanh, hardswish, hardsigmoid); {@code param} is leaky_relu's negative_slope or elu's alpha.
     */
    public static float activation(String name, double param, float input) {
        double x = input;
        double y = switch (name) {
            case "relu" -> x < 0 ? 0 : x; // NaN passes through, as clamp_min does
            case "relu6" -> x < 0 ? 0 : (x > 6 ? 6 : x);
            case "leaky_relu" -> x > 0 ? x : x * (float) param;
            case "elu" -> x <= 0 ? Math.expm1(x) * (float) param : x;
            case "gelu" -> 0.5 * x * (1 + erf(x / Math.sqrt(2)));
            case "gelu_tanh" -> 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
            case "silu" -> x / (1 + Math.exp(-x));
            case "sigmoid" -> 1 / (1 + Math.exp(-x));
            case "tanh" -> Math.tanh(x);
            // the product in float, as ATen's float kernel: it overflows to inf beyond Float.MAX_VALUE / 6
            case "hardswish" -> (float) (x * clampNanPropagating(x + 3, 0, 6)) / 6;
            case "hardsigmoid" -> clampNanPropagating(x + 3, 0, 6) / 6;
            default -> throw new IllegalArgumentException("unknown activation " + name);
        };
        return (float) y;
    }

    private static double clampNanPropagating(double x, double lo, double hi) {
        return Double.isNaN(x) ? x : Math.min(Math.max(x, lo), hi);
    }

    /**
     * erf in double: its Maclaurin series below |x| = 3 (terms fall fast enough, cancellation costs ~3 digits of
     * 16), the asymptotic series of erfc above, where erfc < 2.3e-5 and five terms are accurate to ~1e-9 of it.
     */
    public static double erf(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        double a = Math.abs(x);
        double r;
        if (a < 3) {
            double term = a;
            double sum = a;
            for (int k = 1; k < 200 && Math.abs(term) > 1e-18 * Math.abs(sum); k++) {
                term *= -a * a / k;
                sum += term / (2 * k + 1);
            }
            r = 2 / Math.sqrt(Math.PI) * sum;
        } else {
            double inv = 1 / (2 * a * a);
            double series = 1 - inv + 3 * inv * inv - 15 * inv * inv * inv + 105 * inv * inv * inv * inv;
            r = 1 - Math.exp(-a * a) / (a * Math.sqrt(Math.PI)) * series;
        }
        return x < 0 ? -r : r;
    }

    /** Softmax or log-softmax of x (outer, dim, inner) along the middle dim, the max subtracted first. */
    public static float[] softmax(float[] x, long outer, int dim, long inner, boolean log) {
        float[] y = new float[x.length];
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
                    double v = log ? shifted - Math.log(sum) : Math.exp(shifted) / sum;
                    y[at] = nan ? Float.NaN : (float) v;
                }
            }
        }
        return y;
    }

    /** a + b + ... element by element, left to right in float, as PyTorch's chained adds. */
    public static float[] add(float[]... inputs) {
        float[] y = inputs[0].clone();
        for (int k = 1; k < inputs.length; k++) {
            for (int i = 0; i < y.length; i++) {
                y[i] += inputs[k][i];
            }
        }
        return y;
    }

    /** torch.cat of row-major tensors with the given shapes along a non-negative dim, index by index. */
    public static float[] cat(float[][] inputs, long[][] shapes, int dim) {
        int rank = shapes[0].length;
        long[] outShape = shapes[0].clone();
        for (int k = 1; k < shapes.length; k++) {
            outShape[dim] += shapes[k][dim];
        }
        int total = 0;
        for (float[] in : inputs) {
            total += in.length;
        }
        float[] y = new float[total];
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
