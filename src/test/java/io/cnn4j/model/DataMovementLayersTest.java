package io.cnn4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cnn4j.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Slice and the padding modules in a model: their arguments and defaults, the elements they pick or add, and the
 * malformed layers refused naming the layer. (Randomized conformance: SliceConformanceTest, PadConformanceTest.)
 */
class DataMovementLayersTest {
    private static final String CHAIN = """
            {"cnn4j": 2, "inputs": [{"name": "x", "shape": [-1, 2, 3, 4]}],
             "layers": [
               {"type": "Slice", "dim": -1, "start": 1, "step": 2},
               {"type": "Slice", "dim": 2, "end": -1},
               {"type": "ReflectionPad2d", "padding": [1, 0, 1, 0]},
               {"type": "ConstantPad1d", "padding": [0, 1], "value": 9},
               {"type": "ReplicationPad2d", "padding": [1, 1, 0, 0], "id": "edge"},
               {"type": "ConstantPad3d", "padding": [0, 0, 0, 0, 1, 0], "value": -1, "inputs": ["x"], "id": "chan"}
             ],
             "outputs": ["edge", "chan"]}""";

    @Test
    void slicesAndPadsPickAndAddWhatPyTorchDoes() throws Exception {
        float[] x = new float[24];
        for (int i = 0; i < x.length; i++) {
            x[i] = i;
        }
        try (Model model = ModelGraphTest.build(CHAIN, new MapWeights()); Tensor in = Tensor.of(x, 1, 2, 3, 4)) {
            var outputs = model.run(java.util.Map.of("x", in));
            try (Tensor edge = outputs.get("edge"); Tensor chan = outputs.get("chan")) {
                // x[..., 1::2] -> columns 1, 3; [:, :, :-1] -> rows 0, 1: [[1, 3], [5, 7]]; reflect (1, 0, 1, 0);
                // 9 padded on the right; the edge repeated left and right
                float[] plane0 = {7, 7, 5, 7, 9, 9, 3, 3, 1, 3, 9, 9, 7, 7, 5, 7, 9, 9};
                assertArrayEquals(new long[] {1, 2, 3, 6}, edge.shape());
                assertArrayEquals(plane0, Arrays.copyOf(edge.toFloatArray(), 18), Arrays.toString(edge.toFloatArray()));
                assertArrayEquals(new long[] {1, 3, 3, 4}, chan.shape());
                assertTrue(Arrays.equals(Arrays.copyOf(chan.toFloatArray(), 12), new float[] {-1, -1, -1, -1, -1, -1,
                        -1, -1, -1, -1, -1, -1}));
            }
        }
    }

    @Test
    void malformedLayersAreRefusedNamingTheLayer() {
        refused("{\"type\": \"Slice\", \"dim\": 0, \"end\": 1}", "layer 0 (Slice)", "dim 0 is the batch dim");
        refused("{\"type\": \"Slice\", \"dim\": -4, \"end\": 1}", "layer 0 (Slice)", "dim -4 is the batch dim");
        refused("{\"type\": \"Slice\", \"start\": 1}", "layer 0 (Slice)", "missing required argument dim");
        refused("{\"type\": \"Slice\", \"dim\": 1, \"step\": 0}", "slice step must be positive");
        refused("{\"type\": \"Slice\", \"dim\": 1, \"start\": 2}", "is empty");
        refused("{\"type\": \"ReflectionPad2d\", \"padding\": 3}", "layer 0 (ReflectionPad2d)",
                "mode='reflect' needs padding < the input size");
        refused("{\"type\": \"ReflectionPad1d\", \"padding\": 1}", "layer 0 (ReflectionPad1d)",
                "expected 3-d input (N, C, 1 padded dim)");
        refused("{\"type\": \"ConstantPad2d\", \"padding\": 1}", "layer 0 (ConstantPad2d)",
                "missing required argument value");
        refused("{\"type\": \"ZeroPad2d\", \"padding\": [1, 2, 3]}", "padding must be an int or a list of 4 ints");
        refused("{\"type\": \"ZeroPad2d\", \"padding\": 1, \"value\": 2}", "unknown argument value");
    }

    private static void refused(String layer, String... parts) {
        ModelGraphTest.assertRefused("{\"cnn4j\": 2, \"inputs\": [{\"name\": \"x\", \"shape\": [-1, 2, 3, 4]}], "
                + "\"layers\": [" + layer + "]}", new MapWeights(), parts);
    }
}
