package io.cnn4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cnn4j.Functional;
import io.cnn4j.Tensor;
import io.cnn4j.ops.ConvOptions;
import io.cnn4j.testing.Oracle;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ModelGraphTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Model build(String json, MapWeights weights) throws Exception {
        return build(json, weights, ModelOptions.DEFAULT);
    }

    static Model build(String json, MapWeights weights, ModelOptions options) throws Exception {
        return Model.build(ModelDescription.parse(JSON.readTree(json), "test.json"), weights, options);
    }

    /** The model is refused at load (or at planning batch 1) with a message containing every part. */
    static void assertRefused(String json, MapWeights weights, String... parts) {
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> {
            try (Model m = build(json, weights)) {
                m.layerOutputShapes(1);
            }
        });
        for (String p : parts) {
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains(p),
                    "message '" + e.getMessage() + "' lacks '" + p + "'");
        }
    }

    private static final String TWO_CONVS = """
            {"cnn4j": 1, "inputs": [{"name": "x", "shape": [-1, 2, 9, 7]}],
             "layers": [
               {"type": "Conv2d", "name": "a", "in_channels": 2, "out_channels": 3, "kernel_size": 3, "padding": 1},
               {"type": "Conv2d", "name": "b", "in_channels": 3, "out_channels": 4, "kernel_size": [3, 2],
                "stride": 2, "bias": false}
             ]}""";

    @Test
    void sequentialConvsMatchFunctional() throws Exception {
        Random r = new Random(3);
        float[] wa = Oracle.uniform(r, 3 * 2 * 9), ba = Oracle.uniform(r, 3), wb = Oracle.uniform(r, 4 * 3 * 6);
        MapWeights weights = new MapWeights().put("a.weight", wa, 3, 2, 3, 3).put("a.bias", ba, 3)
                .put("b.weight", wb, 4, 3, 3, 2);
        try (Model model = build(TWO_CONVS, weights)) {
            for (int batch : new int[] {1, 3}) {
                float[] x = Oracle.uniform(r, batch * 2 * 9 * 7);
                try (Tensor in = Tensor.of(x, batch, 2, 9, 7);
                        Tensor out = model.run(in);
                        Tensor taw = Tensor.of(wa, 3, 2, 3, 3); Tensor tab = Tensor.of(ba, 3);
                        Tensor tbw = Tensor.of(wb, 4, 3, 3, 2);
                        Tensor mid = Functional.conv2d(in, taw, tab, new ConvOptions().padding(1));
                        Tensor expected = Functional.conv2d(mid, tbw, null, new ConvOptions().stride(2))) {
                    assertArrayEquals(expected.shape(), out.shape());
                    assertArrayEquals(expected.toFloatArray(), out.toFloatArray());
                }
            }
        }
    }

    @Test
    void batchNormFoldedIntoConvolutionMatchesTheTwoStepResult() throws Exception {
        String json = """
                {"cnn4j": 1, "inputs": [{"name": "x", "shape": [-1, 3, 8, 8]}],
                 "layers": [
                   {"type": "Conv2d", "name": "c", "in_channels": 3, "out_channels": 5, "kernel_size": 3,
                    "bias": false},
                   {"type": "BatchNorm2d", "name": "bn", "num_features": 5},
                   {"type": "ReLU"}
                 ]}""";
        Random r = new Random(11);
        float[] w = Oracle.uniform(r, 5 * 3 * 9), mean = Oracle.uniform(r, 5), gamma = Oracle.uniform(r, 5),
                beta = Oracle.uniform(r, 5), var = new float[5], x = Oracle.uniform(r, 2 * 3 * 64);
        for (int i = 0; i < 5; i++) {
            var[i] = 0.5f + r.nextFloat();
        }
        MapWeights weights = new MapWeights().put("c.weight", w, 5, 3, 3, 3).put("bn.running_mean", mean, 5)
                .put("bn.running_var", var, 5).put("bn.weight", gamma, 5).put("bn.bias", beta, 5);
        try (Model model = build(json, weights); Tensor in = Tensor.of(x, 2, 3, 8, 8); Tensor out = model.run(in);
                Tensor tw = Tensor.of(w, 5, 3, 3, 3); Tensor conv = Functional.conv2d(in, tw, null, null);
                Tensor tm = Tensor.of(mean, 5); Tensor tv = Tensor.of(var, 5); Tensor tg = Tensor.of(gamma, 5);
                Tensor tb = Tensor.of(beta, 5);
                Tensor bn = Functional.batchNorm(conv, tm, tv, tg, tb, 1e-5);
                Tensor expected = Functional.relu(bn)) {
            Oracle.assertClose("conv+bn folded", expected.toFloatArray(), out.toFloatArray());
            assertEquals(135, model.layerParameterCounts()[0]);
            assertEquals(10, model.layerParameterCounts()[1]);
        }
    }

    @Test
    void wrongWeightShapeNamesKeyAndShapes() {
        MapWeights weights = new MapWeights().put("a.weight", new float[3 * 2 * 4], 3, 2, 2, 2)
                .put("a.bias", new float[3], 3).put("b.weight", new float[4 * 3 * 6], 4, 3, 3, 2);
        var e = assertThrows(IllegalArgumentException.class, () -> build(TWO_CONVS, weights));
        assertTrue(e.getMessage().contains("'a.weight' has shape [3, 2, 2, 2]"), e.getMessage());
        assertTrue(e.getMessage().contains("[3, 2, 3, 3]"), e.getMessage());
    }
}
