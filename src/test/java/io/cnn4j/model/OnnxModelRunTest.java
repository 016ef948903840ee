package io.cnn4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.cnn4j.Tensor;
import io.cnn4j.io.Npy;
import io.cnn4j.layers.LayerRegistry;
import io.cnn4j.onnx.OnnxImport;
import io.cnn4j.testing.Oracle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Imported ONNX fixtures run by cnn4j's own runtime against onnxruntime's output (Model.build is package-private,
 * hence this package). A fixture whose layer types the runtime does not have yet is skipped, naming them; the same
 * fixtures are always checked through libtorch by io.cnn4j.onnx.OnnxFixturesTest.
 */
class OnnxModelRunTest {
    private static final Path DIR = Path.of("src/test/resources/onnx");

    static Stream<String> fixtures() throws IOException {
        try (Stream<Path> files = Files.list(DIR)) {
            return files.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".onnx"))
                    .map(f -> f.substring(0, f.length() - 5)).sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void importedModelMatchesOnnxRuntime(String fixture) throws Exception {
        OnnxImport.Converted c = OnnxImport.convert(DIR.resolve(fixture + ".onnx"));
        Set<String> missing = new TreeSet<>();
        for (JsonNode l : c.model().get("layers")) {
            if (!LayerRegistry.all().containsKey(l.get("type").asText())) {
                missing.add(l.get("type").asText());
            }
        }
        Assumptions.assumeTrue(missing.isEmpty(), fixture + " needs layer types the runtime lacks: " + missing);
        MapWeights weights = new MapWeights();
        c.weights().forEach((key, t) -> weights.put(key, t.data(), t.shape()));
        try (Model model = Model.build(ModelDescription.parse(c.model(), fixture), weights);
                Tensor x = Npy.read(DIR.resolve(fixture + ".input.npy"));
                Tensor expected = Npy.read(DIR.resolve(fixture + ".output.npy"));
                Tensor y = model.run(x)) {
            assertArrayEquals(expected.shape(), y.shape());
            Oracle.assertClose(fixture, expected.toFloatArray(), y.toFloatArray(), 1e-5);
        }
    }
}
