package io.cnn4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cnn4j.Tensor;
import io.cnn4j.io.Npy;
import io.cnn4j.model.Model;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as a user meets it: outputs, exit codes, one-line errors. */
class CliTest {
    private static final String MODEL = "models/lenet5-mnist.json";

    @TempDir
    Path dir;

    record Result(int status, String out, String err) {}

    static Result cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(status, out.toString(), err.toString());
    }

    @Test
    void classifiesTheSampleDigits() {
        Result r = cli("run", MODEL, "models/samples/digit-7-19.png", "models/samples/digit-2-2.png", "--top", "3");
        assertEquals(0, r.status(), r.err());
        String[] lines = r.out().split("\n");
        assertTrue(lines[0].endsWith("digit-7-19.png:"), r.out());
        assertTrue(lines[1].trim().endsWith(" 7"), r.out());
        assertTrue(lines[4].endsWith("digit-2-2.png:"), r.out());
        assertTrue(lines[5].trim().endsWith(" 2"), r.out());
    }

    @Test
    void npyRoundTripEqualsTheJavaApi() throws Exception {
        Path x = dir.resolve("x.npy");
        Path y = dir.resolve("y.npy");
        try (Tensor digits = Npy.read(Path.of("src/test/resources/mnist/heldout-200.npy"))) {
            Npy.write(x, digits);
        }
        Result r = cli("run", MODEL, "--input", x.toString(), "--output", y.toString(), "--threads", "2");
        assertEquals(0, r.status(), r.err());
        try (Model model = Model.load(Path.of(MODEL)); Tensor in = Npy.read(x); Tensor expected = model.run(in);
                Tensor actual = Npy.read(y)) {
            assertArrayEquals(expected.shape(), actual.shape());
            assertArrayEquals(expected.toFloatArray(), actual.toFloatArray());
        }
    }

    @Test
    void infoPrintsLayersAndTotals() {
        Result r = cli("info", MODEL);
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("Conv2d     [1, 6, 28, 28]"), r.out());
        assertTrue(r.out().contains("total: 12 layers, 61,706 parameters, 416,520 MACs"), r.out());
    }

    @Test
    void benchPrintsPercentilesAndThroughput() {
        Result r = cli("bench", MODEL, "--iterations", "20", "--warmup", "2", "--batch", "4");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("p50"), r.out());
        assertTrue(r.out().contains("samples/s"), r.out());
        assertTrue(r.out().contains("OpenBLAS kernels " + io.cnn4j.Cnn4j.blasCoreName()), r.out());
        assertTrue(r.err().contains("22/22 runs"), r.err());
    }

    @Test
    void benchProfilePrintsEveryLayer() {
        Result r = cli("bench", MODEL, "--iterations", "5", "--warmup", "1", "--batch", "2", "--profile");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("per layer, over 5 profiled runs"), r.out());
        assertTrue(r.out().contains("outside the layers"), r.out());
        // Every layer of the file has a line: LeNet-5's 12, the ReLUs as fused into their convolution or linear layer.
        for (int layer = 0; layer < 12; layer++) {
            String number = "\\s*" + layer + "\\s.*";
            assertTrue(r.out().lines().anyMatch(line -> line.matches(number)), layer + ": " + r.out());
        }
        assertTrue(r.out().contains("fused into layer 0"), r.out());
        assertTrue(r.out().lines().anyMatch(line -> line.contains("(Conv2d)") && line.contains("[2, 6, 28, 28]")), r.out());
    }

    @Test
    void errorsAreOneLineWithStatusOne() {
        Result r = cli("run", "no-such-model.json", "--input", "x.npy");
        assertEquals(1, r.status());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("cnn4j: error: no such file: no-such-model.json"), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
    }

    @Test
    void verboseAddsTheStackTrace() {
        Result r = cli("run", "no-such-model.json", "--input", "x.npy", "--verbose");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("\tat "), r.err());
    }

    @Test
    void wrongInputShapeIsAClearError() throws Exception {
        Path x = dir.resolve("bad.npy");
        try (Tensor t = Tensor.zeros(1, 3, 28, 28)) {
            Npy.write(x, t);
        }
        Result r = cli("run", MODEL, "--input", x.toString());
        assertEquals(1, r.status());
        assertTrue(r.err().contains("input 'image' has shape [1, 3, 28, 28], but the model expects [-1, 1, 28, 28]"),
                r.err());
    }

    @Test
    void notAnNpyFile() throws Exception {
        Path x = dir.resolve("x.npy");
        Files.writeString(x, "hello");
        Result r = cli("run", MODEL, "--input", x.toString());
        assertEquals(1, r.status());
        assertTrue(r.err().contains("x.npy is a text file, not a .npy array: --input takes a float32 .npy array"),
                r.err());
    }

    @Test
    void badUsageExitsWithTwo() {
        assertEquals(2, cli("run").status());
        assertEquals(2, cli("frobnicate").status());
        Result r = cli("info", MODEL, "--threads", "0");
        assertEquals(2, r.status(), r.err());
        assertTrue(r.err().contains("--threads must be 1 to 256, got 0"), r.err());
    }

    @Test
    void outOfMemoryIsOneLineToo() throws Exception {
        // Valid, but its 2^44-float arena cannot be allocated anywhere.
        Path model = dir.resolve("huge.json");
        Files.writeString(model, "{\"cnn4j\": 1, \"name\": \"huge\", \"inputs\": [{\"name\": \"x\", \"shape\": "
                + "[-1, 1, 8, 8]}], \"layers\": [{\"type\": \"AdaptiveAvgPool2d\", \"output_size\": [4194304, "
                + "4194304]}]}");
        Path x = dir.resolve("x.npy");
        try (Tensor t = Tensor.zeros(1, 1, 8, 8)) {
            Npy.write(x, t);
        }
        Result r = cli("run", model.toString(), "--input", x.toString());
        assertEquals(1, r.status());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("cnn4j: error: out of memory: cannot allocate 70368744177664 bytes"), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
    }

    @Test
    void soakComparesEveryRunBitForBitAndPrintsAVerdict() {
        // Memory is judged by the soak command's own figures; the slack here is wide so that this test does not
        // depend on what else the test JVM allocates meanwhile.
        Result r = cli("soak", MODEL, "--workers", "3", "--runs", "40", "--max-batch", "4", "--rss-slack-mb",
                "100000");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("3 threads x 40 runs (batch sizes 1..4)"), r.out());
        assertTrue(r.out().contains("mismatches: 0 of 120 runs"), r.out());
        assertTrue(r.out().contains("verdict: PASS"), r.out());
    }

    @Test
    void soakRefusesNonsenseCountsInOneLine() {
        Result r = cli("soak", MODEL, "--workers", "0");
        assertEquals(1, r.status());
        assertTrue(r.err().startsWith("cnn4j: error: --workers, --runs and --max-batch must be >= 1"), r.err());
    }
}
