package io.cnn4j.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Random;

/**
 * Comparison and random-input helpers for conformance tests. The anchor of every comparison is a float64 reference
 * (the plain-Java naive references in {@code io.cnn4j.reference}); cnn4j's float32 result must be close to it, and
 * libtorch's float32 result is only a second opinion ({@link SecondOpinion}), as libtorch's kernels are not right
 * on every CPU (e.g. dilated conv_transpose2d on AVX-512).
 *
 * <p>Tolerance: errors are measured relative to the output's scale, {@code max|a - e| <= rtol * max(max|e|, 1e-6)}.
 * Per-element relative error is meaningless where a sum cancels to near zero, and the scale is what a user
 * compares. NaN must match NaN and infinities must match exactly. A float64 reference beyond float's range stands for
 * the infinity that float32 rounds it to (the correctly rounded float32 answer), e.g. log_softmax's -6e38.
 */
public final class Oracle {
    private Oracle() {}

    /** The default tolerance for fp32 direct (im2col + GEMM, naive) paths. */
    public static final double RTOL = 1e-5;

    /**
     * cnn4j's float32 result against a float64 reference: fails unless every element obeys the rule above. The
     * reference is double and not rounded to float, so it is the same on every CPU (Java's double arithmetic is
     * exactly specified).
     */
    public static void assertClose(String context, double[] expected, float[] actual, double rtol) {
        if (expected.length != actual.length) {
            fail(context + ": length " + actual.length + " != expected " + expected.length);
        }
        int i = firstMismatch(expected, actual, rtol);
        if (i >= 0) {
            fail(context + ": element " + i + " is " + actual[i] + ", expected " + expected[i] + " (scale "
                    + scale(expected) + ", rtol " + rtol + ")" + (expected.length <= 64 ? "\n expected "
                    + Arrays.toString(expected) + "\n actual   " + Arrays.toString(actual) : ""));
        }
    }

    public static void assertClose(String context, double[] expected, float[] actual) {
        assertClose(context, expected, actual, RTOL);
    }

    /** Two float32 results (e.g. one run against another): the same rule, the first taken as exact. */
    public static void assertClose(String context, float[] expected, float[] actual, double rtol) {
        assertClose(context, widen(expected), actual, rtol);
    }

    public static void assertClose(String context, float[] expected, float[] actual) {
        assertClose(context, expected, actual, RTOL);
    }

    /** The index of the first element of {@code actual} that breaks the rule, or -1 (lengths must be equal). */
    public static int firstMismatch(double[] expected, float[] actual, double rtol) {
        double scale = scale(expected);
        for (int i = 0; i < expected.length; i++) {
            double e = inFloatRange(expected[i]);
            float a = actual[i];
            boolean ok;
            if (Double.isNaN(e)) {
                ok = Float.isNaN(a);
            } else if (Double.isInfinite(e)) {
                ok = e == a;
            } else {
                ok = Math.abs(a - e) <= rtol * scale;
            }
            if (!ok) {
                return i;
            }
        }
        return -1;
    }

    /** The scale errors are measured against: the largest finite |e|, at least 1e-6. */
    public static double scale(double[] expected) {
        double scale = 1e-6;
        for (double value : expected) {
            double e = inFloatRange(value);
            if (Double.isFinite(e)) {
                scale = Math.max(scale, Math.abs(e));
            }
        }
        return scale;
    }

    /** A value beyond float's range becomes the float32 infinity it rounds to; any other value stays as it is. */
    private static double inFloatRange(double e) {
        return Float.isInfinite((float) e) ? (float) e : e;
    }

    /** float32 values as the doubles they are exactly; null (an absent bias) stays null. */
    public static double[] widen(float[] values) {
        if (values == null) {
            return null;
        }
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    /** n values uniform in [-1, 1). */
    public static float[] uniform(Random random, long n) {
        float[] out = new float[Math.toIntExact(n)];
        for (int i = 0; i < out.length; i++) {
            out[i] = random.nextFloat() * 2 - 1;
        }
        return out;
    }

    /** An int in [lo, hi]. */
    public static int between(Random random, int lo, int hi) {
        return lo + random.nextInt(hi - lo + 1);
    }

    /**
     * Runs {@code cases} random cases, each with its own seed derived from a base seed (system property
     * {@code cnn4j.seed}, default fixed), so a failure prints the one seed that reproduces it.
     */
    public static void forEachSeed(String name, int cases, SeededCase body) {
        long base = Long.getLong("cnn4j.seed", 20261121L);
        for (int i = 0; i < cases; i++) {
            long seed = mix(base * 1_000_003L + i);
            try {
                body.run(new Random(seed), seed);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError(name + ": case " + i + " failed, seed " + seed
                        + " (rerun: -Dcnn4j.seed=" + base + "): " + e.getMessage(), e);
            }
        }
    }

    /**
     * SplitMix64's finalizer: java.util.Random seeded with consecutive numbers gives nearly the same first draws,
     * which would make every case pick the same option.
     */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    @FunctionalInterface
    public interface SeededCase {
        void run(Random random, long seed) throws AssertionError;
    }
}
