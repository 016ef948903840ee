package io.cnn4j.onnx;

import static io.cnn4j.onnx.OnnxBuilder.in;
import static io.cnn4j.onnx.OnnxBuilder.ramp;
import static io.cnn4j.onnx.OnnxErrorsTest.refused;
import static io.cnn4j.onnx.OnnxErrorsTest.withConv;
import static io.cnn4j.onnx.OnnxImportTest.convert;
import static io.cnn4j.onnx.OnnxImportTest.layers;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * ONNX InstanceNormalization, LayerNormalization and GroupNormalization as PyTorch's norm modules, the
 * ReduceMean / Sub / Pow / Sqrt / Div form of LayerNorm older exports write fused into one LayerNorm (over trailing
 * dims, or over the channels of NCHW between two Permutes), and the refusals. (Numbers: python/e2e's norm and
 * ConvNeXt-style models against PyTorch and onnxruntime, at opsets 13 and 17.)
 */
class OnnxNormTest {
    private static String convertLayers(OnnxBuilder b) {
        return layers(convert(b)).replaceAll("\\{\"type\":\"Conv2d\"[^}]*\\},?", "");
    }

    @Test
    void instanceNormalizationIsAnAffineInstanceNorm() {
        OnnxBuilder b = withConv(13).output("y").weight("s", ramp(4), 4).weight("b", ramp(4), 4);
        b.node("InstanceNormalization", "in", in("c", "s", "b"), "y").attr("epsilon", 1e-3f);
        assertEquals("[{\"type\":\"InstanceNorm2d\",\"name\":\"in\",\"id\":\"y\",\"num_features\":4,\"affine\":true,"
                + "\"eps\":0.001}]", convertLayers(b));
        // One spatial element: InstanceNorm2d refuses it, GroupNorm with a group per channel computes it.
        OnnxBuilder pooled = withConv(13).output("y").weight("s", ramp(4), 4).weight("b", ramp(4), 4);
        pooled.node("GlobalAveragePool", "p", in("c"), "g");
        pooled.node("InstanceNormalization", "in", in("g", "s", "b"), "y");
        assertEquals(true, convertLayers(pooled).contains("{\"type\":\"GroupNorm\",\"name\":\"in\",\"id\":\"y\","
                + "\"num_groups\":4,\"num_channels\":4}"), convertLayers(pooled));
    }

    @Test
    void layerNormalizationNormalizesFromAxisOn() {
        OnnxBuilder b = withConv(17).output("y").weight("s", ramp(36), 6, 6).weight("b", ramp(6), 6);
        b.node("LayerNormalization", "ln", in("c", "s", "b"), "y").attr("axis", -2L);
        assertEquals("[{\"type\":\"LayerNorm\",\"name\":\"ln\",\"id\":\"y\",\"normalized_shape\":[6,6]}]",
                convertLayers(b));
        OnnxBuilder noBias = withConv(17).output("y").weight("s", ramp(6), 6);
        noBias.node("LayerNormalization", "ln", in("c", "s"), "y").attr("epsilon", 1e-6f);
        assertEquals("[{\"type\":\"LayerNorm\",\"name\":\"ln\",\"id\":\"y\",\"normalized_shape\":[6],\"eps\":1.0E-6,"
                + "\"bias\":false}]", convertLayers(noBias));
        OnnxBuilder batch = withConv(17).output("y").weight("s", ramp(1), 1);
        batch.node("LayerNormalization", "ln", in("c", "s"), "y").attr("axis", 0L);
        refused(batch, "LayerNormalization (node 'ln')", "normalizes over the batch dim too");
        OnnxBuilder scale = withConv(17).output("y").weight("s", ramp(4), 4, 1, 1);
        scale.node("LayerNormalization", "ln", in("c", "s"), "y").attr("axis", -1L);
        refused(scale, "Scale of shape [4, 1, 1] does not broadcast to input [-1, 4, 6, 6]");
        OnnxBuilder stats = withConv(17).output("y").output("mean").weight("s", ramp(6), 6);
        stats.node("LayerNormalization", "ln", in("c", "s"), "y", "mean");
        refused(stats, "output 1 ('mean', mean and inverse standard deviation) is used");
    }

