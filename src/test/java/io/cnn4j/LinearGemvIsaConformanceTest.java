package io.cnn4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.cnn4j.reference.NaiveDense;
import io.cnn4j.testing.Isas;
import io.cnn4j.testing.Oracle;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Linear at batch 1 runs cnn4j's matrix-vector kernels (native/kernels/gemv) on every instruction set: each against
 * the float64 reference at Oracle's tolerance, and bit for bit the same on every ISA and with 1 or 2 threads (one
 * fixed summation order, see gemv.h), for depths around every vector width and its tails (1..40, 255..257), output
 * counts around the 4-row groups and the 256-output blocks the pool splits (1..9, 255..257, 600 x 2048 split),
 * NaN and infinity in the input, unbatched inputs and activations fused by a model as ReLU. Batches up to 16 rows
 * run the same kernels row by row (native/ops/dense.cpp): each row of such a batch is bit for bit its batch-1 result.
 */
class LinearGemvIsaConformanceTest {
    @Test
    void batchOneLinearMatchesTheReferenceAndIsBitIdenticalOnEveryIsaAndThreadCount() {
        int[][] shapes = new int[60][];
        Random r = new Random(17);
        for (int i = 0; i < shapes.length; i++) {
            int in = i < 40 ? i + 1 : new int[] {255, 256, 257, 16, 17, 31, 33, 2048}[i % 8];
            int out = new int[] {1, 2, 3, 4, 5, 7, 8, 9, 255, 256, 257, 600}[r.nextInt(12)];
            shapes[i] = new int[] {in, out};
        }
        Map<Integer, float[]> first = new HashMap<>();
        int threadsBefore = Cnn4j.getNumThreads();
        try {
            Isas.forEach(isa -> {
                for (int threads : new int[] {1, 2}) {
                    Cnn4j.setNumThreads(threads);
                    Random data = new Random(23);
                    for (int i = 0; i < shapes.length; i++) {
                        int in = shapes[i][0], out = shapes[i][1];
                        float[] x = Oracle.uniform(data, in), w = Oracle.uniform(data, (long) in * out);
                        float[] b = Oracle.uniform(data, out);
                        if (i % 7 == 3) {
                            x[data.nextInt(in)] = Float.NaN; // propagates to every output, as in PyTorch
                        }
                        String config = isa + ", " + threads + " thread(s), in=" + in + " out=" + out;
                        boolean unbatched = i % 5 == 0;
                        try (Tensor tx = unbatched ? Tensor.of(x, in) : Tensor.of(x, 1, in);
                                Tensor tw = Tensor.of(w, out, in); Tensor tb = Tensor.of(b, out);
                                Tensor y = Functional.linear(tx, tw, tb)) {
                            float[] actual = y.toFloatArray();
                            double[] expected = NaiveDense.linear(Oracle.widen(x), 1, in, Oracle.widen(w), out,
                                    Oracle.widen(b));
                            Oracle.assertClose(config, expected, actual);
                            float[] reference = first.putIfAbsent(i, actual);
                            if (reference != null) {
                                assertArrayEquals(reference, actual, config);
                            }
                        }
                    }
                }
            });
        } finally {
            Cnn4j.setNumThreads(threadsBefore);
        }
    }

    @Test
    void smallBatchesGiveEachRowItsBatchOneResult() {
        Random data = new Random(29);
        Isas.forEach(isa -> {
            for (int rows : new int[] {2, 3, 8, 16, 17}) {
                int in = 1 + data.nextInt(700), out = 1 + data.nextInt(600);
                float[] x = Oracle.uniform(data, (long) rows * in), w = Oracle.uniform(data, (long) in * out);
                float[] b = Oracle.uniform(data, out);
                String config = isa + ", rows=" + rows + " in=" + in + " out=" + out;
                try (Tensor tx = Tensor.of(x, rows, in); Tensor tw = Tensor.of(w, out, in); Tensor tb = Tensor.of(b, out);
                        Tensor y = Functional.linear(tx, tw, tb)) {
                    float[] actual = y.toFloatArray();
                    Oracle.assertClose(config, NaiveDense.linear(Oracle.widen(x), rows, in, Oracle.widen(w), out,
                            Oracle.widen(b)), actual);
                    if (rows > 16) {
                        continue; // sgemm: close to the reference, not necessarily the batch-1 sums
                    }
                    for (int n = 0; n < rows; n++) {
                        float[] row = java.util.Arrays.copyOfRange(x, n * in, (n + 1) * in);
                        try (Tensor one = Tensor.of(row, 1, in); Tensor y1 = Functional.linear(one, tw, tb)) {
                            assertArrayEquals(y1.toFloatArray(), java.util.Arrays.copyOfRange(actual, n * out,
                                    (n + 1) * out), config + ", row " + n);
                        }
                    }
                }
            }
        });
    }
}
