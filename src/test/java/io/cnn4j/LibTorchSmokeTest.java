package io.cnn4j;

import io.cnn4j.ops.ConvOptions;
import io.cnn4j.reference.NaiveConv;
import io.cnn4j.testing.LibTorch;
import io.cnn4j.testing.Oracle;
import io.cnn4j.testing.SecondOpinion;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/** libtorch loads and runs; cnn4j's conv2d matches the float64 reference, libtorch's is the second opinion. */
class LibTorchSmokeTest {
    @Test
    void conv2dMatchesReferenceAndLibtorch() {
        java.util.Random r = new java.util.Random(1);
        float[] x = Oracle.uniform(r, 2 * 3 * 9 * 8), w = Oracle.uniform(r, 4 * 3 * 3 * 3), b = Oracle.uniform(r, 4);
        long[] stride = {2, 1}, padding = {1, 2}, dilation = {1, 2};
        double[] reference = NaiveConv.conv(Oracle.widen(x), new long[] {2, 3, 9, 8}, Oracle.widen(w),
                new long[] {4, 3, 3, 3}, Oracle.widen(b), stride, padding, padding, dilation, 1, "zeros").data();
        try (Tensor tx = Tensor.of(x, 2, 3, 9, 8); Tensor tw = Tensor.of(w, 4, 3, 3, 3); Tensor tb = Tensor.of(b, 4);
                Tensor y = Functional.conv2d(tx, tw, tb, new ConvOptions().stride(2, 1).padding(1, 2).dilation(1, 2))) {
            Oracle.assertClose("conv2d", reference, y.toFloatArray());
        }
        SecondOpinion ledger = SecondOpinion.of("libtorch smoke conv2d");
        ledger.check("conv2d", reference, LibTorch.floats(torch.conv2d(LibTorch.tensor(x, 2, 3, 9, 8),
                LibTorch.tensor(w, 4, 3, 3, 3), LibTorch.optional(LibTorch.tensor(b, 4)), stride, padding, dilation,
                1)));
        ledger.report();
    }
}