    @Test
    void groupNormalizationOfBothOpsets() {
        OnnxBuilder v21 = withConv(21).output("y").weight("s", ramp(4), 4).weight("b", ramp(4), 4);
        v21.node("GroupNormalization", "gn", in("c", "s", "b"), "y").attr("num_groups", 2L);
        assertEquals("[{\"type\":\"GroupNorm\",\"name\":\"gn\",\"id\":\"y\",\"num_groups\":2,\"num_channels\":4}]",
                convertLayers(v21));
        OnnxBuilder v18 = withConv(18).output("y").weight("s", new float[] {2, 3}, 2).weight("b", ramp(2), 2);
        v18.node("GroupNormalization", "gn", in("c", "s", "b"), "y").attr("num_groups", 2L);
        var model = convert(v18);
        assertEquals(true, layers(model).contains("\"num_groups\":2,\"num_channels\":4"), layers(model));
        OnnxBuilder bad = withConv(21).output("y").weight("s", ramp(4), 4).weight("b", ramp(4), 4);
        bad.node("GroupNormalization", "gn", in("c", "s", "b"), "y").attr("num_groups", 3L);
        refused(bad, "GroupNormalization (node 'gn')", "num_groups=3 must be positive and divide the 4 channels");
    }

    /** c -> ReduceMean/Sub/Pow/ReduceMean/Add/Sqrt/Div, then Mul(gamma) and Add(beta) as torch exported it. */
    private static OnnxBuilder pattern(long opset, long[] axes, float[] gamma, long... gammaShape) {
        OnnxBuilder b = withConv(opset).output("y").weight("two", new float[] {2f}).weight("eps", new float[] {1e-6f})
                .weight("g", gamma, gammaShape).weight("beta", gamma, gammaShape);
        OnnxBuilder.NodeB m1;
        OnnxBuilder.NodeB m2;
        if (opset >= 18) {
            b.initializer(OnnxBuilder.int64Tensor("axes", axes, axes.length));
            m1 = b.node("ReduceMean", "mean", in("c", "axes"), "u");
        } else {
            m1 = b.node("ReduceMean", "mean", in("c"), "u").attr("axes", axes);
        }
        b.node("Sub", "sub", in("c", "u"), "d");
        b.node("Pow", "sq", in("d", "two"), "p");
        m2 = opset >= 18 ? b.node("ReduceMean", "var", in("p", "axes"), "v")
                : b.node("ReduceMean", "var", in("p"), "v").attr("axes", axes);
        b.node("Add", "plus", in("v", "eps"), "e");
        b.node("Sqrt", "sqrt", in("e"), "r");
        b.node("Div", "div", in("d", "r"), "n");
        b.node("Mul", "scale", in("g", "n"), "s");
        b.node("Add", "shift", in("s", "beta"), "y");
        assert m1 != null && m2 != null;
        return b;
    }

    @Test
    void theArithmeticFormOfOlderExportsIsFused() {
        assertEquals("[{\"type\":\"LayerNorm\",\"name\":\"shift\",\"id\":\"y\",\"normalized_shape\":[6],"
                + "\"eps\":1.0E-6}]", convertLayers(pattern(13, new long[] {-1}, ramp(6), 6)));
        assertEquals("[{\"type\":\"LayerNorm\",\"name\":\"shift\",\"id\":\"y\",\"normalized_shape\":[6,6],"
                + "\"eps\":1.0E-6}]", convertLayers(pattern(18, new long[] {2, 3}, ramp(6), 6)));
        // ConvNeXt's channels-first LayerNorm: over dim 1 of NCHW, gamma [C, 1, 1]
        assertEquals("[{\"type\":\"Permute\",\"dims\":[0,2,3,1]},{\"type\":\"LayerNorm\",\"name\":\"shift\","
                + "\"normalized_shape\":[4],\"eps\":1.0E-6},{\"type\":\"Permute\",\"id\":\"y\",\"dims\":[0,3,1,2]}]",
                convertLayers(pattern(13, new long[] {1}, ramp(4), 4, 1, 1)));
        refused(pattern(13, new long[] {1, 2}, ramp(4), 4, 1, 1), "a mean and variance over axes [1, 2]",
                "is no PyTorch layer");
    }

    @Test
    void aPatternWithAnIntermediateReadElsewhereIsLeftAlone() {
        OnnxBuilder b = pattern(13, new long[] {-1}, ramp(6), 6).output("d");
        // not fused: the graph output d needs the Sub, so the arithmetic stays as it is, ReduceMean a Mean layer
        String layers = OnnxImportTest.layers(OnnxImportTest.convert(b));
        org.junit.jupiter.api.Assertions.assertTrue(layers.contains("{\"type\":\"Mean\"") && !layers.contains(
                "LayerNorm"), layers);
    }
}
