package io.cnn4j.model;

import io.cnn4j.Tensor;
import io.cnn4j.io.Npy;
import io.cnn4j.onnx.OnnxImport;
import io.cnn4j.testing.Oracle;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * An imported ONNX model run by cnn4j's own runtime against onnxruntime's output. Uses a convolution-only fixture
 * (the layers this runtime has so far); the other fixtures are checked through libtorch in io.cnn4j.onnx.
 */
class OnnxModelRunTest {
    @Test
    void importedConvolutionsMatchOnnxRuntime() throws Exception {
        Path dir = Path.of("src/test/resources/onnx");
        OnnxImport.Converted c = OnnxImport.convert(dir.resolve("convs_opset13.onnx"));
        MapWeights weights = new MapWeights();
        c.weights().forEach((key, t) -> weights.put(key, t.data(), t.shape()));
        try (Model model = Model.build(ModelDescription.parse(c.model(), "convs_opset13"), weights);
                Tensor x = Npy.read(dir.resolve("convs_opset13.input.npy"));
                Tensor expected = Npy.read(dir.resolve("convs_opset13.output.npy"));
                Tensor y = model.run(x)) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(expected.shape(), y.shape());
            Oracle.assertClose("convs_opset13", expected.toFloatArray(), y.toFloatArray(), 1e-5);
        }
    }
}
