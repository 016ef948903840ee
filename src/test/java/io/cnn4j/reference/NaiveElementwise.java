package io.cnn4j.reference;

/**
 * Float64 reference of the element-wise arithmetic: NumPy broadcasting by index arithmetic, one output element at a
 * time, and the math functions of java.lang.Math (exactly specified, so the same on every CPU).
 */
public final class NaiveElementwise {
    private NaiveElementwise() {}

    /** The broadcast shape of a and b (dims aligned from the right; sizes equal or one of them 1). */
    public static long[] broadcastShape(long[] a, long[] b) {
        int rank = Math.max(a.length, b.length);
        long[] out = new long[rank];
        for (int d = 0; d < rank; d++) {
            long p = dim(a, d, rank);
            long q = dim(b, d, rank);
            if (p != q && p != 1 && q != 1) {
                throw new IllegalArgumentException("shapes do not broadcast");
            }
            out[d] = p == 1 ? q : p;
        }
        return out;
    }

    /**
     * op(a, b) broadcast; op is "add", "sub", "mul", "div", "maximum", "minimum", "pow", or a comparison "gt", "ge",
     * "lt", "le", "eq" (1 true, 0 false).
     */
    public static double[] binary(String op, double[] a, long[] aShape, double[] b, long[] bShape) {
        long[] out = broadcastShape(aShape, bShape);
        int rank = out.length;
        long n = 1;
        for (long s : out) {
            n *= s;
        }
        double[] y = new double[(int) n];
        long[] index = new long[rank];
        for (int i = 0; i < n; i++) {
            long rest = i;
            for (int d = rank - 1; d >= 0; d--) {
                index[d] = rest % out[d];
                rest /= out[d];
            }
            y[i] = apply(op, a[(int) offset(index, aShape, rank)], b[(int) offset(index, bShape, rank)]);
        }
        return y;
    }

    private static double apply(String op, double x, double y) {
        return switch (op) {
            case "add" -> x + y;
            case "sub" -> x - y;
            case "mul" -> x * y;
            case "div" -> x / y;
            case "maximum" -> Double.isNaN(x) || Double.isNaN(y) ? Double.NaN : Math.max(x, y);
            case "minimum" -> Double.isNaN(x) || Double.isNaN(y) ? Double.NaN : Math.min(x, y);
            case "pow" -> Math.pow(x, y);
            case "gt" -> x > y ? 1 : 0;
            case "ge" -> x >= y ? 1 : 0;
            case "lt" -> x < y ? 1 : 0;
            case "le" -> x <= y ? 1 : 0;
            case "eq" -> x == y ? 1 : 0;
            case "fmod" -> x % y; // Java's % on doubles is C's fmod
            case "remainder" -> {
                double mod = x % y;
                yield mod != 0 && (y < 0) != (mod < 0) ? mod + y : mod;
            }
            default -> throw new IllegalArgumentException("unknown op " + op);
        };
    }

    /** torch.where(condition, a, b) broadcast: a's element where condition is nonzero, b's elsewhere. */
    public static double[] where(double[] condition, long[] cShape, double[] a, long[] aShape, double[] b,
            long[] bShape) {
        long[] out = broadcastShape(broadcastShape(cShape, aShape), bShape);
        double[] ones = new double[(int) java.util.Arrays.stream(out).reduce(1, (p, q) -> p * q)];
        java.util.Arrays.fill(ones, 1);
        // each operand stretched to the output's shape (x * 1 is x exactly, NaN and signed zeros included)
        double[] c = binary("mul", condition, cShape, ones, out);
        double[] x = binary("mul", a, aShape, ones, out);
        double[] y = binary("mul", b, bShape, ones, out);
        double[] result = new double[ones.length];
        for (int i = 0; i < result.length; i++) {
            result[i] = c[i] != 0 ? x[i] : y[i];
        }
        return result;
    }

