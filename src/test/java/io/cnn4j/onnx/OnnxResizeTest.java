package io.cnn4j.onnx;

import static io.cnn4j.onnx.OnnxBuilder.in;
import static io.cnn4j.onnx.OnnxErrorsTest.refused;
import static io.cnn4j.onnx.OnnxErrorsTest.withConv;
import static io.cnn4j.onnx.OnnxImportTest.convert;
import static io.cnn4j.onnx.OnnxImportTest.layers;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * ONNX Resize / Upsample as nn.Upsample: each coordinate transformation PyTorch's modes define, scales and sizes,
 * and the refusals naming what has no PyTorch form. (Numbers: python/e2e's U-Net against PyTorch and onnxruntime.)
 */
class OnnxResizeTest {
    private static OnnxBuilder resize(String mode, String transform, String rounding, float... scales) {
        OnnxBuilder b = withConv(13).output("y").weight("scales", scales, scales.length);
        OnnxBuilder.NodeB node = b.node("Resize", "rs", in("c", "", "scales"), "y").attr("mode", mode)
                .attr("coordinate_transformation_mode", transform);
        if (rounding != null) {
            node.attr("nearest_mode", rounding);
        }
        return b;
    }

    private static String upsample(OnnxBuilder b) {
        String l = layers(convert(b));
        return l.substring(l.indexOf("{\"type\":\"Upsample\""));
    }

    @Test
    void pytorchsCoordinateTransformationsBecomeUpsampleModes() {
        assertEquals("{\"type\":\"Upsample\",\"id\":\"y\",\"scale_factor\":2.0}]",
                upsample(resize("nearest", "asymmetric", "floor", 1, 1, 2, 2)));
        assertEquals("{\"type\":\"Upsample\",\"id\":\"y\",\"scale_factor\":[1.5,2.0],\"mode\":\"nearest-exact\"}]",
                upsample(resize("nearest", "half_pixel", "round_prefer_ceil", 1, 1, 1.5f, 2)));
        assertEquals("{\"type\":\"Upsample\",\"id\":\"y\",\"scale_factor\":2.0,\"mode\":\"bilinear\","
                + "\"align_corners\":false}]", upsample(resize("linear", "pytorch_half_pixel", null, 1, 1, 2, 2)));
        assertEquals("{\"type\":\"Upsample\",\"id\":\"y\",\"scale_factor\":0.5,\"mode\":\"bilinear\","
                + "\"align_corners\":true}]", upsample(resize("linear", "align_corners", null, 1, 1, 0.5f, 0.5f)));
        OnnxBuilder cubic = resize("cubic", "half_pixel", null, 1, 1, 3, 3);
        assertEquals("{\"type\":\"Upsample\",\"id\":\"y\",\"scale_factor\":3.0,\"mode\":\"bicubic\","
                + "\"align_corners\":false}]", upsample(cubic));
        OnnxBuilder sizes = withConv(13).output("y").initializer(OnnxBuilder.int64Tensor("sz",
                new long[] {1, 4, 9, 5}, 4));
        sizes.node("Resize", "rs", in("c", "", "", "sz"), "y").attr("mode", "nearest")
                .attr("coordinate_transformation_mode", "asymmetric").attr("nearest_mode", "floor");
        // a constant batch size of 1 where the model's batch is free: the sizes must take it from Shape
        refused(sizes, "Resize (node 'rs')", "sizes [1, 4, 9, 5]", "batch or channel dim");
        OnnxBuilder legacy = withConv(9).output("y").weight("scales", new float[] {1, 1, 2, 2}, 4);
        legacy.node("Upsample", "up", in("c", "scales"), "y");
        assertEquals("{\"type\":\"Upsample\",\"id\":\"y\",\"scale_factor\":2.0}]", upsample(legacy));
    }

    @Test
    void formsWithoutAPyTorchModeAreRefused() {
        refused(resize("nearest", "half_pixel", "round_prefer_floor", 1, 1, 2, 2), "Resize (node 'rs')",
                "nearest_mode=round_prefer_floor", "has no nn.Upsample form");
        refused(resize("linear", "asymmetric", null, 1, 1, 2, 2), "Resize (node 'rs')",
                "coordinate_transformation_mode=asymmetric");
        refused(resize("linear", "half_pixel", null, 1, 2, 2, 2), "scales [1.0, 2.0, 2.0, 2.0]",
                "batch or channel dim");
        refused(resize("linear", "half_pixel", null, 1, 1, 2), "needs 4 scales or sizes");
        OnnxBuilder coefficient = withConv(13).output("y").weight("scales", new float[] {1, 1, 2, 2}, 4);
        coefficient.node("Resize", "rs", in("c", "", "scales"), "y").attr("mode", "cubic")
                .attr("cubic_coeff_a", -0.5f);
        refused(coefficient, "Resize (node 'rs')", "cubic_coeff_a=-0.5", "cubic_coeff_a=-0.75");
        OnnxBuilder antialias = withConv(13).output("y").weight("scales", new float[] {1, 1, 2, 2}, 4);
        antialias.node("Resize", "rs", in("c", "", "scales"), "y").attr("antialias", 1L);
        refused(antialias, "Resize (node 'rs')", "antialias=1");
    }

    @Test
    void depthToSpaceInCrdModeIsPixelShuffle() {
        OnnxBuilder crd = withConv(13).output("y");
        crd.node("DepthToSpace", "d2s", in("c"), "y").attr("blocksize", 2L).attr("mode", "CRD");
        assertEquals("[{\"type\":\"PixelShuffle\",\"id\":\"y\",\"upscale_factor\":2}]",
                layers(convert(crd)).replaceAll("\\{\"type\":\"Conv2d\"[^}]*\\},", ""));
        OnnxBuilder dcr = withConv(13).output("y");
        dcr.node("DepthToSpace", "d2s", in("c"), "y").attr("blocksize", 2L);
        assertEquals("[{\"type\":\"PixelShuffle\",\"id\":\"y\",\"upscale_factor\":2}]",
                layers(convert(dcr)).replaceAll("\\{\"type\":\"Conv2d\"[^}]*\\},", "")); // 1 channel: same order
        OnnxBuilder s2d = withConv(13).output("y");
        s2d.node("SpaceToDepth", "s2d", in("c"), "y").attr("blocksize", 2L);
        refused(s2d, "SpaceToDepth (node 's2d')", "block-major", "only for 1 channel (here 4)");
        OnnxBuilder odd = withConv(13).output("y");
        odd.node("DepthToSpace", "d2s", in("c"), "y").attr("blocksize", 3L).attr("mode", "CRD");
        refused(odd, "DepthToSpace (node 'd2s')", "4 channels are not divisible by blocksize^2=9");
    }

    @Test
    void aTransposeOfComputedTensorsIsAPermute() {
        OnnxBuilder b = withConv(13).output("y");
        b.node("Transpose", "t", in("c"), "y").attr("perm", 0, 2, 3, 1);
        assertEquals("[{\"type\":\"Permute\",\"id\":\"y\",\"dims\":[0,2,3,1]}]",
                layers(convert(b)).replaceAll("\\{\"type\":\"Conv2d\"[^}]*\\},", ""));
    }
}
