package io.cnn4j.cli;

import static io.cnn4j.cli.CliTest.cli;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cnn4j.Tensor;
import io.cnn4j.cli.CliTest.Result;
import io.cnn4j.io.Npy;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Models with several inputs and outputs ({@code --input NAME=X.npy}, {@code --output NAME=Y.npy},
 * {@code --output-dir}) and with free sizes besides the batch ({@code --shape}) on the command line.
 */
class CliMultiIoTest {
    @TempDir
    Path dir;

    private Path twoByTwo;
    private Path dynamic;
    private Path a;
    private Path b;

    @BeforeEach
    void models() throws Exception {
        twoByTwo = Files.writeString(dir.resolve("two.json"), """
                {"cnn4j": 2, "name": "two",
                 "inputs": [{"name": "a", "shape": [-1, 2]}, {"name": "b", "shape": [-1, 2]}],
                 "outputs": ["sum", "prod/out"],
                 "layers": [{"type": "Add", "id": "sum", "inputs": ["a", "b"]},
                            {"type": "Mul", "id": "prod/out", "inputs": ["a", "b"]}]}""");
        dynamic = Files.writeString(dir.resolve("dynamic.json"), """
                {"cnn4j": 2, "name": "dynamic", "inputs": [{"name": "x", "shape": [-1, 1, -1, -1]}],
                 "layers": [{"type": "MaxPool2d", "kernel_size": 2}]}""");
        a = write("a.npy", new float[] {1, 2, 3, 4}, 2, 2);
        b = write("b.npy", new float[] {10, 20, 30, 40}, 2, 2);
    }

    private Path write(String name, float[] values, long... shape) throws Exception {
        Path file = dir.resolve(name);
        try (Tensor t = Tensor.of(values, shape)) {
            Npy.write(file, t);
        }
        return file;
    }

    private static float[] read(Path file) throws Exception {
        try (Tensor t = Npy.read(file)) {
            return t.toFloatArray();
        }
    }

    @Test
    void namedInputsAndOneOutputFilePerOutput() throws Exception {
        Path sum = dir.resolve("sum.npy");
        Path prod = dir.resolve("prod.npy");
        Result r = cli("run", twoByTwo.toString(), "--input", "a=" + a, "--input", "b=" + b, "--output", "sum=" + sum,
                "--output", "prod/out=" + prod);
        assertEquals(0, r.status(), r.err());
        assertArrayEquals(new float[] {11, 22, 33, 44}, read(sum));
        assertArrayEquals(new float[] {10, 40, 90, 160}, read(prod));
        assertTrue(r.out().contains("(output prod/out)"), r.out());
    }

    @Test
    void outputDirWritesEveryOutputUnderASafeName() throws Exception {
        Path out = dir.resolve("out");
        Result r = cli("run", twoByTwo.toString(), "--input", "b=" + b, "--input", "a=" + a, "--output-dir",
                out.toString());
        assertEquals(0, r.status(), r.err());
        assertArrayEquals(new float[] {11, 22, 33, 44}, read(out.resolve("sum.npy")));
        assertArrayEquals(new float[] {10, 40, 90, 160}, read(out.resolve("prod_out.npy")));
    }

