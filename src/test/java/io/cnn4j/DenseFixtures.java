package io.cnn4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import io.cnn4j.testing.Oracle;
import io.cnn4j.testing.SecondOpinion;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Random;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Random shapes and values for the dense and element-wise conformance tests, and the "libtorch throws exactly when
 * cnn4j throws" check shared by their invalid-configuration cases.
 */
final class DenseFixtures {
    private DenseFixtures() {}

    /** Values a kernel must get right beyond the uniform range: NaN, infinities, signed zeros, clamp edges. */
    static final float[] SPECIALS = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 3f, -3f,
        6f, -6f, 1e-30f, -1e-30f};

    /** Large magnitudes: exp overflows beyond ~88.7 in float, x^3 beyond ~7e12. */
    static final float[] LARGE = {88.7f, -88.7f, 89f, -89f, 100f, -100f, 1e4f, -1e4f, 1e13f, -1e13f, 1e30f, -1e30f,
        Float.MAX_VALUE, -Float.MAX_VALUE};

    /** A shape of {@code rank} dims, each in [1, maxSize]. */
    static long[] shape(Random r, int rank, int maxSize) {
        long[] s = new long[rank];
        for (int i = 0; i < rank; i++) {
            s[i] = Oracle.between(r, 1, maxSize);
        }
        return s;
    }

    /**
     * n values for an element-wise test: uniform in [-scale, scale) with one of several scales, and in some cases
     * special and large values sprinkled in (large ones only with the largest scale, so that the tolerance, relative
     * to the output's largest finite value, stays meaningful for the others).
     */
    static float[] values(Random r, long n) {
        double[] scales = {1, 4, 30, 1e4, 1e30};
        double scale = scales[r.nextInt(scales.length)];
        float[] x = Oracle.uniform(r, n);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (x[i] * scale);
        }
        if (r.nextInt(3) == 0) {
            sprinkle(r, x, SPECIALS);
        }
        if (scale >= 1e4 && r.nextBoolean()) {
            sprinkle(r, x, LARGE);
        }
        return x;
    }

    private static void sprinkle(Random r, float[] x, float[] from) {
        int count = 1 + r.nextInt(Math.max(1, x.length / 4));
        for (int k = 0; k < count; k++) {
            x[r.nextInt(x.length)] = from[r.nextInt(from.length)];
        }
    }

    /** libtorch's float32 result, or null when libtorch refuses the arguments. */
    static float[] torchOrNull(Supplier<org.bytedeco.pytorch.Tensor> call) {
        try {
            return io.cnn4j.testing.LibTorch.floats(call.get());
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * The invalid-configuration contract: cnn4j throws IllegalArgumentException exactly when libtorch throws
     * ({@code libtorch == null}: argument validation is the same on every CPU), and otherwise produces the float64
     * reference's numbers (asked for only then); libtorch's numbers are the ledger's second opinion.
     */
    static void assertSameVerdict(SecondOpinion ledger, String context, float[] libtorch,
            Supplier<double[]> reference, Supplier<float[]> cnn4j) {
        if (libtorch == null) {
            assertThrows(IllegalArgumentException.class, cnn4j::get, context + ": libtorch throws, cnn4j must too");
            return;
        }
        float[] actual;
        try {
            actual = cnn4j.get();
        } catch (IllegalArgumentException e) {
            fail(context + ": libtorch accepts, cnn4j throws: " + e.getMessage(), e);
            return;
        }
        double[] expected = reference.get();
        Oracle.assertClose(context + ": cnn4j vs float64 reference", expected, actual);
        ledger.check(context, expected, libtorch);
    }

    /** The shape of a cnn4j result as a check that it matches libtorch's. */
    static void assertShape(String context, long[] expected, Tensor actual) {
        assertArrayEquals(expected, actual.shape(), context + ": shape " + Arrays.toString(actual.shape())
                + " != libtorch's " + Arrays.toString(expected));
    }

    /** A direct buffer for {@link #window}s that overlap (the aliasing checks); keep it reachable while used. */
    static FloatBuffer sharedBuffer(int floats) {
        return ByteBuffer.allocateDirect(floats * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /** A tensor of {@code shape} over {@code shared} from float {@code offset} on, sharing its memory. */
    static Tensor window(FloatBuffer shared, int offset, long... shape) {
        FloatBuffer b = shared.duplicate();
        b.position(offset).limit(offset + Math.toIntExact(Shapes.numel(shape)));
        return Tensor.wrap(b, shape);
    }

    /**
     * Runs an op whose output has its input's shape on x: mode 0 through its functional form, 1 into a fresh output
     * of {@code outputShape}, 2 in place.
     */
    static float[] runSameShape(float[] x, long[] shape, int mode, UnaryOperator<Tensor> functional,
            UnaryOperator<long[]> outputShape, BiConsumer<Tensor, Tensor> run) {
        try (Tensor input = Tensor.of(x, shape)) {
            if (mode == 0) {
                try (Tensor y = functional.apply(input)) {
                    return y.toFloatArray();
                }
            }
            try (Tensor y = mode == 1 ? Tensor.empty(outputShape.apply(shape)) : null) {
                Tensor out = mode == 1 ? y : input;
                run.accept(input, out);
                return out.toFloatArray();
            }
        }
    }
}
