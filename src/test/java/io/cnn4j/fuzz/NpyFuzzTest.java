package io.cnn4j.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.cnn4j.Tensor;
import io.cnn4j.io.Npy;
import java.nio.file.Path;

/** .npy arrays (the CLI's --input). */
class NpyFuzzTest {
    @FuzzTest(maxDuration = "15s")
    void npy(byte[] data) {
        Path file = FuzzHarness.file("fuzz.npy", data);
        FuzzHarness.expectLoadOrRefusal("an .npy file", () -> {
            try (Tensor t = Npy.read(file)) {
                t.numel();
            }
        });
    }
}
