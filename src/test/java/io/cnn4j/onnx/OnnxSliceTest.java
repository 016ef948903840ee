package io.cnn4j.onnx;

import static io.cnn4j.onnx.OnnxBuilder.in;
import static io.cnn4j.onnx.OnnxErrorsTest.refused;
import static io.cnn4j.onnx.OnnxErrorsTest.withConv;
import static io.cnn4j.onnx.OnnxImportTest.convert;
import static io.cnn4j.onnx.OnnxImportTest.layers;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * ONNX Slice and Split of computed tensors as Slice layers with clamped bounds, and the refusals (batch dim,
 * negative steps, empty slices, sizes that do not add up); a Pad that no Conv or pool absorbs as a padding module. (Numbers: python/e2e's ShuffleNetV2, whose chunk torch
 * exports as Slice, against PyTorch and onnxruntime.)
 */
class OnnxSliceTest {
    private static String convertLayers(OnnxBuilder b) {
        return layers(convert(b)).replaceAll("\\{\"type\":\"Conv2d\"[^}]*\\},?", "");
    }

    private static OnnxBuilder slice(long[] starts, long[] ends, long[] axes, long[] steps) {
        OnnxBuilder b = withConv(13).output("y").initializer(OnnxBuilder.int64Tensor("s", starts, starts.length))
                .initializer(OnnxBuilder.int64Tensor("e", ends, ends.length))
                .initializer(OnnxBuilder.int64Tensor("a", axes, axes.length))
                .initializer(OnnxBuilder.int64Tensor("p", steps, steps.length));
        b.node("Slice", "sl", in("c", "s", "e", "a", "p"), "y");
        return b;
    }

    @Test
    void sliceBecomesOneSliceLayerPerAxisWithClampedBounds() {
        assertEquals("[{\"type\":\"Slice\",\"dim\":1,\"start\":1,\"end\":4},{\"type\":\"Slice\",\"id\":\"y\",\"dim\":3,"
                + "\"start\":0,\"end\":5,\"step\":2}]", convertLayers(slice(new long[] {1, -100},
                new long[] {Long.MAX_VALUE, -1}, new long[] {1, -1}, new long[] {1, 2})));
        // the whole batch dim and a full axis are no layer at all
        assertEquals("[{\"type\":\"Slice\",\"id\":\"y\",\"dim\":2,\"start\":2,\"end\":6}]", convertLayers(slice(
                new long[] {0, 0, 2}, new long[] {Long.MAX_VALUE, 4, 6}, new long[] {0, 1, 2}, new long[] {1, 1, 1})));
        refused(slice(new long[] {1}, new long[] {2}, new long[] {0}, new long[] {1}), "Slice (node 'sl')",
                "slices axis 0, the batch dim");
        refused(slice(new long[] {-1}, new long[] {-100}, new long[] {1}, new long[] {-1}), "step -1 on axis 1",
                "torch.flip");
        refused(slice(new long[] {3}, new long[] {1}, new long[] {1}, new long[] {1}), "the slice of axis 1",
                "is empty");
    }

    @Test
    void aPadNoConvOrPoolAbsorbsIsAPaddingModule() {
        OnnxBuilder b = withConv(11).output("y").initializer(OnnxBuilder.int64Tensor("p",
                new long[] {0, 0, 1, 2, 0, 0, 1, 0}, 8)).weight("v", new float[] {0.5f});
        b.node("Pad", "pad", in("c", "p", "v"), "x1");
        b.node("Relu", "r", in("x1"), "y");
        assertEquals("[{\"type\":\"ConstantPad2d\",\"padding\":[2,0,1,1],\"value\":0.5},{\"type\":\"ReLU\","
                + "\"id\":\"y\"}]", convertLayers(b));
        OnnxBuilder edge = withConv(11).output("y").initializer(OnnxBuilder.int64Tensor("p",
                new long[] {0, 0, 0, 1, 0, 0, 0, 1}, 8));
        edge.node("Pad", "pad", in("c", "p"), "x1").attr("mode", "edge");
        edge.node("Relu", "r", in("x1"), "y");
        assertEquals("[{\"type\":\"ReplicationPad2d\",\"padding\":[1,1,0,0]},{\"type\":\"ReLU\",\"id\":\"y\"}]",
                convertLayers(edge));
    }

