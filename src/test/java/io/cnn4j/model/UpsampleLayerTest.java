package io.cnn4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cnn4j.Tensor;
import io.cnn4j.reference.NaiveInterpolate;
import io.cnn4j.testing.Oracle;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Upsample and its fixed-mode forms in a model: arguments as nn.Upsample takes them, and malformed ones refused. */
class UpsampleLayerTest {
    private static final String NET = """
            {"cnn4j": 2, "inputs": [{"name": "x", "shape": [-1, 2, 5, 4]}],
             "layers": [
               {"type": "Upsample", "scale_factor": [2, 1.5], "mode": "bilinear", "align_corners": false, "id": "a"},
               {"type": "UpsamplingBilinear2d", "size": [7, 3], "id": "b", "inputs": ["x"]},
               {"type": "UpsamplingNearest2d", "scale_factor": 3, "id": "c", "inputs": ["x"]}
             ],
             "outputs": ["a", "b", "c"]}""";

    @Test
    void upsampleLayersMatchTheReference() throws Exception {
        Random r = new Random(4);
        try (Model model = ModelGraphTest.build(NET, new MapWeights())) {
            for (int batch : new int[] {1, 3}) {
                long[] shape = {batch, 2, 5, 4};
                float[] x = Oracle.uniform(r, batch * 40L);
                double[] wide = Oracle.widen(x);
                double[][] expected = {
                    NaiveInterpolate.run(wide, shape, new long[] {10, 6}, new Double[] {2.0, 1.5}, "bilinear", false),
                    NaiveInterpolate.run(wide, shape, new long[] {7, 3}, null, "bilinear", true),
                    NaiveInterpolate.run(wide, shape, new long[] {15, 12}, new Double[] {3.0, 3.0}, "nearest", false)};
                long[][] shapes = {{batch, 2, 10, 6}, {batch, 2, 7, 3}, {batch, 2, 15, 12}};
                try (Tensor in = Tensor.of(x, shape)) {
                    java.util.Map<String, Tensor> outs = model.run(java.util.Map.of("x", in));
                    for (int i = 0; i < 3; i++) {
                        try (Tensor out = outs.get(new String[] {"a", "b", "c"}[i])) {
                            assertArrayEquals(shapes[i], out.shape());
                            Oracle.assertClose("output " + i, expected[i], out.toFloatArray());
                        }
                    }
                }
            }
        }
    }

    @Test
    void malformedLayersAreRefusedNamingTheLayer() {
        refused("{\"type\": \"Upsample\", \"scale_factor\": 2, \"mode\": \"area\"}", "layer 0 (Upsample)",
                "mode must be one of");
        refused("{\"type\": \"Upsample\", \"scale_factor\": 2, \"size\": 4}", "only one of size or scale_factor");
        refused("{\"type\": \"Upsample\"}", "either size or scale_factor");
        refused("{\"type\": \"Upsample\", \"scale_factor\": 2, \"align_corners\": true}",
                "align_corners option can only be set with the interpolating modes");
        refused("{\"type\": \"Upsample\", \"scale_factor\": \"2x\"}", "scale_factor must be a number");
        refused("{\"type\": \"Upsample\", \"size\": []}", "size must be an int or a non-empty list");
        refused("{\"type\": \"Upsample\", \"size\": [4, 4, 4]}", "2 spatial dims", "has 3 values");
        refused("{\"type\": \"Upsample\", \"scale_factor\": 2, \"mode\": \"trilinear\"}", "needs 5D input");
        refused("{\"type\": \"Upsample\", \"scale_factor\": 2, \"align_corners\": 1, \"mode\": \"bilinear\"}",
                "align_corners must be true, false or null");
        refused("{\"type\": \"UpsamplingNearest2d\", \"scale_factor\": 2, \"mode\": \"bilinear\"}",
                "unknown argument mode");
        refused("{\"type\": \"PixelShuffle\"}", "layer 0 (PixelShuffle)", "missing required argument upscale_factor");
        refused("{\"type\": \"PixelShuffle\", \"upscale_factor\": 3}", "not divisible by 9");
        refused("{\"type\": \"PixelUnshuffle\", \"downscale_factor\": 3}", "divisible by downscale_factor");
        refused("{\"type\": \"Permute\", \"dims\": [1, 0, 2, 3]}", "layer 0 (Permute)", "must start with 0");
        refused("{\"type\": \"Permute\", \"dims\": [0, 2, 1]}", "number of dims don't match");
        refused("{\"type\": \"Permute\"}", "missing required argument dims");
    }

    private static void refused(String layer, String... parts) {
        String json = "{\"cnn4j\": 2, \"inputs\": [{\"name\": \"x\", \"shape\": [-1, 2, 5, 4]}], \"layers\": ["
                + layer + "]}";
        Exception e = assertThrows(IllegalArgumentException.class, () -> {
            try (Model m = ModelGraphTest.build(json, new MapWeights())) {
                m.layerOutputShapes(1);
            }
        });
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message '" + e.getMessage() + "' lacks '" + p + "'");
        }
    }
}
