package io.cnn4j.onnx;

import java.util.Arrays;

/**
 * One float32 weight tensor of a converted model, keyed in {@link OnnxImport.Converted#weights()} by its
 * {@code state_dict()} name ({@code conv1.weight}, {@code bn1.running_var}). Row-major; {@code data.length} is the
 * product of {@code shape} (1 for a scalar).
 */
public record OnnxTensorData(long[] shape, float[] data) {
    public OnnxTensorData {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        if (n != data.length) {
            throw new IllegalArgumentException("tensor of shape " + Arrays.toString(shape) + " needs " + n
                    + " values, got " + data.length);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OnnxTensorData t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "OnnxTensorData" + Arrays.toString(shape);
    }
}
