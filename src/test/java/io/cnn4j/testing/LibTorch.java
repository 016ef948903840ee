package io.cnn4j.testing;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * The test oracle: real libtorch (bytedeco's PyTorch preset), with conversions from and to Java arrays.
 * Call the ops through {@link torch} directly, e.g. {@code torch.conv2d(x, w, LibTorch.optional(b), ...)}.
 */
public final class LibTorch {
    private LibTorch() {}

    static {
        torch.set_num_threads(1); // keep the oracle deterministic and out of cnn4j's way on a small machine
    }

    /** A libtorch float32 tensor with its own copy of {@code data}. */
    public static Tensor tensor(float[] data, long... shape) {
        try (FloatPointer p = new FloatPointer(data)) {
            return torch.from_blob(p, shape, new TensorOptions(torch.ScalarType.Float)).clone();
        }
    }

    /** The float32 contents of a libtorch tensor, in row-major order. */
    public static float[] floats(Tensor t) {
        Tensor c = t.contiguous();
        float[] out = new float[(int) c.numel()];
        c.data_ptr_float().get(out);
        return out;
    }

    /** The int64 contents of a libtorch tensor (e.g. pooling indices), in row-major order. */
    public static long[] longs(Tensor t) {
        Tensor c = t.contiguous();
        long[] out = new long[(int) c.numel()];
        LongPointer p = c.data_ptr_long();
        p.get(out);
        return out;
    }

    public static long[] shape(Tensor t) {
        return t.sizes().vec().get();
    }

    /** An optional tensor argument (bias): null becomes "none". */
    public static TensorOptional optional(Tensor t) {
        return t == null ? new TensorOptional() : new TensorOptional(t);
    }
}
