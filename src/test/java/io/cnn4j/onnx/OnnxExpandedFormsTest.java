package io.cnn4j.onnx;

import static io.cnn4j.onnx.OnnxBuilder.in;
import static io.cnn4j.onnx.OnnxErrorsTest.refused;
import static io.cnn4j.onnx.OnnxErrorsTest.withConv;
import static io.cnn4j.onnx.OnnxImportTest.convert;
import static io.cnn4j.onnx.OnnxImportTest.layers;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The float arithmetic ONNX's function bodies spell with comparisons and casts ({@link ConditionConverters}):
 * Clip's Where(Less) lowering as Maximum / Minimum, CastLike to a float type as nothing, Reciprocal as a Div of 1;
 * and a Pad that a pooling's own padding cannot stand for (zeros before MaxPool) as a padding layer of its own. The
 * refusals: other Where forms, a comparison read as data, a cast to an integer type. (Numbers: ONNX's node tests.)
 */
class OnnxExpandedFormsTest {
    private static String convertLayers(OnnxBuilder b) {
        return layers(convert(b)).replaceAll("\\{\"type\":\"Conv2d\"[^}]*\\},?", "");
    }

    @Test
    void clipsLoweringIsMaximumThenMinimum() {
        OnnxBuilder b = withConv(13).output("y").weight("lo", new float[] {-1}).weight("hi", new float[] {2});
        b.node("Less", "l1", in("c", "lo"), "c1");
        b.node("Where", "w1", in("c1", "lo", "c"), "t");
        b.node("Less", "l2", in("hi", "t"), "c2");
        b.node("Where", "w2", in("c2", "hi", "t"), "y");
        assertEquals("[{\"type\":\"Maximum\",\"other\":-1.0},{\"type\":\"Minimum\",\"id\":\"y\","
                + "\"input\":2.0}]", convertLayers(b));
    }

    @Test
    void castLikeToFloatIsTheTensorAndReciprocalIsADivOfOne() {
        OnnxBuilder b = withConv(13).output("y").weight("like", new float[] {0});
        b.node("CastLike", "cl", in("c", "like"), "f");
        b.node("Reciprocal", "rc", in("f"), "y");
        assertEquals("[{\"type\":\"Div\",\"id\":\"y\",\"input\":1.0}]", convertLayers(b));
        OnnxBuilder toInt = withConv(13).output("y").initializer(OnnxBuilder.int64Tensor("like", new long[] {0}, 1));
        toInt.node("CastLike", "cl", in("c", "like"), "y");
        refused(toInt, "CastLike (node 'cl')", "which is not a float; cnn4j computes float32");
    }

    @Test
    void otherWheresAndComparisonsAsDataAreRefused() {
        OnnxBuilder other = withConv(13).output("y").weight("z", new float[] {0});
        other.node("Less", "l", in("c", "z"), "m");
        other.node("Mul", "mul", in("c", "c"), "sq");
        other.node("Where", "w", in("m", "sq", "c"), "y");
        refused(other, "Where (node 'w')", "selects other values than the compared ones", "no PyTorch form");
        OnnxBuilder data = withConv(13).output("y").weight("z", new float[] {0});
        data.node("Less", "l", in("c", "z"), "m");
        data.node("Relu", "r", in("m"), "y");
        refused(data, "Relu (node 'r')", "the result of Less (node 'l'), is BOOL");
    }

    @Test
    void zerosBeforeMaxPoolAreAPaddingLayerOfTheirOwn() {
        OnnxBuilder b = withConv(11).output("y").initializer(OnnxBuilder.int64Tensor("p",
                new long[] {0, 0, 1, 1, 0, 0, 1, 1}, 8));
        b.node("Pad", "pad", in("c", "p"), "x1");
        b.node("MaxPool", "mp", in("x1"), "y").attr("kernel_shape", 2, 2).attr("strides", 2, 2);
        assertEquals("[{\"type\":\"ConstantPad2d\",\"padding\":1,\"value\":0.0},{\"type\":\"MaxPool2d\",\"id\":\"y\","
                + "\"kernel_size\":2}]", convertLayers(b));
    }
}