    @Test
    void withoutOutputFilesEveryOutputIsPrintedByName() {
        Result r = cli("run", twoByTwo.toString(), "--input", "a=" + a, "--input", "b=" + b);
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("output sum [2, 2]:") && r.out().contains("output prod/out [2, 2]:"), r.out());
    }

    @Test
    void unnamedInputToATwoInputModelSaysToNameIt() {
        Result r = cli("run", twoByTwo.toString(), "--input", a.toString());
        assertEquals(1, r.status());
        assertTrue(r.err().contains("the model has 2 inputs [a, b]; give each as --input NAME=X.npy"), r.err());
    }

    @Test
    void aMissingInputIsNamed() {
        Result r = cli("run", twoByTwo.toString(), "--input", "a=" + a);
        assertEquals(1, r.status());
        assertTrue(r.err().contains("no --input for [b]; the model's inputs are [a, b]"), r.err());
    }

    @Test
    void aPlainOutputOfATwoOutputModelGetsTheFirstWithANote() throws Exception {
        Path y = dir.resolve("y.npy");
        Result r = cli("run", twoByTwo.toString(), "--input", "a=" + a, "--input", "b=" + b, "--output", y.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.err().contains("cnn4j: note: the model has 2 outputs [sum, prod/out]; " + y + " gets the first, "
                + "'sum' (name each with --output NAME=Y.npy, or write all with --output-dir DIR)"), r.err());
        assertArrayEquals(new float[] {11, 22, 33, 44}, read(y));
    }

    @Test
    void severalUnnamedOutputsOfATwoOutputModelSayToNameThem() {
        Result r = cli("run", twoByTwo.toString(), "--input", "a=" + a, "--input", "b=" + b, "--output",
                dir.resolve("y.npy").toString(), "--output", dir.resolve("z.npy").toString());
        assertEquals(1, r.status());
        assertTrue(r.err().contains("the model has 2 outputs [sum, prod/out]; give each as --output NAME=Y.npy, or "
                + "write all with --output-dir DIR"), r.err());
    }

    @Test
    void soakRunsATwoInputTwoOutputModel() {
        Result r = cli("soak", twoByTwo.toString(), "--workers", "2", "--runs", "10", "--max-batch", "3",
                "--rss-slack-mb", "100000");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("mismatches: 0 of 20 runs"), r.out());
    }

    @Test
    void infoListsEveryOutput() {
        Result r = cli("info", twoByTwo.toString(), "--batch", "3");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("output sum: [3, 2]") && r.out().contains("output prod/out: [3, 2]"), r.out());
    }

    @Test
    void freeHeightAndWidthNeedShape() {
        for (String command : new String[] {"info", "bench", "soak"}) {
            Result r = cli(command, dynamic.toString());
            assertEquals(1, r.status(), command);
            assertTrue(r.err().contains("input 'x' has free dims besides the batch [-1, 1, -1, -1] (an export with "
                    + "dynamic sizes); say which sizes to use with --shape 1x1x224x224 or --shape x=1x1x224x224"),
                    command + ": " + r.err());
        }
    }

    @Test
    void shapeFixesThemInInfoBenchAndSoak() {
        Result info = cli("info", dynamic.toString(), "--shape", "2x1x8x6");
        assertEquals(0, info.status(), info.err());
        assertTrue(info.out().contains("shown for [2, 1, 8, 6]") && info.out().contains("[2, 1, 4, 3]"), info.out());
        Result bench = cli("bench", dynamic.toString(), "--shape", "x=1,1,8,6", "--iterations", "3", "--warmup", "0");
        assertEquals(0, bench.status(), bench.err());
        assertTrue(bench.out().contains("input [1, 1, 8, 6]"), bench.out());
        Result soak = cli("soak", dynamic.toString(), "--shape", "1x1x8x6", "--workers", "2", "--runs", "5",
                "--max-batch", "2", "--rss-slack-mb", "100000");
        assertEquals(0, soak.status(), soak.err());
    }

    @Test
    void badShapesAreClearErrors() {
        assertTrue(cli("info", dynamic.toString(), "--shape", "y=1x1x8x8").err()
                .contains("--shape y=1x1x8x8: the model has no input 'y'; its inputs are [x]"));
        assertTrue(cli("info", dynamic.toString(), "--shape", "1x3x8x8").err()
                .contains("--shape 1x3x8x8 does not fit input 'x', declared [-1, 1, -1, -1]"));
        assertTrue(cli("info", dynamic.toString(), "--shape", "1x1x8xQ").err()
                .contains("sizes must be positive integers separated by x or commas, batch first"));
        assertTrue(cli("info", dynamic.toString(), "--shape", "1x1x8x8", "--batch", "2").err()
                .contains("--shape gives the batch size itself (its first dim); drop --batch"));
        assertTrue(cli("info", twoByTwo.toString(), "--shape", "1x2").err()
                .contains("the model has 2 inputs [a, b]; name the input, as in --shape a=1x2"));
    }

    @Test
    void runChecksTheShapeGiven() {
        Result r = cli("run", twoByTwo.toString(), "--input", "a=" + a, "--input", "b=" + b, "--shape", "a=3x2");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("input 'a' has shape [2, 2], but --shape says [3, 2]"), r.err());
    }

    @Test
    void runOnAnArrayOfFreeSizeWorksWithoutShape() throws Exception {
        Path x = write("x.npy", new float[] {1, 5, 2, 0, 3, 4, 7, 1}, 1, 1, 2, 4);
        Result r = cli("run", dynamic.toString(), "--input", x.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("output [1, 1, 1, 2]:") && r.out().contains("5.00000 7.00000"), r.out());
    }
}
