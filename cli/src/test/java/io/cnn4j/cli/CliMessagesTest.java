package io.cnn4j.cli;

import static io.cnn4j.cli.CliTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cnn4j.cli.CliTest.Result;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files in the wrong place, help, and the other rough edges a new user meets: each a clear message. */
class CliMessagesTest {
    private static final String MODEL = "models/lenet5-mnist.json";
    private static final Path ONNX = Path.of("src/test/resources/onnx/gemm_opset13.onnx");
    private static final Path DIGIT = Path.of("models/samples/digit-7-19.png");

    @TempDir
    Path dir;

    private static void assertError(Result r, String expected) {
        assertEquals(1, r.status(), r.out() + r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains(expected), r.err());
    }

    @Test
    void helpWorksOnEverySubcommandAndNamesOnnx() {
        for (String command : new String[] {"info", "run", "bench", "soak", "convert"}) {
            Result r = cli(command, "--help");
            assertEquals(0, r.status(), command + ": " + r.err());
            assertTrue(r.out().startsWith("Usage: cnn4j " + command), r.out());
            assertTrue(r.out().replaceAll("\\s+", "").contains(".onnx"), r.out()); // however picocli wraps
        }
    }

    @Test
    void aJsonGivenToConvertIsNamedAsJson() throws Exception {
        assertError(cli("convert", MODEL, dir.resolve("out.json").toString()), MODEL + " is a JSON text file, not an "
                + "ONNX model: convert takes an .onnx file (if it is a cnn4j model JSON, it needs no conversion");
    }

    @Test
    void anOnnxModelNamedBinSaysToRenameIt() throws Exception {
        Path bin = Files.copy(ONNX, dir.resolve("model.bin"));
        assertError(cli("info", bin.toString()), bin + " is an ONNX model (protobuf), but its name does not end in "
                + ".onnx (cnn4j picks the reader by the name): rename it to *.onnx");
    }

    @Test
    void unknownBytesAsModel() throws Exception {
        byte[] junk = new byte[100];
        Arrays.fill(junk, (byte) 0xfe);
        Path bin = Files.write(dir.resolve("model.bin"), junk);
        assertError(cli("info", bin.toString()), bin + " is binary data of no format cnn4j knows, not a model: give "
                + "a model .json, .onnx or single-file .safetensors file");
    }

    @Test
    void aDirectoryAsModel() {
        assertError(cli("info", dir.toString()), dir + " is a directory, not a model file: give a model .json, .onnx "
                + "or single-file .safetensors file inside it");
    }

    @Test
    void imagesArraysAndPyTorchFilesAsModel() throws Exception {
        assertError(cli("info", DIGIT.toString()), DIGIT + " is a PNG image, not a model: images go after the model, "
                + "as in cnn4j run MODEL " + DIGIT);
        Path npy = Path.of("src/test/resources/mnist/heldout-200.npy");
        assertError(cli("bench", npy.toString()), npy + " is a NumPy .npy array, not a model: give it as the input "
                + "with cnn4j run MODEL --input " + npy);
        Path pt = Path.of("src/test/resources/weights/parameters.pt");
        assertError(cli("info", pt.toString()), pt + " is a zip archive (such as a PyTorch torch.save .pt file), not "
                + "a model: cnn4j reads a PyTorch state_dict file as the weights a model JSON names");
        Path empty = Files.write(dir.resolve("empty.json"), new byte[0]);
        assertError(cli("info", empty.toString()), empty + " is an empty file (0 bytes), not a model");
    }

    @Test
    void jsonNamedOnnx() throws Exception {
        Path onnx = Files.copy(Path.of(MODEL), dir.resolve("model.onnx"));
        assertError(cli("info", onnx.toString()), onnx + " is a JSON text file, not an ONNX model as its name says: "
                + "if it is a cnn4j model JSON, name it *.json");
    }

    @Test
    void inputAndImageMixups() {
        assertError(cli("run", MODEL, "--input", DIGIT.toString()), "--input " + DIGIT + " is a PNG image, not a .npy "
                + "array: images go after the model without --input, as in cnn4j run MODEL " + DIGIT);
        Path npy = Path.of("src/test/resources/mnist/heldout-200.npy");
        assertError(cli("run", MODEL, npy.toString()), "image " + npy + " is a NumPy .npy array, not an image: give "
                + "arrays with --input " + npy);
    }

    @Test
    void brokenJsonIsDescribedWithoutJacksonInternals() throws Exception {
        Path json = Files.writeString(dir.resolve("broken.json"), "{\"cnn4j\": 2, \"inputs\": [\n");
        Result r = cli("info", json.toString());
        assertError(r, json + " is not valid JSON: the text ends before the JSON is complete (an unclosed {, [ or "
                + "string, or a truncated file) (line 2, column 1)");
        Path typo = Files.writeString(dir.resolve("typo.json"), "{\"cnn4j\": 2,, \"inputs\": []}");
        r = cli("info", typo.toString());
        assertError(r, typo + " is not valid JSON: Unexpected character (',')");
        for (String internal : new String[] {"Source", "REDACTED", "StreamReadFeature", "code 44"}) {
            assertFalse(r.err().contains(internal), r.err());
        }
    }

    @Test
    void aTruncatedPngIsNamed() throws Exception {
        byte[] png = Files.readAllBytes(DIGIT);
        Path cut = Files.write(dir.resolve("cut.png"), Arrays.copyOf(png, png.length / 2));
        assertError(cli("run", MODEL, cut.toString()), cut + " is a damaged or truncated PNG image that cannot be "
                + "decoded (Error reading PNG image data): open it in an image viewer, or export or download it again");
    }

    @Test
    void aTruncatedJpegIsRefusedNotClassifiedHalfGray() {
        Path cut = Path.of("src/test/resources/preprocess/truncated.jpg");
        assertError(cli("run", MODEL, cut.toString()), cut + " is a truncated JPEG image (Truncated File - Missing "
                + "EOI marker): the file ends before its last pixels");
    }

    @Test
    void theBlasHintRespectsAUserSetCoreType() {
        assertNull(BenchCommand.blasNote(null, null));
        assertEquals("try X", BenchCommand.blasNote(null, "try X"));
        assertEquals("try X", BenchCommand.blasNote(" ", "try X"));
        assertEquals("OPENBLAS_CORETYPE=HASWELL is set: OpenBLAS uses the kernels it names",
                BenchCommand.blasNote("HASWELL", "try X"));
    }

    /** On a platform without natives (a JVM told it is macosx-arm64) the command prints the library's one line. */
    @Test
    void aPlatformWithoutNativesIsOneLine() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // Its own JavaCPP cache: main() would otherwise choose (and prune) a build directory in the user's home.
        ProcessBuilder builder = new ProcessBuilder(java, "-Dorg.bytedeco.javacpp.platform=macosx-arm64",
                "-Dorg.bytedeco.javacpp.cachedir=" + dir.resolve("javacpp-cache"), "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "info", MODEL);
        builder.redirectErrorStream(true);
        Process process = builder.start();
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "the CLI did not finish");
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(1, process.exitValue(), output);
        assertEquals(1, output.lines().count(), output);
        assertTrue(output.startsWith("cnn4j: error: cnn4j has no native library for this platform, macosx-arm64 ("),
                output);
        assertTrue(output.contains("carries natives for linux-x86_64"), output);
    }
}
