package io.cnn4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cnn4j.Tensor;
import io.cnn4j.testing.Oracle;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Model.prepare: a shape made ready before its first run (arena allocated, weights packed), and its refusals. */
class ModelPrepareTest {
    private static final String NET = """
            {"cnn4j": 2, "inputs": [{"name": "x", "shape": [-1, 3, 12, 10]}],
             "layers": [
               {"type": "Conv2d", "name": "a", "in_channels": 3, "out_channels": 8, "kernel_size": 3, "padding": 1},
               {"type": "ReLU"},
               {"type": "Conv2d", "name": "b", "in_channels": 8, "out_channels": 8, "kernel_size": 3, "padding": 1}
             ]}""";

    private static MapWeights weights(Random r) {
        return new MapWeights().put("a.weight", Oracle.uniform(r, 8 * 3 * 9), 8, 3, 3, 3)
                .put("a.bias", Oracle.uniform(r, 8), 8).put("b.weight", Oracle.uniform(r, 8 * 8 * 9), 8, 8, 3, 3)
                .put("b.bias", Oracle.uniform(r, 8), 8);
    }

    @Test
    void aPreparedShapeRunsAsAnUnpreparedOne() throws Exception {
        Random r = new Random(5);
        MapWeights w = weights(r);
        float[] x = Oracle.uniform(r, 2 * 3 * 12 * 10);
        try (Model prepared = ModelGraphTest.build(NET, w); Model cold = ModelGraphTest.build(NET, w);
                Tensor in = Tensor.of(x, 2, 3, 12, 10)) {
            long before = prepared.arenaCacheBytes();
            prepared.prepare(2, 3, 12, 10);
            prepared.prepare(2, 3, 12, 10); // idempotent: the same arena is kept
            assertTrue(prepared.arenaCacheBytes() > before, "the arena for [2, 3, 12, 10] is allocated");
            long held = prepared.arenaCacheBytes();
            try (Tensor a = prepared.run(in); Tensor b = cold.run(in)) {
                assertArrayEquals(b.toFloatArray(), a.toFloatArray());
            }
            assertEquals(held, prepared.arenaCacheBytes(), "the run used the prepared arena");
            prepared.prepare(Map.of("x", new long[] {1, 3, 12, 10}));
        }
    }

    @Test
    void refusesShapesTheModelDoesNotTakeAndAClosedModel() throws Exception {
        Model model = ModelGraphTest.build(NET, weights(new Random(6)));
        try (model) {
            assertMessage(() -> model.prepare(1, 3, 12, 11), "input 'x' has shape [1, 3, 12, 11], but the model "
                    + "expects [-1, 3, 12, 10]");
            assertMessage(() -> model.prepare(0, 3, 12, 10), "must have every dim fixed (>= 1)");
            assertMessage(() -> model.prepare(Map.of("y", new long[] {1, 3, 12, 10})), "input shapes given for [y]; the model's inputs are [x]");
            assertMessage(() -> model.prepare(Map.of("x", new long[] {1, 3, 12, 10}, "y", new long[] {1})),
                    "; the model's inputs are [x]");
        }
        IllegalStateException closed = assertThrows(IllegalStateException.class, () -> model.prepare(1, 3, 12, 10));
        assertTrue(closed.getMessage().contains("is closed"), closed.getMessage());
    }

    private static void assertMessage(Runnable call, String fragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }
}
