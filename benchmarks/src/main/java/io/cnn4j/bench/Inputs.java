package io.cnn4j.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Random;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/** Random benchmark data and the same values as an ONNX Runtime or libtorch tensor. */
final class Inputs {
    private Inputs() {}

    /** Uniform in [-bound, bound). */
    static float[] uniform(Random random, long n, double bound) {
        float[] a = new float[Math.toIntExact(n)];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
        }
        return a;
    }

    static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** An ONNX Runtime tensor over a direct copy of {@code values}, which it reads without copying again. */
    static OnnxTensor ortTensor(OrtEnvironment environment, float[] values, long[] shape) throws OrtException {
        FloatBuffer direct = ByteBuffer.allocateDirect(values.length * Float.BYTES).order(ByteOrder.nativeOrder())
                .asFloatBuffer().put(values);
        return OnnxTensor.createTensor(environment, direct.rewind(), shape);
    }

    /** A float32 libtorch tensor that owns a copy of {@code values}. */
    static org.bytedeco.pytorch.Tensor torchTensor(float[] values, long[] shape) {
        try (FloatPointer p = new FloatPointer(values);
                TensorOptions float32 = new TensorOptions(torch.ScalarType.Float);
                org.bytedeco.pytorch.Tensor view = torch.from_blob(p, shape, float32)) {
            return view.clone();
        }
    }
}
