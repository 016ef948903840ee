package io.cnn4j;

import io.cnn4j.ops.ConvOptions;
import io.cnn4j.testing.LibTorch;
import io.cnn4j.testing.Oracle;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

class LibTorchSmokeTest {
    @Test
    void conv2dMatchesLibtorch() {
        java.util.Random r = new java.util.Random(1);
        float[] x = Oracle.uniform(r, 2 * 3 * 9 * 8), w = Oracle.uniform(r, 4 * 3 * 3 * 3), b = Oracle.uniform(r, 4);
        float[] expected = LibTorch.floats(torch.conv2d(LibTorch.tensor(x, 2, 3, 9, 8), LibTorch.tensor(w, 4, 3, 3, 3),
                LibTorch.optional(LibTorch.tensor(b, 4)), new long[] {2, 1}, new long[] {1, 2}, new long[] {1, 2}, 1));
        try (Tensor tx = Tensor.of(x, 2, 3, 9, 8); Tensor tw = Tensor.of(w, 4, 3, 3, 3); Tensor tb = Tensor.of(b, 4);
                Tensor y = Functional.conv2d(tx, tw, tb, new ConvOptions().stride(2, 1).padding(1, 2).dilation(1, 2))) {
            Oracle.assertClose("conv2d", expected, y.toFloatArray());
        }
    }
}
