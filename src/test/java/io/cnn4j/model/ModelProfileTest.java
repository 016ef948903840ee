package io.cnn4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cnn4j.Tensor;
import io.cnn4j.testing.Oracle;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Model.run with per-layer timing (what {@code cnn4j bench --profile} reads): same results, time per working layer. */
class ModelProfileTest {
    private static final String NET = """
            {"cnn4j": 2, "inputs": [{"name": "x", "shape": [-1, 3, 12, 10]}],
             "layers": [
               {"type": "Conv2d", "name": "a", "in_channels": 3, "out_channels": 8, "kernel_size": 3, "padding": 1},
               {"type": "ReLU"},
               {"type": "Flatten"},
               {"type": "Linear", "name": "fc", "in_features": 960, "out_features": 4}
             ]}""";

    @Test
    void aTimedRunGivesTheSameOutputsAndTimesEveryLayerThatWorks() throws Exception {
        Random r = new Random(8);
        MapWeights w = new MapWeights().put("a.weight", Oracle.uniform(r, 8 * 3 * 9), 8, 3, 3, 3)
                .put("a.bias", Oracle.uniform(r, 8), 8).put("fc.weight", Oracle.uniform(r, 4 * 960), 4, 960)
                .put("fc.bias", Oracle.uniform(r, 4), 4);
        try (Model model = ModelGraphTest.build(NET, w); Tensor in = Tensor.of(Oracle.uniform(r, 2 * 3 * 12 * 10), 2, 3,
                12, 10)) {
            long[] nanos = new long[4];
            Map<String, Tensor> timed = model.run(Map.of("x", in), nanos);
            try (Tensor plain = model.run(in); Tensor out = timed.values().iterator().next()) {
                assertArrayEquals(plain.toFloatArray(), out.toFloatArray());
            }
            assertEquals(0, model.layerFusedInto()[1], "the ReLU runs in the convolution's output pass");
            assertTrue(nanos[0] > 0 && nanos[3] > 0, "the convolution and the linear layer took time: "
                    + Arrays.toString(nanos));
            assertEquals(0, nanos[2], "Flatten is a view: no time of its own");
            long[] again = nanos.clone();
            model.run(Map.of("x", in), nanos).values().forEach(Tensor::close);
            assertTrue(nanos[0] > again[0] && nanos[3] > again[3], "times add up over runs");

            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.run(Map.of("x", in), new long[3]));
            assertEquals("layerNanos has 3 slots; the model has 4 layers", e.getMessage());
        }
    }
}
