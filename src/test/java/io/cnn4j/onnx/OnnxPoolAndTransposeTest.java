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
 * ONNX forms valid models use that cnn4j once refused: LpPool as LPPool (after a zero ConstantPad for its pads),
 * and a ConvTranspose output_shape larger than the natural size as output_padding. (Numbers: python/e2e's ONNX
 * node tests.)
 */
class OnnxPoolAndTransposeTest {
    private static String convertLayers(OnnxBuilder b) {
        return layers(convert(b)).replaceAll("\\{\"type\":\"Conv2d\"[^}]*\\},?", "");
    }

    @Test
    void lpPoolIsLpPoolAfterAZeroPad() {
        OnnxBuilder b = withConv(18).output("y");
        b.node("LpPool", "lp", in("c"), "y").attr("kernel_shape", 2, 2).attr("strides", 1, 2).attr("pads", 1, 0, 0, 1);
        assertEquals("[{\"type\":\"ConstantPad2d\",\"padding\":[0,1,1,0],\"value\":0.0},{\"type\":\"LPPool2d\","
                + "\"id\":\"y\",\"norm_type\":2,\"kernel_size\":2,\"stride\":[1,2]}]", convertLayers(b));
        OnnxBuilder odd = withConv(18).output("y");
        odd.node("LpPool", "lp", in("c"), "y").attr("kernel_shape", 2, 2).attr("p", 3L);
        refused(odd, "LpPool (node 'lp')", "p=3", "even p only");
        OnnxBuilder dilated = withConv(18).output("y");
        dilated.node("LpPool", "lp", in("c"), "y").attr("kernel_shape", 2, 2).attr("dilations", 2, 2);
        refused(dilated, "LpPool (node 'lp')", "no dilation");
    }

    @Test
    void aLargerOutputShapeIsOutputPadding() {
        OnnxBuilder b = new OnnxBuilder().opset(13).input("x", -1, 4, 8, 8).weight("w", ramp(4 * 3 * 9), 4, 3, 3, 3)
                .output("y");
        // stride 2, kernel 3: 2 * 7 + 3 = 17 naturally; 18 is one row and column of output_padding
        b.node("ConvTranspose", "ct", in("x", "w"), "y").attr("strides", 2, 2).attr("output_shape", 18, 18);
        String l = layers(convert(b));
        assertEquals(true, l.contains("\"stride\":2") && l.contains("\"output_padding\":1"), l);
        OnnxBuilder tooLarge = new OnnxBuilder().opset(13).input("x", -1, 4, 8, 8)
                .weight("w", ramp(4 * 3 * 9), 4, 3, 3, 3).output("y");
        tooLarge.node("ConvTranspose", "ct", in("x", "w"), "y").attr("strides", 2, 2).attr("output_shape", 19, 19);
        refused(tooLarge, "ConvTranspose (node 'ct')", "0 <= output_padding < max(stride, dilation)");
    }
}
