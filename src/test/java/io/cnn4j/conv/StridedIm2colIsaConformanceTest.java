package io.cnn4j.conv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cnn4j.Functional;
import io.cnn4j.Tensor;
import io.cnn4j.ops.ConvOptions;
import io.cnn4j.reference.NaiveConv;
import io.cnn4j.testing.Isas;
import io.cnn4j.testing.Oracle;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The im2col row kernels (native/kernels/im2col) under every instruction set this CPU runs: unfold is a copy, so its
 * values must equal the float64 reference exactly, for width strides 1 to 5 (1: the whole-row kernel, masked loads
 * that zero the padding, rows up to 5 vectors wide with padding rows above and below; 2: the permute / de-interleave
 * path, 3 and 4: gathers / vld3 / vld4, 5: scalar) and row lengths around every vector width and its tails. Convolutions
 * (whose column blocks start and end mid-row) must give bit-identical outputs on every ISA, since the columns hold
 * the same values and every GEMM variant (native/kernels/gemm) sums the same fused multiply-adds in the same order.
 */
class StridedIm2colIsaConformanceTest {
    @Test
    void stridedUnfoldsEqualTheReferenceOnEveryIsa() {
        Isas.forEach(isa -> {
            Random r = new Random(2);
            for (int i = 0; i < 300; i++) {
                int strideW = 1 + i % 5, strideH = 1 + r.nextInt(2);
                int kernelW = 1 + r.nextInt(4), kernelH = 1 + r.nextInt(3);
                int dilationW = 1 + r.nextInt(2), padW = r.nextInt(3), padH = r.nextInt(2);
                long width = Math.max((long) dilationW * (kernelW - 1) + 1 - 2L * padW, 1 + r.nextInt(80));
                long height = Math.max(kernelH - 2L * padH, 1 + r.nextInt(5));
                long[] shape = {1 + r.nextInt(2), 1 + r.nextInt(3), height, width};
                float[] x = Oracle.uniform(r, shape[0] * shape[1] * height * width);
                int[] kernel = {kernelH, kernelW}, dilation = {1, dilationW}, padding = {padH, padW},
                        stride = {strideH, strideW};
                String config = isa + " unfold " + java.util.Arrays.toString(shape) + " k=" + kernelH + "x" + kernelW
                        + " d=" + dilationW + " p=" + padH + "," + padW + " s=" + strideH + "," + strideW;
                NaiveConv.Result expected = NaiveConv.unfold(Oracle.widen(x), shape, new long[] {kernelH, kernelW},
                        new long[] {1, dilationW}, new long[] {padH, padW}, new long[] {strideH, strideW});
                try (Tensor tx = Tensor.of(x, shape);
                        Tensor y = Functional.unfold(tx, kernel, dilation, padding, stride)) {
                    assertArrayEquals(expected.shape(), y.shape(), config);
                    float[] actual = y.toFloatArray();
                    assertEquals(expected.data().length, actual.length, config);
                    for (int j = 0; j < actual.length; j++) {
                        assertEquals(expected.data()[j], actual[j], 0.0, config + " at " + j);
                    }
                }
            }
        });
    }

    @Test
    void stridedConvolutionsAreBitIdenticalOnEveryIsa() {
        Map<Integer, float[]> first = new HashMap<>();
        Isas.forEach(isa -> {
            Random r = new Random(3);
            for (int i = 0; i < 40; i++) {
                int stride = 1 + i % 4, kernel = 1 + 2 * r.nextInt(4), pad = r.nextInt(kernel / 2 + 1);
                long size = Math.max(kernel, 10 + r.nextInt(50));
                long[] shape = {1 + r.nextInt(2), 1 + r.nextInt(4), size, size + r.nextInt(7)};
                long out = 1 + r.nextInt(8);
                float[] x = Oracle.uniform(r, shape[0] * shape[1] * shape[2] * shape[3]);
                float[] w = Oracle.uniform(r, out * shape[1] * kernel * kernel);
                try (Tensor tx = Tensor.of(x, shape);
                        Tensor tw = Tensor.of(w, new long[] {out, shape[1], kernel, kernel});
                        Tensor y = Functional.conv2d(tx, tw, null,
                                new ConvOptions().stride(stride).padding(pad))) {
                    float[] actual = y.toFloatArray();
                    float[] reference = first.putIfAbsent(i, actual);
                    if (reference != null) {
                        assertArrayEquals(reference, actual, isa + " conv case " + i + " stride " + stride);
                    }
                }
            }
        });
    }
}
