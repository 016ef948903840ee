package io.cnn4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.cnn4j.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Sum, Mean, Amax, Amin and Matmul layers in a model: their arguments and defaults, the numbers they compute on a
 * small input, and malformed layers refused naming the layer. (Randomized conformance: ReduceConformanceTest,
 * MatMulConformanceTest; whole models: python/e2e's reduction_attention_net on both roads.)
 */
class ReductionMatmulLayersTest {
    private static final String GRAPH = """
            {"cnn4j": 2, "inputs": [{"name": "x", "shape": [-1, 2, 3]}],
             "layers": [
               {"type": "Sum", "dim": -1, "id": "sum"},
               {"type": "Mean", "dim": [1, 2], "keepdim": true, "inputs": ["x"], "id": "mean"},
               {"type": "Amax", "dim": 1, "inputs": ["x"], "id": "amax"},
               {"type": "Amin", "dim": [-2], "keepdim": true, "inputs": ["x"], "id": "amin"},
               {"type": "Permute", "dims": [0, 2, 1], "inputs": ["x"], "id": "xt"},
               {"type": "Matmul", "inputs": ["x", "xt"], "id": "gram"},
               {"type": "Matmul", "name": "proj", "other": "w", "inputs": ["x"], "id": "proj"},
               {"type": "Matmul", "name": "proj", "input": "v", "inputs": ["x"], "id": "left"}
             ],
             "outputs": ["sum", "mean", "amax", "amin", "gram", "proj", "left"]}""";

    @Test
    void reductionsAndProductsComputeWhatPyTorchDoes() throws Exception {
        float[] x = {1, 2, 3, -4, 5, -6};
        MapWeights weights = new MapWeights().put("proj.w", new float[] {1, 0, 0, 1, 1, 1}, 3, 2)
                .put("proj.v", new float[] {2, -1}, 2);
        try (Model model = ModelGraphTest.build(GRAPH, weights); Tensor in = Tensor.of(x, 1, 2, 3)) {
            Map<String, Tensor> out = model.run(Map.of("x", in));
            try (Tensor sum = out.get("sum"); Tensor mean = out.get("mean"); Tensor amax = out.get("amax");
                    Tensor amin = out.get("amin"); Tensor gram = out.get("gram"); Tensor proj = out.get("proj");
                    Tensor left = out.get("left")) {
                assertArrayEquals(new long[] {1, 2}, sum.shape());
                assertArrayEquals(new float[] {6, -5}, sum.toFloatArray());
                assertArrayEquals(new long[] {1, 1, 1}, mean.shape());
                assertArrayEquals(new float[] {1f / 6}, mean.toFloatArray());
                assertArrayEquals(new long[] {1, 3}, amax.shape());
                assertArrayEquals(new float[] {1, 5, 3}, amax.toFloatArray());
                assertArrayEquals(new long[] {1, 1, 3}, amin.shape());
                assertArrayEquals(new float[] {-4, 2, -6}, amin.toFloatArray());
                // x @ x^T: [[14, -12], [-12, 77]]
                assertArrayEquals(new long[] {1, 2, 2}, gram.shape());
                assertArrayEquals(new float[] {14, -12, -12, 77}, gram.toFloatArray());
                // x @ w, w = [[1, 0], [0, 1], [1, 1]]: [[4, 5], [-10, -1]]
                assertArrayEquals(new float[] {4, 5, -10, -1}, proj.toFloatArray());
                // v @ x, v = [2, -1]: the vector's dim dropped, [1, 3]
                assertArrayEquals(new long[] {1, 3}, left.shape());
                assertArrayEquals(new float[] {6, -1, 12}, left.toFloatArray());
            }
        }
    }

    @Test
    void malformedLayersAreRefusedNamingTheLayer() {
        refused("{\"type\": \"Sum\"}", "layer 0 (Sum)", "missing required argument dim");
        refused("{\"type\": \"Mean\", \"dim\": [0, 1]}", "layer 0 (Mean)", "includes 0, the batch dim");
        refused("{\"type\": \"Amax\", \"dim\": -3}", "layer 0 (Amax)", "dim -3 is the batch dim of a 3-d input");
        refused("{\"type\": \"Amin\", \"dim\": 3}", "layer 0 (Amin)", "amin: dim must be in range [-3, 2]");
        refused("{\"type\": \"Sum\", \"dim\": [1, -2]}", "sum: dim 1 appears multiple times");
        refused("{\"type\": \"Sum\", \"dim\": 1, \"keepdim\": 2}", "layer 0 (Sum)", "keepdim");
        refused("{\"type\": \"Matmul\", \"inputs\": [\"x\", \"x\"]}", "matmul: shapes [1, 2, 3] and [1, 2, 3] cannot "
                + "be multiplied");
        refused("{\"type\": \"Matmul\", \"other\": 1.5}", "layer 0 (Matmul)", "other must be a string naming a "
                + "parameter");
        refused("{\"type\": \"Matmul\", \"other\": \"w\"}", "layer 0 (Matmul)", "needs a \\\"name\\\"".replace("\\", ""));
        refused("{\"type\": \"Matmul\", \"name\": \"p\", \"input\": \"w\", \"other\": \"w\"}", "input and other are "
                + "both parameters");
        refusedWith("{\"type\": \"Matmul\", \"name\": \"p\", \"other\": \"big\"}", new MapWeights().put("p.big",
                new float[18], 3, 3, 2), "layer 0 'p' (Matmul)", "would broadcast over the batch dim (dim 0)");
        refusedWith("{\"type\": \"Matmul\", \"name\": \"p\", \"input\": \"m\"}", new MapWeights().put("p.m",
                new float[12], 3, 2, 2), "layer 0 'p' (Matmul)", "the parameter would broadcast over the batch dim");
        refused("{\"type\": \"Flatten\"}, {\"type\": \"Matmul\", \"inputs\": [\"0\", \"0\"]}", "layer 1 (Matmul)",
                "two computed operands must have the same rank, at least 3");
    }

    @Test
    void maxUnpoolPutsValuesWhereThePoolingFoundItsMaxima() throws Exception {
        String json = """
                {"cnn4j": 2, "inputs": [{"name": "x", "shape": [-1, 1, 2, 4]}],
                 "layers": [
                   {"type": "MaxPool2d", "kernel_size": 2, "id": "pool"},
                   {"type": "Mul", "other": 10},
                   {"type": "MaxUnpool2d", "kernel_size": 2, "pool_kernel_size": 2, "inputs": ["1", "x"]}
                 ]}""";
        try (Model model = ModelGraphTest.build(json, new MapWeights());
                Tensor in = Tensor.of(new float[] {1, 5, 2, 2, 3, 4, 2, 0}, 1, 1, 2, 4); Tensor out = model.run(in)) {
            // windows [[1, 5], [3, 4]] -> 5 at (0, 1); [[2, 2], [2, 0]] -> the first 2, at (0, 2)
            assertArrayEquals(new long[] {1, 1, 2, 4}, out.shape());
            assertArrayEquals(new float[] {0, 50, 20, 0, 0, 0, 0, 0}, out.toFloatArray());
        }
        refused("{\"type\": \"MaxUnpool2d\", \"pool_kernel_size\": 2, \"inputs\": [\"x\", \"x\"]}",
                "layer 0 (MaxUnpool2d)", "missing required argument kernel_size");
        refused("{\"type\": \"MaxUnpool2d\", \"kernel_size\": 2, \"inputs\": [\"x\", \"x\"]}",
                "layer 0 (MaxUnpool2d)", "missing required argument pool_kernel_size");
        refused("{\"type\": \"MaxUnpool1d\", \"kernel_size\": 2, \"pool_kernel_size\": 2, \"inputs\": [\"x\", "
                + "\"x\"]}", "max_unpool1d: input of shape [1, 2, 3] is not the shape [1, 2, 1] the max pooling");
        refused("{\"type\": \"MaxUnpool2d\", \"kernel_size\": 0, \"pool_kernel_size\": 2, \"inputs\": [\"x\", "
                + "\"x\"]}", "layer 0 (MaxUnpool2d)", "kernel_size must be positive");
        refused("{\"type\": \"MaxUnpool1d\", \"kernel_size\": 2, \"pool_kernel_size\": 2}",
                "max_unpool: takes 2 inputs");
    }

    private static void refused(String layer, String... parts) {
        refusedWith(layer, new MapWeights(), parts);
    }

    private static void refusedWith(String layer, MapWeights weights, String... parts) {
        ModelGraphTest.assertRefused("{\"cnn4j\": 2, \"inputs\": [{\"name\": \"x\", \"shape\": [-1, 2, 3]}], "
                + "\"layers\": [" + layer + "]}", weights, parts);
    }
}
