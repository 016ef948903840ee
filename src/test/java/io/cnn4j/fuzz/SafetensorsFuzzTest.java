package io.cnn4j.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.cnn4j.weights.WeightsReader;
import java.nio.file.Path;

/** Safetensors files: read as weights, then as a single-file model (its header's __metadata__ "cnn4j"). */
class SafetensorsFuzzTest {
    @FuzzTest(maxDuration = "15s")
    void safetensors(byte[] data) {
        Path file = FuzzHarness.file("fuzz.safetensors", data);
        FuzzHarness.expectLoadOrRefusal("a safetensors file", () -> WeightsReader.read(file));
        FuzzHarness.expectLoadOrRefusal("a single-file safetensors model", () -> FuzzHarness.loadAndRun(file));
    }
}
