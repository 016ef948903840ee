package io.cnn4j.onnx;

import static io.cnn4j.onnx.OnnxBuilder.in;
import static io.cnn4j.onnx.OnnxErrorsTest.refused;
import static io.cnn4j.onnx.OnnxErrorsTest.withConv;
import static io.cnn4j.onnx.OnnxImportTest.convert;
import static io.cnn4j.onnx.OnnxImportTest.layers;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * ONNX ReduceSum / ReduceMean / ReduceMax / ReduceMin over any non-batch axes (attribute or input axes,
 * keepdims, noop_with_empty_axes) as the format's Sum / Mean / Amax / Amin, spatial means still global pooling; MatMul
 * of computed tensors, or with a constant that is not a plain [in, out] matrix, as Matmul; the refusals (the batch
 * dim reduced, contracted or broadcast). (Numbers: ONNX's node tests, python/e2e's reduction_attention_net.)
 */
class OnnxReduceMatMulTest {
    private static String convertLayers(OnnxBuilder b) {
        return layers(convert(b)).replaceAll("\\{\"type\":\"Conv2d\"[^}]*\\},?", "");
    }

    /** ReduceL1, L2, SumSquare, LogSum and LogSumExp as the layers ONNX defines them by (numbers: the node tests). */
    @Test
    void compositeReductionsAreSpeltWithReductionLayers() {
        OnnxBuilder l2 = withConv(13).output("y");
        l2.node("ReduceL2", "r", in("c"), "y").attr("axes", new long[] {1L});
        assertEquals("[{\"type\":\"Pow\",\"other\":2},{\"type\":\"Sum\",\"dim\":[1],\"keepdim\":true},"
                + "{\"type\":\"Sqrt\",\"id\":\"y\"}]", convertLayers(l2));
        OnnxBuilder l1 = withConv(18).output("y").initializer(OnnxBuilder.int64Tensor("ax", new long[] {2, 3}, 2));
        l1.node("ReduceL1", "r", in("c", "ax"), "y").attr("keepdims", 0L);
        assertEquals("[{\"type\":\"Abs\"},{\"type\":\"Sum\",\"id\":\"y\",\"dim\":[2,3],\"keepdim\":false}]",
                convertLayers(l1));
        OnnxBuilder lse = withConv(13).output("y");
        lse.node("ReduceLogSumExp", "r", in("c"), "y").attr("axes", new long[] {-1L}).attr("keepdims", 0L);
        String layers = convertLayers(lse);
        assertEquals(true, layers.startsWith("[{\"type\":\"Amax\",\"id\":"), layers);
        for (String type : new String[] {"Sub", "Exp", "Sum", "Log", "Add"}) {
            assertEquals(true, layers.contains("{\"type\":\"" + type + "\""), layers);
        }
        OnnxBuilder batch = withConv(13).output("y");
        batch.node("ReduceSumSquare", "r", in("c"), "y");
        refused(batch, "ReduceSumSquare (node 'r')", "no axes reduce every dim", "the batch dim 0 included");
    }

    /** The composites' numbers, ReduceLogSumExp on values whose exp overflows float32 (torch.logsumexp's form). */
    @Test
    void compositeReductionsComputeWhatOnnxDefines() throws Exception {
        float[] x = {1, -2, 3, 0.5f, 100, 200, -300, 50, -1, -1, -1, -1};
        for (String op : new String[] {"ReduceL1", "ReduceL2", "ReduceSumSquare", "ReduceLogSum", "ReduceLogSumExp"}) {
            OnnxBuilder b = new OnnxBuilder().opset(13).input("x", -1, 3, 4).output("y");
            b.node(op, "r", in("x"), "y").attr("axes", new long[] {-1L}).attr("keepdims", 0L);
            float[] input = op.equals("ReduceLogSum") ? abs(x) : x;
            try (io.cnn4j.model.Model m = io.cnn4j.model.Model.load(b.build());
                    io.cnn4j.Tensor in = io.cnn4j.Tensor.of(input, 1, 3, 4); io.cnn4j.Tensor y = m.run(in)) {
                float[] got = y.toFloatArray();
                for (int row = 0; row < 3; row++) {
                    double l1 = 0;
                    double sq = 0;
                    double sum = 0;
                    double max = Double.NEGATIVE_INFINITY;
                    for (int i = 0; i < 4; i++) {
                        double v = input[row * 4 + i];
                        l1 += Math.abs(v);
                        sq += v * v;
                        sum += v;
                        max = Math.max(max, v);
                    }
                    double lse = 0;
                    for (int i = 0; i < 4; i++) {
                        lse += Math.exp(input[row * 4 + i] - max);
                    }
                    double expected = switch (op) {
                        case "ReduceL1" -> l1;
                        case "ReduceL2" -> Math.sqrt(sq);
                        case "ReduceSumSquare" -> sq;
                        case "ReduceLogSum" -> Math.log(sum);
                        default -> Math.log(lse) + max;
                    };
                    assertEquals(expected, got[row], 1e-5 * Math.max(1, Math.abs(expected)), op + " row " + row);
                }
            }
        }
    }

