package io.cnn4j.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import java.nio.FloatBuffer;

/**
 * The check every benchmark fork makes before it measures: cnn4j's and ONNX Runtime's outputs must agree with
 * libtorch's to {@link #TOLERANCE} of the largest output magnitude, so that a wrong computation fails the run
 * instead of being timed.
 */
final class Agreement {
    private Agreement() {}

    /** Outputs must agree within this fraction of the reference output's largest magnitude. */
    static final double TOLERANCE = 1e-4;

    /** Throws IllegalStateException unless {@code actual} matches libtorch's {@code expected}; prints the margin. */
    static void check(String what, String runtime, float[] expected, float[] actual) {
        if (actual.length != expected.length) {
            throw new IllegalStateException(what + ": " + runtime + " returned " + actual.length
                    + " values, libtorch " + expected.length);
        }
        double scale = 0;
        double maxError = 0;
        for (int i = 0; i < expected.length; i++) {
            scale = Math.max(scale, Math.abs(expected[i]));
            maxError = Math.max(maxError, Math.abs(expected[i] - actual[i]));
        }
        if (!(maxError <= TOLERANCE * scale)) {
            throw new IllegalStateException(what + ": " + runtime + " differs from libtorch by " + maxError
                    + ", more than " + TOLERANCE + " x the output scale " + scale);
        }
        System.out.printf("%s: %s agrees with libtorch, max difference %.2e x the output scale %.3g%n", what,
                runtime, maxError / scale, scale);
    }

    static float[] values(org.bytedeco.pytorch.Tensor t) {
        float[] a = new float[Math.toIntExact(t.numel())];
        try (org.bytedeco.pytorch.Tensor c = t.contiguous()) {
            c.data_ptr_float().get(a);
        }
        return a;
    }

    static float[] values(OnnxTensor t) throws OrtException {
        FloatBuffer y = t.getFloatBuffer();
        float[] a = new float[y.remaining()];
        y.get(a);
        return a;
    }
}
