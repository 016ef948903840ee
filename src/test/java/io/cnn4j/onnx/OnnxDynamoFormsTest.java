package io.cnn4j.onnx;

import static io.cnn4j.onnx.OnnxBuilder.in;
import static io.cnn4j.onnx.OnnxErrorsTest.refused;
import static io.cnn4j.onnx.OnnxErrorsTest.withConv;
import static io.cnn4j.onnx.OnnxImportTest.convert;
import static io.cnn4j.onnx.OnnxImportTest.layers;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Forms only the dynamo exporter (torch.onnx.export(dynamo=True)) writes: max_unpool as a ScatterND of the values at
 * flat indices computed from the MaxPool's ({@link UnpoolPatterns}) becomes one MaxUnpool2d, the shape arithmetic
 * only that chain read is dropped; a chain of another form is left alone and refused op by op. (Whole dynamo exports
 * of every reference architecture: python/e2e.)
 */
class OnnxDynamoFormsTest {
    /** withConv's c [N, 4, 6, 6] max-pooled 2x2, through ReLU, unpooled as dynamo writes it; rangeStart 0 is dynamo's. */
    private static OnnxBuilder dynamoUnpool(long rangeStart) {
        OnnxBuilder b = withConv(18).output("y");
        b.initializer(OnnxBuilder.int64Tensor("zero", new long[] {rangeStart}))
                .initializer(OnnxBuilder.int64Tensor("one", new long[] {1}))
                .initializer(OnnxBuilder.int64Tensor("channels", new long[] {4}))
                .initializer(OnnxBuilder.int64Tensor("plane", new long[] {36}))
                .initializer(OnnxBuilder.int64Tensor("starts", new long[] {0, 0}, 2))
                .initializer(OnnxBuilder.int64Tensor("ends", new long[] {1, 1}, 2))
                .initializer(OnnxBuilder.int64Tensor("axes", new long[] {2, 3}, 2))
                .initializer(OnnxBuilder.int64Tensor("flat", new long[] {-1}, 1))
                .initializer(OnnxBuilder.int64Tensor("planes", new long[] {-1, 4, 1, 1}, 4))
                .initializer(OnnxBuilder.int64Tensor("c4", new long[] {4}, 1))
                .initializer(OnnxBuilder.int64Tensor("s6", new long[] {6}, 1))
                .initializer(OnnxBuilder.int64Tensor("out", new long[] {-1, 4, 6, 6}, 4));
        b.node("Shape", "shape", in("x"), "batch1").attr("start", 0L).attr("end", 1L);
        b.node("Squeeze", "squeeze", in("batch1"), "batch");
        b.node("MaxPool", "mp", in("c"), "p", "i").attr("kernel_shape", 2, 2).attr("strides", 2, 2);
        b.node("MaxPool", "own", in("c"), "unused", "q").attr("kernel_shape", 1, 1).attr("strides", 1, 1);
        b.node("Slice", "first", in("q", "starts", "ends", "axes"), "q0");
        b.node("Sub", "perplane", in("i", "q0"), "t");
        b.node("Relu", "r", in("p"), "v");
        b.node("Mul", "nc", in("batch", "channels"), "limit");
        b.node("Range", "range", in("zero", "limit", "one"), "ar");
        b.node("Reshape", "view", in("ar", "planes"), "arv");
        b.node("Mul", "offsets", in("arv", "plane"), "off");
        b.node("Add", "add", in("t", "off"), "idx");
        b.node("Reshape", "idxflat", in("idx", "flat"), "idxf");
        b.node("Unsqueeze", "unsq", in("idxf", "flat"), "idxu");
        b.node("Concat", "size", in("batch1", "c4", "s6", "s6"), "size").attr("axis", 0L);
        b.node("ConstantOfShape", "zeros", in("size"), "z");
        b.node("Reshape", "zflat", in("z", "flat"), "zf");
        b.node("Reshape", "vflat", in("v", "flat"), "vf");
        b.node("ScatterND", "scatter", in("zf", "idxu", "vf"), "sc");
        b.node("Reshape", "unflat", in("sc", "out"), "y");
        return b;
    }

    @Test
    void dynamosScatteredUnpoolIsOneMaxUnpool() {
        assertEquals("[{\"type\":\"Conv2d\",\"name\":\"conv\",\"in_channels\":3,\"out_channels\":4,\"kernel_size\":3,"
                + "\"bias\":false},{\"type\":\"MaxPool2d\",\"kernel_size\":2},{\"type\":\"ReLU\",\"id\":\"r\"},"
                + "{\"type\":\"MaxUnpool2d\",\"id\":\"y\",\"inputs\":[\"r\",\"conv\"],"
                + "\"kernel_size\":2,\"output_size\":[6,6],\"pool_kernel_size\":2}]", layers(convert(dynamoUnpool(0))));
    }

    @Test
    void anotherChainIsLeftAloneAndRefusedOpByOp() {
        refused(dynamoUnpool(1), "unsupported ONNX ops: Range (node 'range'), ScatterND (node 'scatter')");
    }
}
