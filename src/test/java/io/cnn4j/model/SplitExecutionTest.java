package io.cnn4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cnn4j.Cnn4j;
import io.cnn4j.Tensor;
import io.cnn4j.testing.Oracle;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Batches whose first layers hold large maps run those layers a slice of the batch at a time (SplitExecution): the
 * outputs equal, bit for bit, each sample run alone at batch 1 (every kernel computes a sample the same way at any
 * batch), with one thread and with two and three (the samples then run side by side, a lane per thread; 3 lanes over
 * 5 samples leave one lane a sample fewer), for a classifier's features (the
 * prefix hands a pooled value to Flatten), a fully convolutional model (the prefix's last value is the
 * output) and a model whose prefix stops at a constant operand. Each splits after the last layer with a large output
 * (at least 128 Ki floats a sample: here the 16 x 100 x 90 maps) and goes on to the prefix's end where the layers after
 * hold few weights; a tail with more than SplitExecution.MAX_SLICED_TAIL_PARAMETERS runs on the whole batch.
 */
class SplitExecutionTest {
    private static final int C = 3, H = 100, W = 90, BATCH = 5;

    private static final String CONVS = "{\"type\": \"Conv2d\", \"name\": \"c1\", \"in_channels\": 3, \"out_channels\": 16, "
            + "\"kernel_size\": 3, \"padding\": 1, \"id\": \"c1\"},"
            + "{\"type\": \"ReLU\", \"id\": \"r1\"},"
            + "{\"type\": \"Conv2d\", \"name\": \"c2\", \"in_channels\": 16, \"out_channels\": 16, \"kernel_size\": 3, "
            + "\"padding\": 1, \"id\": \"c2\"},"
            + "{\"type\": \"Add\", \"inputs\": [\"c2\", \"r1\"], \"id\": \"sum\"},"
            + "{\"type\": \"MaxPool2d\", \"kernel_size\": 2, \"id\": \"pool\"},";

    @Test
    void aSplitPrefixHandsItsPooledValueOn() throws Exception {
        // The rest (Flatten) runs on the whole batch: a Linear there would take sgemm at batch 5 and the matrix-vector
        // kernels at batch 1, equal to about 1e-7, not bit for bit.
        String layers = CONVS + "{\"type\": \"AdaptiveAvgPool2d\", \"output_size\": 1, \"id\": \"gap\"},"
                + "{\"type\": \"Flatten\", \"id\": \"flat\"}";
        check("pooled and flattened", 6, layers, weights(new Random(41)));
    }

    @Test
    void aFullyConvolutionalModelHandsItsOutputOn() throws Exception {
        String layers = CONVS + "{\"type\": \"Conv2d\", \"name\": \"c3\", \"in_channels\": 16, \"out_channels\": 4, "
                + "\"kernel_size\": 1, \"id\": \"c3\"}";
        check("fully convolutional", 6, layers, weights(new Random(44)).put("c3.weight",
                Oracle.uniform(new Random(45), 4 * 16), 4, 16, 1, 1).put("c3.bias", Oracle.uniform(new Random(46), 4), 4));
    }

    @Test
    void thePrefixStopsAtAConstantOperand() throws Exception {
        String layers = "{\"type\": \"Conv2d\", \"name\": \"c1\", \"in_channels\": 3, \"out_channels\": 16, "
                + "\"kernel_size\": 3, \"padding\": 1, \"id\": \"c1\"},"
                + "{\"type\": \"ReLU\", \"id\": \"r1\"},"
                + "{\"type\": \"Mul\", \"other\": 0.5, \"id\": \"half\"},"
                + "{\"type\": \"Conv2d\", \"name\": \"c2\", \"in_channels\": 16, \"out_channels\": 16, "
                + "\"kernel_size\": 3, \"padding\": 1, \"id\": \"c2\"}";
        check("constant operand", 2, layers, weights(new Random(47)));
    }

    @Test
    void aTailWithManyWeightsRunsOnTheWholeBatch() throws Exception {
        int wide = (int) (SplitExecution.MAX_SLICED_TAIL_PARAMETERS / 16) + 1024; // 16 x wide weights: over the limit
        String layers = CONVS + "{\"type\": \"AdaptiveAvgPool2d\", \"output_size\": 1, \"id\": \"gap\"},"
                + "{\"type\": \"Conv2d\", \"name\": \"c3\", \"in_channels\": 16, \"out_channels\": " + wide
                + ", \"kernel_size\": 1, \"bias\": false, \"id\": \"c3\"}";
        check("a heavy tail", 4, layers, weights(new Random(48)).put("c3.weight",
                Oracle.uniform(new Random(49), (long) wide * 16), wide, 16, 1, 1));
    }

    private static MapWeights weights(Random r) {
        return new MapWeights().put("c1.weight", Oracle.uniform(r, 16 * 3 * 9), 16, 3, 3, 3)
                .put("c1.bias", Oracle.uniform(r, 16), 16)
                .put("c2.weight", Oracle.uniform(r, 16 * 16 * 9), 16, 16, 3, 3)
                .put("c2.bias", Oracle.uniform(r, 16), 16);
    }

    private static void check(String label, int splitPoint, String layers, MapWeights weights) throws Exception {
        String json = "{\"cnn4j\": 2, \"inputs\": [{\"name\": \"x\", \"shape\": [-1, " + C + ", " + H + ", " + W
                + "]}], \"layers\": [" + layers + "]}";
        float[] x = Oracle.uniform(new Random(40), (long) BATCH * C * H * W);
        int threadsBefore = Cnn4j.getNumThreads();
        try {
            for (int threads : new int[] {1, 2, 3}) {
                Cnn4j.setNumThreads(threads);
                try (Model model = ModelGraphTest.build(json, weights)) {
                    float[] alone = null;
                    int per = C * H * W;
                    for (int n = 0; n < BATCH; n++) {
                        try (Tensor one = Tensor.of(Arrays.copyOfRange(x, n * per, (n + 1) * per), 1, C, H, W);
                                Tensor y = model.run(one)) {
                            float[] sample = y.toFloatArray();
                            alone = alone == null ? new float[sample.length * BATCH] : alone;
                            System.arraycopy(sample, 0, alone, n * sample.length, sample.length);
                        }
                    }
                    assertEquals(splitPoint, model.splitPoint(BATCH), label + ": the layers run on slices");
                    try (Tensor batch = Tensor.of(x, BATCH, C, H, W); Tensor y = model.run(batch)) {
                        assertEquals(BATCH, y.shape()[0], label);
                        assertArrayEquals(alone, y.toFloatArray(), label + ", " + threads + " thread(s)");
                    }
                }
            }
        } finally {
            Cnn4j.setNumThreads(threadsBefore);
        }
    }
}
