package io.cnn4j.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Path;

/** ONNX files: converted, planned, and run at batch 1 when small. Seeds in OnnxFuzzTestInputs (small test models). */
class OnnxFuzzTest {
    @FuzzTest(maxDuration = "15s")
    void onnx(byte[] data) {
        Path file = FuzzHarness.file("fuzz.onnx", data);
        FuzzHarness.expectLoadOrRefusal("an ONNX file", () -> FuzzHarness.loadAndRun(file));
    }
}
