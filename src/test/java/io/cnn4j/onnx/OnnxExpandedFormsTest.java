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
 * Clip's Where(Less) lowering as Maximum / Minimum, any other Where as the comparison and Where layers (Not, And, Or
 * as Eq 0, Mul, Maximum), PRelu with a slope along other dims and Selu with other constants as Wheres, CastLike to a float type as nothing, Reciprocal as a Div of 1; and a Pad that a pooling's
 * own padding cannot stand for (zeros before MaxPool) as a padding layer of its own. The refusals: a Where or Not of
 * something other than a comparison, comparisons of constants only, a cast to an integer type. (Numbers: ONNX's node
 * tests.)
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
    void otherWheresAreComparisonAndWhereLayers() {
        OnnxBuilder b = withConv(13).output("y").weight("z", new float[] {0}).weight("half", new float[] {0.5f});
        b.node("Greater", "g", in("c", "z"), "m");
        b.node("Mul", "mul", in("c", "half"), "scaled");
        b.node("Where", "w", in("m", "c", "scaled"), "y"); // LeakyRelu(0.5)'s expanded form
        // x * 0.5 folds into a copy of the conv
        assertEquals("[{\"type\":\"Gt\",\"id\":\"g\",\"inputs\":[\"conv\"],\"other\":0.0},{\"type\":\"Where\","
                + "\"id\":\"y\",\"inputs\":[\"g\",\"conv\",\"conv_1\"]}]", convertLayers(b));
        OnnxBuilder logic = withConv(13).output("y").weight("z", new float[] {0}).weight("one", new float[] {1});
        logic.node("Less", "l", in("c", "z"), "lt");
        logic.node("Equal", "e", in("c", "one"), "eq");
        logic.node("Or", "o", in("lt", "eq"), "le");
        logic.node("Not", "n", in("le"), "gt");
        logic.node("And", "a", in("gt", "gt"), "both");
        logic.node("Where", "w", in("both", "z", "c"), "y");
        // x <= 1 as Lt Or Eq (Maximum), Not as Eq 0, And as Mul, then a Where with the number 0 as its input
        assertEquals("[{\"type\":\"Lt\",\"id\":\"l\",\"other\":0.0},{\"type\":\"Eq\",\"id\":\"e\",\"inputs\":[\"conv\"],"
                + "\"other\":1.0},{\"type\":\"Maximum\",\"inputs\":[\"l\",\"e\"]},{\"type\":\"Eq\",\"id\":\"n\",\"other\":0.0},"
                + "{\"type\":\"Mul\",\"id\":\"a\",\"inputs\":[\"n\",\"n\"]},{\"type\":\"Where\",\"id\":\"y\",\"inputs\":"
                + "[\"a\",\"conv\"],\"input\":0.0}]", convertLayers(logic));
    }

    @Test
    void preluWithASlopeAlongAnotherDimIsAWhere() {
        OnnxBuilder b = withConv(13).output("y").weight("slope", new float[] {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f}, 6);
        b.node("PRelu", "pr", in("c", "slope"), "y");
        assertEquals("[{\"type\":\"Mul\",\"name\":\"pr\",\"other\":\"constant\"},{\"type\":\"Lt\",\"id\":\"pr_1\","
                + "\"inputs\":[\"conv\"],\"other\":0.0},{\"type\":\"Where\",\"id\":\"y\",\"inputs\":[\"pr_1\",\"pr\","
                + "\"conv\"]}]", convertLayers(b));
        OnnxBuilder batch = withConv(13).output("y").weight("slope", new float[2 * 144], 2, 4, 6, 6);
        batch.node("PRelu", "pr", in("c", "slope"), "y");
        refused(batch, "PRelu (node 'pr')", "would broadcast over the batch dim (dim 0)");
    }

    @Test
    void seluWithOtherConstantsIsAWhere() {
        OnnxBuilder b = withConv(13).output("y");
        b.node("Selu", "s", in("c"), "y").attr("alpha", 2f).attr("gamma", 3f);
        // where(x > 0, x * gamma, (exp(x) * alpha - alpha) * gamma)
        assertEquals("[{\"type\":\"Exp\"},{\"type\":\"Mul\",\"other\":2.0},{\"type\":\"Sub\",\"other\":2.0},"
                + "{\"type\":\"Mul\",\"id\":\"s_2\",\"other\":3.0},{\"type\":\"Mul\",\"id\":\"s_1\",\"inputs\":[\"conv\"],"
                + "\"other\":3.0},{\"type\":\"Gt\",\"id\":\"s\",\"inputs\":[\"conv\"],\"other\":0.0},{\"type\":\"Where\","
                + "\"id\":\"y\",\"inputs\":[\"s\",\"s_1\",\"s_2\"]}]", convertLayers(b));
    }

    @Test
    void whereOfAnythingButAComparisonIsRefused() {
        OnnxBuilder data = withConv(13).output("y");
        data.node("Relu", "r", in("c"), "m");
        data.node("Where", "w", in("m", "c", "c"), "y");
        refused(data, "Where (node 'w')", "its condition ('m') is not the result of a comparison");
        OnnxBuilder not = withConv(13).output("y");
        not.node("Not", "n", in("c"), "y");
        refused(not, "Not (node 'n')", "its input ('c') is not the result of a comparison");
        OnnxBuilder constant = withConv(13).output("y").weight("z", new float[] {0}).weight("k", new float[] {1});
        constant.node("Less", "l", in("z", "k"), "m");
        constant.node("Where", "w", in("m", "c", "c"), "y");
        refused(constant, "Less (node 'l')", "both operands are constants");
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
