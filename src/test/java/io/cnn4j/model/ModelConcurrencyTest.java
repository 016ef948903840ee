package io.cnn4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.cnn4j.Tensor;
import io.cnn4j.testing.Oracle;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** One shared Model, 8 threads x 200 runs with mixed batch sizes: outputs bit-identical to serial runs. */
class ModelConcurrencyTest {
    private static final String MODEL = """
            {"cnn4j": 1, "inputs": [{"name": "x", "shape": [-1, 3, 12, 10]}],
             "layers": [
               {"type": "Conv2d", "name": "a", "in_channels": 3, "out_channels": 8, "kernel_size": 3, "padding": 1},
               {"type": "Conv2d", "name": "b", "in_channels": 8, "out_channels": 8, "kernel_size": 3, "groups": 8,
                "padding": "same", "padding_mode": "reflect"},
               {"type": "Conv2d", "name": "c", "in_channels": 8, "out_channels": 4, "kernel_size": 1}
             ]}""";

    @Test
    void eightThreadsMatchSerialRunsBitForBit() throws Exception {
        Random r = new Random(7);
        MapWeights weights = new MapWeights()
                .put("a.weight", Oracle.uniform(r, 8 * 3 * 9), 8, 3, 3, 3).put("a.bias", Oracle.uniform(r, 8), 8)
                .put("b.weight", Oracle.uniform(r, 8 * 9), 8, 1, 3, 3).put("b.bias", Oracle.uniform(r, 8), 8)
                .put("c.weight", Oracle.uniform(r, 4 * 8), 4, 8, 1, 1).put("c.bias", Oracle.uniform(r, 4), 4);
        int inputsCount = 6;
        List<float[]> inputs = new ArrayList<>();
        List<long[]> shapes = new ArrayList<>();
        for (int i = 0; i < inputsCount; i++) {
            int batch = 1 + i % 3;
            inputs.add(Oracle.uniform(r, batch * 3 * 12 * 10));
            shapes.add(new long[] {batch, 3, 12, 10});
        }
        try (Model model = ModelGraphTest.build(MODEL, weights)) {
            List<float[]> serial = new ArrayList<>();
            for (int i = 0; i < inputsCount; i++) {
                serial.add(runOnce(model, inputs.get(i), shapes.get(i)));
            }
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    int thread = t;
                    futures.add(pool.submit(() -> {
                        for (int run = 0; run < 200; run++) {
                            int i = (thread + run) % inputsCount;
                            assertArrayEquals(serial.get(i), runOnce(model, inputs.get(i), shapes.get(i)),
                                    "thread " + thread + " run " + run);
                        }
                        return null;
                    }));
                }
                for (Future<?> f : futures) {
                    f.get();
                }
            } finally {
                pool.shutdown();
            }
        }
    }

    @Test
    void closeWaitsForRunsInFlightAndLaterRunsFailCleanly() throws Exception {
        Random r = new Random(8);
        MapWeights weights = new MapWeights()
                .put("a.weight", Oracle.uniform(r, 8 * 3 * 9), 8, 3, 3, 3).put("a.bias", Oracle.uniform(r, 8), 8)
                .put("b.weight", Oracle.uniform(r, 8 * 9), 8, 1, 3, 3).put("b.bias", Oracle.uniform(r, 8), 8)
                .put("c.weight", Oracle.uniform(r, 4 * 8), 4, 8, 1, 1).put("c.bias", Oracle.uniform(r, 4), 4);
        float[] x = Oracle.uniform(r, 2 * 3 * 12 * 10);
        Model model = ModelGraphTest.build(MODEL, weights);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                futures.add(pool.submit(() -> {
                    int completed = 0;
                    while (true) {
                        try {
                            runOnce(model, x, new long[] {2, 3, 12, 10});
                            completed++;
                        } catch (IllegalStateException closed) {
                            return completed; // the model was closed between runs, never during one
                        }
                    }
                }));
            }
            Thread.sleep(200);
            model.close();
            for (Future<Integer> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> runOnce(model, x, new long[] {2, 3, 12, 10}));
    }

    private static float[] runOnce(Model model, float[] data, long[] shape) {
        try (Tensor x = Tensor.of(data, shape); Tensor y = model.run(x)) {
            return y.toFloatArray();
        }
    }
}
