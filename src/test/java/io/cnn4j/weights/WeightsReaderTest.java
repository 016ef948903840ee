package io.cnn4j.weights;

import static io.cnn4j.weights.WeightFixtures.assertMatchesExpected;
import static io.cnn4j.weights.WeightFixtures.assertRefused;
import static io.cnn4j.weights.WeightFixtures.expectedFiles;
import static io.cnn4j.weights.WeightFixtures.path;
import static io.cnn4j.weights.WeightFixtures.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Format detection by content, and the Weights / WeightTensor API the model loader builds on. */
class WeightsReaderTest {
    @TempDir
    Path dir;

    @Test
    void readsEveryValidFixtureByContent() throws Exception {
        for (String file : expectedFiles()) {
            assertMatchesExpected(file, WeightsReader.read(path(file)), file.endsWith(".pt"));
        }
    }

    @Test
    void choosesByContentNotName() throws Exception {
        Path renamed = write(dir, "weights.bin", java.nio.file.Files.readAllBytes(path("tiny_f32.pt")));
        assertMatchesExpected("tiny_f32.pt", WeightsReader.read(renamed), true);
        Path renamed2 = write(dir, "weights.pt", java.nio.file.Files.readAllBytes(path("tiny_f32.safetensors")));
        assertMatchesExpected("tiny_f32.safetensors", WeightsReader.read(renamed2), false);
    }

    @Test
    void routesLegacyAndHostileFilesToTheirRefusals() {
        assertRefused(() -> WeightsReader.read(path("legacy.pt")), "legacy (non-zip) PyTorch file");
        assertRefused(() -> WeightsReader.read(path("os_system.pt")), "references os.system");
        assertRefused(() -> WeightsReader.read(path("torchscript.pt")), "TorchScript");
    }

    @Test
    void namesTheFileAndTheExpectedFormats() {
        Path text = write(dir, "notes.txt", "hello, these are not weights".getBytes(StandardCharsets.UTF_8));
        assertRefused(() -> WeightsReader.read(text), "notes.txt", "not a weights file cnn4j reads",
                "torch.save(model.state_dict()) zip archive", "safetensors file", "has 28 bytes and starts like neither");
        assertFalse(assertThrows(WeightsFormatException.class, () -> WeightsReader.read(text)).getMessage()
                .matches("(?s).*(hello|68 65).*"), "the file's bytes are not echoed");
        Path empty = write(dir, "empty.bin", new byte[0]);
        assertRefused(() -> WeightsReader.read(empty), "empty.bin", "the file is empty");
    }

    @Test
    void missingFileIsAnIOException() {
        assertThrows(java.nio.file.NoSuchFileException.class, () -> WeightsReader.read(dir.resolve("none.pt")));
    }

    @Test
    void getListsSimilarNames() throws Exception {
        Weights w = WeightsReader.read(path("tiny_f32.pt"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> w.get("bn.wieght"));
        assertTrue(e.getMessage().startsWith(path("tiny_f32.pt") + " has no tensor 'bn.wieght'; similar names: "
                + "bn.weight"), e.getMessage());
        assertTrue(e.getMessage().contains("bn.bias"), e.getMessage());
        IllegalArgumentException far = assertThrows(IllegalArgumentException.class, () -> w.get("zzzzzzzzzzzz"));
        assertTrue(far.getMessage().contains("it has 9 tensors, e.g. conv.weight, conv.bias"), far.getMessage());
    }

    @Test
    void weightsAreImmutableAndOrdered() throws Exception {
        Weights w = WeightsReader.read(path("tiny_f32.pt"));
        assertEquals(List.of("conv.weight", "conv.bias", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var",
                "bn.num_batches_tracked", "fc.weight", "fc.bias"), List.copyOf(w.names()));
        assertEquals(9, w.size());
        assertThrows(UnsupportedOperationException.class, () -> w.tensors().remove("fc.bias"));
        assertThrows(UnsupportedOperationException.class, () -> w.metadata().put("a", "b"));
        WeightTensor t = w.get("conv.weight");
        assertEquals(List.of(3L, 2L, 3L, 3L), java.util.Arrays.stream(t.shape()).boxed().toList());
        t.shape()[0] = 99; // a copy
        assertEquals(3, t.size(0));
        assertSame(t, w.get("conv.weight"));
    }

    @Test
    void weightTensorChecksShapeAgainstData() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new WeightTensor("w", new long[] {2, 3}, new float[5]));
        assertTrue(e.getMessage().contains("tensor 'w': shape [2, 3] needs 6 values, got 5"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new WeightTensor("w", new long[] {-1}, new float[0]));
        IllegalArgumentException dup = assertThrows(IllegalArgumentException.class, () -> new Weights("x",
                List.of(new WeightTensor("a", new long[0], new float[1]),
                        new WeightTensor("a", new long[0], new float[1])), Map.of()));
        assertTrue(dup.getMessage().contains("tensor name 'a' appears twice"), dup.getMessage());
    }
}