    @Test
    void splitBecomesSlicesOfItsInput() {
        OnnxBuilder b = withConv(13).output("y").initializer(OnnxBuilder.int64Tensor("sz", new long[] {1, 3}, 2));
        b.node("Split", "sp", in("c", "sz"), "p", "q").attr("axis", 1L);
        b.node("Concat", "cat", in("q", "p"), "y").attr("axis", 1L);
        assertEquals("[{\"type\":\"Slice\",\"id\":\"sp_1\",\"dim\":1,\"start\":0,\"end\":1},{\"type\":\"Slice\",\"id\":\"sp\","
                + "\"inputs\":[\"conv\"],\"dim\":1,\"start\":1,\"end\":4},{\"type\":\"Concat\",\"id\":\"y\","
                + "\"inputs\":[\"sp\",\"sp_1\"]}]",
                convertLayers(b));
        OnnxBuilder equal = withConv(18).output("y").output("z");
        equal.node("Split", "sp", in("c"), "y", "z").attr("axis", -1L).attr("num_outputs", 2L);
        assertEquals(2, convertLayers(equal).split("\"type\":\"Slice\"", -1).length - 1);
        OnnxBuilder bad = withConv(13).output("y").initializer(OnnxBuilder.int64Tensor("sz", new long[] {1, 2}, 2));
        bad.node("Split", "sp", in("c", "sz"), "y", "z").attr("axis", 1L);
        refused(bad, "Split (node 'sp')", "split sizes [1, 2] must be one per output (2) and sum to the 4");
        OnnxBuilder batch = withConv(13).output("y");
        batch.node("Split", "sp", in("c"), "y", "z").attr("axis", 0L);
        refused(batch, "splits axis 0, the batch dim");
    }

    /** An SE gate broadcast by Expand to the input's Shape (torch's expand_as): x.expand with -1 for kept dims. */
    @Test
    void expandToTheInputsShapeIsAnExpandLayer() {
        OnnxBuilder b = withConv(13).output("y");
        b.node("GlobalAveragePool", "gap", in("c"), "g");
        b.node("Shape", "shape", in("c"), "s");
        b.node("Expand", "ex", in("g", "s"), "e");
        b.node("Mul", "mul", in("c", "e"), "y");
        assertEquals("{\"type\":\"AdaptiveAvgPool2d\",\"output_size\":1},{\"type\":\"Expand\",\"id\":\"ex\","
                + "\"size\":[-1,-1,6,6]},{\"type\":\"Mul\",\"id\":\"y\",\"inputs\":[\"conv\",\"ex\"]}]",
                convertLayers(b).substring(1));
        // TorchScript's x.expand(-1, -1, h, w): -1 becomes 1 by Where(Equal(size, -1), 1, size), folded at load
        OnnxBuilder torch = withConv(13).output("y").initializer(OnnxBuilder.int64Tensor("size",
                new long[] {-1, -1, 6, 6}, 4)).initializer(OnnxBuilder.int64Tensor("minus", new long[] {-1}, 1))
                .initializer(OnnxBuilder.int64Tensor("one", new long[] {1}, 1));
        torch.node("GlobalAveragePool", "gap", in("c"), "g");
        torch.node("Equal", "eq", in("size", "minus"), "isneg");
        torch.node("Where", "wh", in("isneg", "one", "size"), "s");
        torch.node("Expand", "ex", in("g", "s"), "y");
        assertEquals("[{\"type\":\"AdaptiveAvgPool2d\",\"output_size\":1},{\"type\":\"Expand\",\"id\":\"y\","
                + "\"size\":[-1,-1,6,6]}]", convertLayers(torch));
        OnnxBuilder same = withConv(13).output("y").initializer(OnnxBuilder.int64Tensor("s", new long[] {4, 1, 6}, 3));
        same.node("Expand", "ex", in("c", "s"), "y");
        assertEquals("[]", convertLayers(same)); // nothing to repeat: the Conv's result is the output itself
        OnnxBuilder longer = withConv(13).output("y").initializer(OnnxBuilder.int64Tensor("s",
                new long[] {2, 1, 4, 6, 6}, 5));
        longer.node("Expand", "ex", in("c", "s"), "y");
        refused(longer, "Expand (node 'ex')", "has more dims than the input", "would move the batch dim");
        OnnxBuilder batch = withConv(13).output("y").initializer(OnnxBuilder.int64Tensor("s", new long[] {3, 4, 6, 6},
                4));
        batch.node("Expand", "ex", in("c", "s"), "y");
        refused(batch, "Expand (node 'ex')", "sets dim 0 (the batch) to 3", "keep the batch free");
        OnnxBuilder wrong = withConv(13).output("y").initializer(OnnxBuilder.int64Tensor("s", new long[] {1, 4, 5, 6},
                4));
        wrong.node("Expand", "ex", in("c", "s"), "y");
        refused(wrong, "Expand (node 'ex')", "does not broadcast to shape [1, 4, 5, 6] (dim 2: 6 against 5");
    }
}