    private static float[] abs(float[] v) {
        float[] a = v.clone();
        for (int i = 0; i < a.length; i++) {
            a[i] = Math.abs(a[i]);
        }
        return a;
    }

    @Test
    void reductionsBecomeReductionLayersWithTheirAxes() {
        OnnxBuilder attr = withConv(13).output("y");
        attr.node("ReduceMax", "r", in("c"), "y").attr("axes", 1, -1).attr("keepdims", 0L);
        assertEquals("[{\"type\":\"Amax\",\"id\":\"y\",\"dim\":[1,3],\"keepdim\":false}]", convertLayers(attr));
        OnnxBuilder input = withConv(13).output("y").initializer(OnnxBuilder.int64Tensor("ax", new long[] {2}, 1));
        input.node("ReduceSum", "r", in("c", "ax"), "y");
        assertEquals("[{\"type\":\"Sum\",\"id\":\"y\",\"dim\":[2],\"keepdim\":true}]", convertLayers(input));
        OnnxBuilder min18 = withConv(18).output("y").initializer(OnnxBuilder.int64Tensor("ax", new long[] {1, 2}, 2));
        min18.node("ReduceMin", "r", in("c", "ax"), "y");
        assertEquals("[{\"type\":\"Amin\",\"id\":\"y\",\"dim\":[1,2],\"keepdim\":true}]", convertLayers(min18));
        OnnxBuilder channels = withConv(11).output("y");
        channels.node("ReduceMean", "r", in("c"), "y").attr("axes", new long[] {1L});
        assertEquals("[{\"type\":\"Mean\",\"id\":\"y\",\"dim\":[1],\"keepdim\":true}]", convertLayers(channels));
        OnnxBuilder spatial = withConv(11).output("y");
        spatial.node("ReduceMean", "r", in("c"), "y").attr("axes", 2, 3);
        assertEquals("[{\"type\":\"AdaptiveAvgPool2d\",\"id\":\"y\",\"output_size\":1}]", convertLayers(spatial));
        OnnxBuilder noop = withConv(18).output("y");
        noop.node("ReduceSum", "r", in("c"), "s").attr("noop_with_empty_axes", 1L);
        noop.node("Relu", "relu", in("s"), "y");
        assertEquals("[{\"type\":\"ReLU\",\"id\":\"y\"}]", convertLayers(noop));
    }

    @Test
    void reductionsOverTheBatchDimAreRefused() {
        OnnxBuilder all = withConv(13).output("y");
        all.node("ReduceSum", "r", in("c"), "y");
        refused(all, "ReduceSum (node 'r')", "no axes reduce every dim", "batch dim 0");
        OnnxBuilder batch = withConv(11).output("y");
        batch.node("ReduceMin", "r", in("c"), "y").attr("axes", new long[] {-4L});
        refused(batch, "ReduceMin (node 'r')", "axes [-4] include the batch dim 0");
        OnnxBuilder twice = withConv(11).output("y");
        twice.node("ReduceMax", "r", in("c"), "y").attr("axes", 1, -3);
        refused(twice, "ReduceMax (node 'r')", "name dim 1 twice");
    }

