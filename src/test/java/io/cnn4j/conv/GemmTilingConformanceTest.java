package io.cnn4j.conv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.cnn4j.Cnn4j;
import io.cnn4j.Functional;
import io.cnn4j.Tensor;
import io.cnn4j.ops.ConvOptions;
import io.cnn4j.reference.NaiveConv;
import io.cnn4j.testing.Isas;
import io.cnn4j.testing.Oracle;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * cnn4j's GEMM (native/kernels/gemm, driven by native/ops/gemm.cpp) at the edges of its tiling, through the
 * convolutions that run on it: output channels around the 8-row panels (1, 7, 8, 9, 17, 64), depths K around the
 * 256-row depth blocks (1x1 with 255..513 input channels, 3x3 with 29 and 57), output positions around every
 * variant's tile widths (12, 16, 24, 48), the narrow product of a last 1-4 columns and the im2col column blocks, the
 * direct path's blocks of padded rows (stride-1 convolutions, ops/conv.cpp; unpadded ones read in place), groups,
 * batches (few column blocks: the driver then splits output channels across threads), 9 to 16 output channels of a
 * direct convolution in the vector lanes (lanes_indirect, AVX-512; the other ISAs run panels), up to 6 output
 * channels two output rows per tile (pair_indirect, AVX-512). Each against the float64
 * reference within {@link Oracle#RTOL}, and bit for bit the same on every ISA and with 1 or 2 threads (every output is
 * one k-ordered sum of fused multiply-adds, however the work is cut).
 */
class GemmTilingConformanceTest {
    /** in channels, out channels, groups, kernel, stride, padding, height, width, batch. */
    record Shape(long in, long out, long groups, long kernel, long stride, long padding, long h, long w, long batch) {
        @Override
        public String toString() {
            return "conv2d in=" + in + " out=" + out + " groups=" + groups + " k=" + kernel + " s=" + stride + " p="
                    + padding + " map=" + h + "x" + w + " batch=" + batch;
        }
    }

    private static final List<Shape> SHAPES = List.of(
            new Shape(3, 1, 1, 3, 1, 1, 5, 7, 1),
            new Shape(5, 7, 1, 1, 1, 0, 4, 4, 2),
            new Shape(4, 8, 1, 3, 1, 0, 6, 8, 1),      // 24 positions
            new Shape(6, 9, 1, 1, 1, 0, 7, 7, 3),      // 49 positions, 3 images
            new Shape(2, 17, 1, 3, 2, 1, 23, 21, 1),
            new Shape(255, 16, 1, 1, 1, 0, 4, 12, 1),  // K = 255, 48 positions
            new Shape(256, 12, 1, 1, 1, 0, 1, 47, 1),  // K = 256: one depth block exactly
            new Shape(257, 13, 1, 1, 1, 0, 1, 16, 2),  // K = 257: a second block of depth 1
            new Shape(513, 9, 1, 1, 1, 0, 3, 5, 1),    // three depth blocks
            new Shape(29, 64, 1, 3, 1, 1, 16, 17, 1),  // K = 261, 272 positions: two column blocks
            new Shape(57, 10, 1, 3, 1, 1, 9, 9, 2),    // K = 513
            new Shape(16, 24, 2, 3, 1, 1, 15, 15, 1),  // groups of 12 output channels
            new Shape(300, 21, 3, 1, 1, 0, 6, 6, 1),   // groups with K = 100
            new Shape(64, 64, 1, 3, 1, 1, 7, 7, 1),    // a late ResNet layer: one column block, rows split
            new Shape(20, 37, 1, 1, 1, 0, 5, 10, 1),   // 50 = 48 + 2 (and 24 + 24 + 2): the narrow product
            new Shape(20, 37, 1, 3, 1, 1, 3, 17, 1),   // 51: 3 narrow columns, 5 panels (4 + 1, 5 rows in the last)
            new Shape(300, 37, 1, 1, 1, 0, 4, 13, 1),  // 52: 4 narrow columns over two depth blocks
            new Shape(40, 8, 1, 3, 1, 1, 40, 40, 2),   // direct path: 1678 wide positions in 4 blocks, 2 images
            new Shape(12, 20, 1, 5, 1, 2, 13, 11, 1),  // direct path: rows padded on both sides, 5 x 5 taps
            new Shape(6, 16, 1, 5, 1, 0, 12, 12, 3),   // LeNet's second convolution, 3 images (channels in the lanes)
            new Shape(1, 6, 1, 5, 1, 2, 28, 28, 2),    // LeNet's first: two 28-wide output rows per tile (pairs)
            new Shape(2, 5, 1, 3, 2, 1, 61, 57, 1),    // pairs at stride 2, 29-wide rows, 31 of them (one left over)
            new Shape(16, 8, 1, 3, 2, 1, 19, 23, 2),   // direct path at stride 2: four phase planes, odd sizes
            new Shape(3, 4, 1, 7, 2, 3, 30, 28, 1),    // ResNet's first convolution's form (direct, stride 2)
            new Shape(3, 16, 1, 3, 2, 1, 70, 67, 1),   // direct into the output row by row (shallow, 34-wide rows)
            new Shape(8, 8, 1, 3, 1, 1, 5, 200, 2),    // ... and for long rows (200), over several row blocks
            new Shape(40, 8, 1, 3, 1, 0, 40, 40, 2),   // unpadded, stride 1: the input read in place, 4 blocks
            new Shape(3, 16, 1, 3, 1, 0, 30, 30, 2));  // ... and in place row by row (shallow, 28-wide rows)