    /** f(x) element by element; f is "neg", "abs", "sqrt", "exp", "log", "floor", "ceil", "round", "sign", "erf". */
    public static double[] unary(String f, double[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = switch (f) {
                case "neg" -> -x[i];
                case "abs" -> Math.abs(x[i]);
                case "sqrt" -> Math.sqrt(x[i]);
                case "exp" -> Math.exp(x[i]);
                case "log" -> Math.log(x[i]);
                case "floor" -> Math.floor(x[i]);
                case "ceil" -> Math.ceil(x[i]);
                case "round" -> Math.rint(x[i]); // halves to even, as torch.round
                case "sign" -> x[i] > 0 ? 1 : x[i] < 0 ? -1 : 0; // NaN: 0, as torch.sign
                case "erf" -> erf(x[i]);
                default -> throw new IllegalArgumentException("unknown function " + f);
            };
        }
        return y;
    }

    /**
     * erf in double precision (Java has none): its Maclaurin series below |x| = 2.5 (terms at most ~500, so about 13
     * digits survive the cancellation), else 1 - erfc by erfc's continued fraction (Lentz-free, evaluated from the
     * back), which converges fast there.
     */
    public static double erf(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        double a = Math.abs(x);
        double r;
        if (a < 2.5) {
            double term = a;
            double sum = a;
            for (int n = 1; n < 200 && Math.abs(term) > 1e-18 * Math.abs(sum); n++) {
                term *= -a * a / n;
                sum += term / (2 * n + 1);
            }
            r = 2 / Math.sqrt(Math.PI) * sum;
        } else if (a < 27) {
            double f = a;
            for (int k = 120; k >= 1; k--) {
                f = a + (k / 2.0) / f;
            }
            r = 1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / f;
        } else {
            r = 1;
        }
        return x < 0 ? -r : r;
    }

    /** The element of an operand of {@code shape} that output index {@code index} (of {@code rank} dims) reads. */
    private static long offset(long[] index, long[] shape, int rank) {
        long offset = 0;
        int shift = rank - shape.length;
        for (int d = 0; d < shape.length; d++) {
            offset = offset * shape[d] + (shape[d] == 1 ? 0 : index[d + shift]);
        }
        return offset;
    }

    private static long dim(long[] s, int d, int rank) {
        int i = d - (rank - s.length);
        return i < 0 ? 1 : s[i];
    }

    /** ATen's SELU constants, in double. */
    private static final double SELU_ALPHA = 1.6732632423543772848170429916717;
    private static final double SELU_SCALE = 1.0507009873554804934193349852946;

    /**
     * The activations of format version 2 on one value, in double, with the float32 arguments PyTorch applies:
     * softplus(p0 = beta, p1 = threshold), mish, selu, celu(p0 = alpha), softsign, logsigmoid, hardtanh(p0 = min,
     * p1 = max), prelu(p0 = weight).
     */
    public static double activation(String f, double p0, double p1, double x) {
        return switch (f) {
            // The branch is taken on the float32 product, as PyTorch does: the two sides differ by up to
            // log1p(exp(-threshold)) / beta at the threshold, so the reference must pick the same side.
            case "softplus" -> (float) (x * p0) > p1 ? x : Math.log1p(Math.exp(x * p0)) / p0;
            case "mish" -> x * Math.tanh(Math.log1p(Math.exp(x)));
            case "selu" -> x <= 0 ? Math.expm1(x) * SELU_ALPHA * SELU_SCALE : x * SELU_SCALE;
            case "celu" -> x <= 0 ? Math.expm1(x / p0) * p0 : x;
            case "softsign" -> x / (Math.abs(x) + 1);
            case "logsigmoid" -> Math.min(x, 0) - Math.log1p(Math.exp(-Math.abs(x)));
            case "hardtanh" -> Double.isNaN(x) ? x : Math.min(Math.max(x, p0), p1);
            case "prelu" -> x > 0 ? x : p0 * x;
            default -> throw new IllegalArgumentException("unknown activation " + f);
        };
    }
}