    @Test
    void matMulOfComputedTensorsIsMatmul() {
        OnnxBuilder b = withConv(13).output("y").initializer(OnnxBuilder.int64Tensor("perm", new long[0], 0));
        b.node("Transpose", "t", in("c"), "ct").attr("perm", 0, 1, 3, 2);
        b.node("MatMul", "mm", in("c", "ct"), "y");
        assertEquals("[{\"type\":\"Permute\",\"id\":\"t\",\"dims\":[0,1,3,2]},{\"type\":\"Matmul\",\"id\":\"y\","
                + "\"inputs\":[\"conv\",\"t\"]}]", convertLayers(b));
        OnnxBuilder param = withConv(13).output("y").weight("m", new float[36], 1, 1, 6, 6);
        param.node("MatMul", "mm", in("m", "c"), "y");
        assertEquals("[{\"type\":\"Matmul\",\"name\":\"mm\",\"id\":\"y\",\"input\":\"constant\"}]",
                convertLayers(param));
        OnnxBuilder linear = withConv(13).output("y").weight("m", new float[30], 6, 5);
        linear.node("MatMul", "mm", in("c", "m"), "y");
        assertEquals("[{\"type\":\"Linear\",\"name\":\"mm\",\"id\":\"y\",\"in_features\":6,\"out_features\":5,"
                + "\"bias\":false}]", convertLayers(linear));
    }

    @Test
    void matMulThatWouldTouchTheBatchDimIsRefused() {
        OnnxBuilder batch = withConv(13).output("y").weight("m", new float[72], 2, 1, 6, 6);
        batch.node("MatMul", "mm", in("c", "m"), "y");
        refused(batch, "MatMul (node 'mm')", "A [-1, 4, 6, 6] times B [2, 1, 6, 6]", "batch dim (dim 0)");
        OnnxBuilder ranks = withConv(13).output("y").initializer(OnnxBuilder.int64Tensor("s", new long[] {0, -1}, 2));
        ranks.node("Reshape", "flat", in("c", "s"), "f");
        ranks.node("MatMul", "mm", in("c", "f"), "y");
        refused(ranks, "MatMul (node 'mm')", "two computed operands must have the same rank, at least 3");
        OnnxBuilder inner = withConv(13).output("y").weight("m", new float[35], 1, 5, 7);
        inner.node("MatMul", "mm", in("c", "m"), "y");
        refused(inner, "MatMul (node 'mm')", "cannot be multiplied: A's last dim 6 against B's 5");
    }

    /** ONNX's test_maxpool_with_argmax_*: the indices as a graph output, counted across the tensor as ONNX does. */
    @Test
    void aMaxPoolsIndicesAsAnOutputAreFloat32Integers() {
        OnnxBuilder b = withConv(13).output("p").output("i");
        b.node("MaxPool", "mp", in("c"), "p", "i").attr("kernel_shape", 3, 3).attr("strides", 2, 2)
                .attr("pads", 1, 1, 1, 1);
        assertEquals("[{\"type\":\"MaxPool2d\",\"id\":\"p\",\"kernel_size\":3,\"stride\":2,\"padding\":1},"
                + "{\"type\":\"MaxPoolIndices2d\",\"id\":\"i\",\"inputs\":[\"conv\"],\"kernel_size\":3,"
                + "\"stride\":2,\"padding\":1,\"indices\":\"tensor\"}]", convertLayers(b));
        OnnxBuilder cast = withConv(13).output("y");
        cast.node("MaxPool", "mp", in("c"), "p", "i").attr("kernel_shape", 2, 2).attr("strides", 2, 2);
        cast.node("Cast", "f", in("i"), "fi").attr("to", 1L);
        cast.node("Mul", "half", in("fi", "p"), "y");
        assertEquals("[{\"type\":\"MaxPool2d\",\"id\":\"mp_1\",\"kernel_size\":2},{\"type\":\"MaxPoolIndices2d\","
                + "\"id\":\"mp\",\"inputs\":[\"conv\"],\"kernel_size\":2,\"indices\":\"tensor\"},{\"type\":\"Mul\","
                + "\"id\":\"y\",\"inputs\":[\"mp\",\"mp_1\"]}]", convertLayers(cast));
        OnnxBuilder toInt = withConv(13).output("y");
        toInt.node("Cast", "f", in("c"), "y").attr("to", 7L);
        refused(toInt, "Cast (node 'f')", "the target data type is INT64", "casts a computed one only to FLOAT");
        OnnxBuilder columns = withConv(13).output("i");
        columns.node("MaxPool", "mp", in("c"), "p", "i").attr("kernel_shape", 2, 2).attr("storage_order", 1L);
        refused(columns, "MaxPool (node 'mp')", "storage_order=1 counts them column-major, for which there is no "
                + "PyTorch form", "export with the default storage_order=0");
        OnnxBuilder padded = withConv(13).output("i").initializer(OnnxBuilder.int64Tensor("pads",
                new long[] {0, 0, 1, 1, 0, 0, 1, 1}, 8)).initializer(OnnxBuilder.floatTensor("inf",
                new float[] {Float.NEGATIVE_INFINITY}));
        padded.node("Pad", "pad", in("c", "pads", "inf"), "cp");
        padded.node("MaxPool", "mp", in("cp"), "p", "i").attr("kernel_shape", 3, 3);
        refused(padded, "MaxPool (node 'mp')", "it pools the output of Pad (node 'pad')", "without a Pad before it");
    }

