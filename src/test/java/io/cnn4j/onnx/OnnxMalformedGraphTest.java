package io.cnn4j.onnx;

import static io.cnn4j.onnx.OnnxBuilder.in;
import static io.cnn4j.onnx.OnnxBuilder.int64Tensor;
import static io.cnn4j.onnx.OnnxBuilder.ramp;
import static io.cnn4j.onnx.OnnxErrorsTest.refused;
import static io.cnn4j.onnx.OnnxErrorsTest.withConv;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Files that parse but describe impossible graphs (huge sizes, attribute lists shorter than the op needs, values that
 * do not fit the ints they stand for) are refused with an IllegalArgumentException naming the input or node and
 * what is wrong; never an ArrayIndexOutOfBounds, Arithmetic or other runtime exception.
 */
class OnnxMalformedGraphTest {
    private static final long HUGE = 1L << 40;

    /** x [N, 4, 8, 8] -> ConvTranspose (4 -> 3, 3x3) named 'ct' -> y. */
    private static OnnxBuilder convTranspose(OnnxBuilder.NodeB[] node) {
        OnnxBuilder b = new OnnxBuilder().input("x", -1, 4, 8, 8).weight("w", ramp(4 * 3 * 9), 4, 3, 3, 3)
                .output("y");
        node[0] = b.node("ConvTranspose", "ct", in("x", "w"), "y");
        return b;
    }

    private static Arguments refusal(String name, Supplier<OnnxBuilder> model, String... fragments) {
        return Arguments.of(name, model, fragments);
    }