    @Test
    void tilingEdgesMatchTheReferenceOnEveryIsaAndThreadCount() {
        int threadsBefore = Cnn4j.getNumThreads();
        Map<String, float[]> first = new HashMap<>();
        try {
            for (int threads : new int[] {1, 2}) {
                Cnn4j.setNumThreads(threads);
                Isas.forEach(isa -> {
                    Random r = new Random(17);
                    for (Shape s : SHAPES) {
                        check(s, r, isa + " " + threads + " thread(s) " + s, first);
                    }
                });
            }
        } finally {
            Cnn4j.setNumThreads(threadsBefore);
        }
    }

    private static void check(Shape s, Random r, String context, Map<String, float[]> first) {
        long[] xShape = {s.batch, s.in, s.h, s.w};
        long[] wShape = {s.out, s.in / s.groups, s.kernel, s.kernel};
        float[] x = Oracle.uniform(r, Arrays.stream(xShape).reduce(1, Math::multiplyExact));
        float[] w = Oracle.uniform(r, Arrays.stream(wShape).reduce(1, Math::multiplyExact));
        float[] b = Oracle.uniform(r, s.out);
        long[] pad = {s.padding, s.padding};
        NaiveConv.Result expected = NaiveConv.conv(Oracle.widen(x), xShape, Oracle.widen(w), wShape,
                Oracle.widen(b), new long[] {s.stride, s.stride}, pad, pad, new long[] {1, 1}, s.groups, "zeros");
        ConvOptions options = new ConvOptions().stride((int) s.stride).padding((int) s.padding).groups((int) s.groups);
        try (Tensor tx = Tensor.of(x, xShape); Tensor tw = Tensor.of(w, wShape); Tensor tb = Tensor.of(b, s.out);
                Tensor y = Functional.conv2d(tx, tw, tb, options)) {
            assertArrayEquals(expected.shape(), y.shape(), context);
            float[] actual = y.toFloatArray();
            Oracle.assertClose(context, expected.data(), actual);
            float[] reference = first.putIfAbsent(s.toString(), actual);
            if (reference != null) {
                assertArrayEquals(reference, actual, context + ": not bit-identical to the first ISA / thread count");
            }
        }
    }
}