    @Test
    void maxUnpoolOfAMaxPoolsIndicesRecomputesThem() {
        OnnxBuilder b = withConv(13).output("y");
        b.node("MaxPool", "mp", in("c"), "p", "i").attr("kernel_shape", 2, 2).attr("strides", 2, 2);
        b.node("Relu", "r", in("p"), "q");
        b.node("MaxUnpool", "up", in("q", "i"), "y").attr("kernel_shape", 2, 2).attr("strides", 2, 2);
        assertEquals("[{\"type\":\"MaxPool2d\",\"kernel_size\":2},{\"type\":\"ReLU\",\"id\":\"r\"},"
                + "{\"type\":\"MaxUnpool2d\",\"id\":\"y\",\"inputs\":[\"r\",\"conv\"],\"kernel_size\":2,"
                + "\"pool_kernel_size\":2}]", convertLayers(b));
        OnnxBuilder constant = withConv(13).output("y").initializer(OnnxBuilder.int64Tensor("i", new long[36], 1, 1,
                6, 6));
        constant.node("MaxUnpool", "up", in("c", "i"), "y").attr("kernel_shape", 1, 1);
        refused(constant, "MaxUnpool (node 'up')", "is a constant", "recomputes the indices from the MaxPool");
        OnnxBuilder other = withConv(13).output("y");
        other.node("MaxPool", "mp", in("c"), "p", "i").attr("kernel_shape", 2, 2).attr("strides", 2, 2);
        other.node("Add", "add", in("p", "i"), "y");
        assertEquals("[{\"type\":\"MaxPool2d\",\"id\":\"mp\",\"kernel_size\":2},{\"type\":\"MaxPoolIndices2d\","
                + "\"id\":\"mp_1\",\"inputs\":[\"conv\"],\"kernel_size\":2,\"indices\":\"tensor\"},{\"type\":\"Add\","
                + "\"id\":\"y\",\"inputs\":[\"mp\",\"mp_1\"]}]", convertLayers(other));
        OnnxBuilder bigger = withConv(13).output("y").initializer(OnnxBuilder.int64Tensor("os",
                new long[] {1, 4, 7, 7}, 4));
        bigger.node("MaxPool", "mp", in("c"), "p", "i").attr("kernel_shape", 2, 2).attr("strides", 2, 2);
        bigger.node("MaxUnpool", "up", in("p", "i", "os"), "y").attr("kernel_shape", 2, 2).attr("strides", 2, 2);
        refused(bigger, "MaxUnpool (node 'up')", "output size [7, 7] differs from the pooled tensor's [6, 6]");
    }

    @Test
    void gemmWithAComputedCIsLinearPlusBetaTimesC() {
        OnnxBuilder b = withConv(13).output("y").weight("w1", OnnxBuilder.ramp(12), 4, 3)
                .weight("w2", OnnxBuilder.ramp(12), 3, 4);
        b.node("GlobalAveragePool", "gap", in("c"), "g");
        b.node("Flatten", "flat", in("g"), "f");
        b.node("Gemm", "inner", in("f", "w2"), "cc").attr("transB", 1L);
        b.node("Gemm", "fc", in("f", "w1", "cc"), "y").attr("beta", 0.5f).attr("alpha", 2f);
        // alpha folds into fc's weight; C = inner(f) is computed, so it is added after the bias-free Linear
        assertEquals("[{\"type\":\"AdaptiveAvgPool2d\",\"output_size\":1},{\"type\":\"Flatten\",\"id\":\"flat\"},"
                + "{\"type\":\"Linear\",\"name\":\"inner\",\"in_features\":4,\"out_features\":3,\"bias\":false},"
                + "{\"type\":\"Linear\",\"name\":\"fc\",\"inputs\":[\"flat\"],\"in_features\":4,\"out_features\":3,"
                + "\"bias\":false},{\"type\":\"Mul\",\"id\":\"fc_1\",\"inputs\":[\"inner\"],\"other\":0.5},"
                + "{\"type\":\"Add\",\"id\":\"y\",\"inputs\":[\"fc\",\"fc_1\"]}]", convertLayers(b));
    }
}
