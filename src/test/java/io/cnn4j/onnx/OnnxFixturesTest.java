package io.cnn4j.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cnn4j.Tensor;
import io.cnn4j.io.Npy;
import io.cnn4j.model.ModelDescription;
import io.cnn4j.testing.Oracle;
import io.cnn4j.testing.SecondOpinion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every fixture of scripts/make_onnx_fixtures.py, end to end: the converted description parses as a version-1
 * model, and running it as PyTorch modules in float64 ({@link Float64Interpreter}, the anchor) gives what
 * onnxruntime computed for the .onnx file, for the fixture's batch of 2 and for its first sample alone (the model
 * works at any batch size). Running it through libtorch float32 ({@link TorchInterpreter}) is the counted second
 * opinion.
 */
class OnnxFixturesTest {
    static final Path DIR = Path.of("src/test/resources/onnx");
    /** onnxruntime computes in float32 in its own order; errors relative to the output's scale. */
    private static final double RTOL = 1e-5;
    private static final SecondOpinion LEDGER = SecondOpinion.of("onnx fixtures (interpreted through libtorch)");

    @AfterAll
    static void report() {
        LEDGER.report();
    }

    static Stream<String> fixtures() throws IOException {
        try (Stream<Path> files = Files.list(DIR)) {
            return files.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".onnx"))
                    .map(f -> f.substring(0, f.length() - 5)).sorted().toList().stream();
        }
    }

    static float[][] npy(Path path, long[][] shape) throws IOException {
        try (Tensor t = Npy.read(path)) {
            shape[0] = t.shape();
            return new float[][] {t.toFloatArray()};
        }
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void convertedModelComputesWhatOnnxRuntimeComputed(String fixture) throws IOException {
        OnnxImport.Converted c = OnnxImport.convert(DIR.resolve(fixture + ".onnx"));
        ModelDescription.parse(c.model(), fixture); // the description is well-formed for cnn4j's reader
        long[][] inShape = new long[1][];
        long[][] outShape = new long[1][];
        float[] x = npy(DIR.resolve(fixture + ".input.npy"), inShape)[0];
        float[] expected = npy(DIR.resolve(fixture + ".output.npy"), outShape)[0];
        assertComputesWhatOnnxRuntimeComputed(fixture, c, x, inShape[0], expected);

        long batch = inShape[0][0];
        long[] one = inShape[0].clone();
        one[0] = 1;
        assertComputesWhatOnnxRuntimeComputed(fixture + " (batch 1)", c, Arrays.copyOf(x, (int) (x.length / batch)),
                one, Arrays.copyOf(expected, (int) (expected.length / outShape[0][0])));
        assertEquals(-1, c.model().get("inputs").get(0).get("shape").get(0).asLong(), "batch dim is free");
        assertArrayEquals(Arrays.copyOfRange(inShape[0], 1, inShape[0].length),
                Arrays.stream(Arrays.copyOfRange(toLongs(c.model().get("inputs").get(0).get("shape")), 1,
                        inShape[0].length)).toArray());
    }

    /** onnxruntime's output against the float64 interpretation; libtorch's interpretation to the ledger. */
    private static void assertComputesWhatOnnxRuntimeComputed(String context, OnnxImport.Converted c, float[] x,
            long[] shape, float[] onnxRuntime) {
        double[] reference = Float64Interpreter.run(c.model(), c.weights(), x, shape);
        Oracle.assertClose(context + ": onnxruntime vs the description in float64", reference, onnxRuntime, RTOL);
        LEDGER.check(context, reference, TorchInterpreter.run(c.model(), c.weights(), x, shape), RTOL);
    }

    private static long[] toLongs(com.fasterxml.jackson.databind.JsonNode a) {
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asLong();
        }
        return out;
    }
}