    /** Slice (opset 13) of Shape(c) with the given starts/ends/axes/steps, feeding a Reshape of c. */
    private static OnnxBuilder sliceOfShape(long[] axes, long[] steps) {
        OnnxBuilder b = withConv(13).output("y").initializer(int64Tensor("starts", new long[] {0, 1}, 2))
                .initializer(int64Tensor("ends", new long[] {1, 4}, 2))
                .initializer(int64Tensor("axes", axes, axes.length))
                .initializer(int64Tensor("steps", steps, steps.length));
        b.node("Shape", "sh", in("c"), "s");
        b.node("Slice", "sl", in("s", "starts", "ends", "axes", "steps"), "ss");
        b.node("Reshape", "r", in("c", "ss"), "y");
        return b;
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                refusal("input with dims of 2^40", () -> {
                    OnnxBuilder b = new OnnxBuilder().input("x", -1, HUGE, HUGE, 1).output("y");
                    b.node("Relu", "r", in("x"), "y");
                    return b;
                }, "graph input 'x'", "[-1, 1099511627776, 1099511627776, 1]", "2^45"),
                refusal("input whose element count overflows a long", () -> {
                    OnnxBuilder b = new OnnxBuilder().input("x", 1, HUGE, HUGE, HUGE).output("y");
                    b.node("Flatten", "f", in("x"), "y");
                    return b;
                }, "graph input 'x'", "elements per sample"),
                refusal("ConvTranspose output_shape shorter than the spatial rank", () -> {
                    OnnxBuilder.NodeB[] n = new OnnxBuilder.NodeB[1];
                    OnnxBuilder b = convTranspose(n);
                    n[0].attr("output_shape", new long[] {10});
                    return b;
                }, "ConvTranspose (node 'ct')", "output_shape has 1 values [10], expected 2"),
                refusal("ConvTranspose output_shape empty", () -> {
                    OnnxBuilder.NodeB[] n = new OnnxBuilder.NodeB[1];
                    OnnxBuilder b = convTranspose(n);
                    n[0].attr("output_shape", new long[0]);
                    return b;
                }, "ConvTranspose (node 'ct')", "output_shape has 0 values"),
                refusal("ConvTranspose output_shape negative", () -> {
                    OnnxBuilder.NodeB[] n = new OnnxBuilder.NodeB[1];
                    OnnxBuilder b = convTranspose(n);
                    n[0].attr("output_shape", Long.MIN_VALUE, 10);
                    return b;
                }, "ConvTranspose (node 'ct')", "output_shape must be positive"),
                refusal("ConvTranspose whose output has more than 2^45 elements", () -> {
                    OnnxBuilder b = new OnnxBuilder().input("x", -1, 4, 1L << 20, 8)
                            .weight("w", ramp(4 * 3 * 9), 4, 3, 3, 3).output("y");
                    b.node("ConvTranspose", "ct", in("x", "w"), "y").attr("strides", 1L << 30, 1);
                    return b;
                }, "ConvTranspose (node 'ct')", "its output 'y' has shape", "2^45"),
                refusal("Slice axes shorter than starts", () -> sliceOfShape(new long[] {0}, new long[] {1, 1}),
                        "Slice (node 'sl')", "axes [0] has 1 values, but starts [0, 1] has 2"),
                refusal("Slice steps shorter than starts", () -> sliceOfShape(new long[] {0, 0}, new long[] {1}),
                        "Slice (node 'sl')", "steps [1] has 1 values, but starts [0, 1] has 2"),
                refusal("Slice (opset 9) axes attribute shorter than starts", () -> {
                    OnnxBuilder b = withConv(9).output("y");
                    b.node("Shape", "sh", in("c"), "s");
                    b.node("Slice", "sl", in("s"), "ss").attr("starts", 0, 1).attr("ends", 1, 4)
                            .attr("axes", new long[] {0});
                    b.node("Reshape", "r", in("c", "ss"), "y");
                    return b;
                }, "Slice (node 'sl')", "axes [0] has 1 values, but starts [0, 1] has 2"),
                refusal("Cast to a data type beyond 32 bits", () -> {
                    OnnxBuilder b = withConv(13).output("y");
                    b.node("Shape", "sh", in("c"), "s");
                    b.node("Cast", "cast", in("s"), "s64").attr("to", (1L << 32) + 7);
                    b.node("Reshape", "r", in("c", "s64"), "y");
                    return b;
                }, "Cast (node 'cast')", "attribute to must be a 32-bit value, got to=4294967303"),
                refusal("Conv dilation of 2^62", () -> {
                    OnnxBuilder m = new OnnxBuilder().input("x", -1, 3, 8, 8).weight("w", ramp(4 * 3 * 9), 4, 3, 3, 3)
                            .output("y");
                    m.node("Conv", "conv", in("x", "w"), "y").attr("dilations", 1L << 62, 1);
                    return m;
                }, "Conv (node 'conv')", "attribute dilations must be in 1..2147483647"),
                refusal("Pad of 2^63 - 1 folded into a Conv", () -> {
                    OnnxBuilder b = new OnnxBuilder().opset(9).input("x", -1, 3, 8, 8)
                            .weight("w", ramp(4 * 3 * 9), 4, 3, 3, 3).output("y");
                    b.node("Pad", "pad", in("x"), "p").attr("pads", 0, 0, Long.MAX_VALUE, 1, 0, 0, Long.MAX_VALUE, 1);
                    b.node("Conv", "conv", in("p", "w"), "y");
                    return b;
                }, "Pad (node 'pad')", "pads must be in -2147483647..2147483647"),
                refusal("Reshape whose sizes multiply past 2^63", () -> {
                    OnnxBuilder b = withConv(13).output("y")
                            .initializer(int64Tensor("s", new long[] {-1, 1L << 32, 1L << 32, 144}, 4));
                    b.node("Reshape", "r", in("c", "s"), "y");
                    return b;
                }, "Reshape (node 'r')", "overflow a 64-bit integer"),
                refusal("Flatten axis far outside the rank", () -> {
                    OnnxBuilder b = withConv(13).output("y");
                    b.node("Flatten", "f", in("c"), "y").attr("axis", 1L << 33);
                    return b;
                }, "Flatten (node 'f')", "axis must be in [-4, 4] for a rank-4 input, got axis=8589934592"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void isRefusedNamingWhatIsWrong(String name, Supplier<OnnxBuilder> model, String[] fragments) {
        refused(model.get(), fragments);
    }

    @Test
    void theLoaderNamesTheFileToo(@TempDir Path dir) throws Exception {
        OnnxBuilder b = new OnnxBuilder().input("x", -1, HUGE, HUGE, 1).output("y");
        b.node("Relu", "r", in("x"), "y");
        Path file = dir.resolve("huge.onnx");
        Files.write(file, b.build());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxImport.convert(file));
        assertTrue(e.getMessage().startsWith(file + ": graph input 'x' has shape"), e.getMessage());
    }

    @Test
    void flattenCountsANegativeAxisFromTheRank() {
        OnnxBuilder minus3 = withConv(13).output("y");
        minus3.node("Flatten", "f", in("c"), "y").attr("axis", -3L);
        OnnxImport.Converted c = OnnxImportTest.convert(minus3);
        assertTrue(OnnxImportTest.layers(c).contains("{\"type\":\"Flatten\",\"id\":\"y\"}"), OnnxImportTest.layers(c));

        OnnxBuilder minus4 = withConv(13).output("y");
        minus4.node("Flatten", "f", in("c"), "y").attr("axis", -4L);
        refused(minus4, "Flatten (node 'f')", "axis=-4 (dim 0 of a rank-4 input) merges the batch dim");
        OnnxBuilder minus1 = withConv(13).output("y");
        minus1.node("Flatten", "f", in("c"), "y").attr("axis", -1L);
        refused(minus1, "Flatten (node 'f')", "axis=-1 (dim 3 of a rank-4 input) merges the batch dim");
    }
}
