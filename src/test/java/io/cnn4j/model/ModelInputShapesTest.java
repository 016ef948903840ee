package io.cnn4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cnn4j.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Models with free sizes besides the batch (dynamic height and width): they load without a shape to check at load,
 * run at any fitting size, and report layer shapes and costs for input shapes given by name.
 */
class ModelInputShapesTest {
    @TempDir
    Path dir;

    private Path dynamic() throws Exception {
        // A 3x3 window without padding: at the 1x1 size a load-time check would guess, it has no valid output.
        return Files.writeString(dir.resolve("dynamic.json"), """
                {"cnn4j": 2, "inputs": [{"name": "x", "shape": [-1, 1, -1, -1]}],
                 "layers": [{"type": "MaxPool2d", "kernel_size": 3, "stride": 1}]}""");
    }

    @Test
    void freeHeightAndWidthLoadAndRunAtAnySize() throws Exception {
        try (Model model = Model.load(dynamic()); Tensor x = Tensor.zeros(2, 1, 5, 4); Tensor y = model.run(x)) {
            assertArrayEquals(new long[] {2, 1, 3, 2}, y.shape());
            assertArrayEquals(new long[] {1, 1, 6, 8}, model.layerOutputShapes(Map.of("x", new long[] {1, 1, 8, 10}))
                    .get(0));
            assertTrue(model.layerMacs(Map.of("x", new long[] {1, 1, 8, 10}))[0] >= 0);
            assertTrue(model.arenaFloats(Map.of("x", new long[] {1, 1, 8, 10})) >= 48);
        }
    }

    @Test
    void inputShapesAreChecked() throws Exception {
        try (Model model = Model.load(dynamic())) {
            assertTrue(assertThrows(IllegalArgumentException.class, () -> model.layerOutputShapes(Map.of("y",
                    new long[] {1, 1, 8, 8}))).getMessage().contains("input shapes given for [y]; the model's inputs "
                    + "are [x]"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> model.layerOutputShapes(Map.of("x",
                    new long[] {1, 2, 8, 8}))).getMessage().contains("input 'x' has shape [1, 2, 8, 8], but the model "
                    + "expects [-1, 1, -1, -1]"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> model.layerOutputShapes(Map.of("x",
                    new long[] {1, 1, -1, 8}))).getMessage().contains("input 'x': shape [1, 1, -1, 8] must have every "
                    + "dim fixed (>= 1)"));
            assertThrows(IllegalArgumentException.class, () -> model.layerOutputShapes(Map.of("x",
                    new long[] {1, 1, 2, 2}))); // smaller than the pooling window
        }
    }

    @Test
    void aDirectoryIsNotAModel() {
        var e = assertThrows(IllegalArgumentException.class, () -> Model.load(dir));
        assertTrue(e.getMessage().contains(dir + " is a directory, not a model file: give the model's .json, .onnx or "
                + ".safetensors file inside it"), e.getMessage());
    }
}
