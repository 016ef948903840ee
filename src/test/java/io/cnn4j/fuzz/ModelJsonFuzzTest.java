package io.cnn4j.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Model JSON files: loaded (and run at batch 1 when small) beside a real weights file, so mutants of LeNet-5 reach
 * layer creation, weight checks, shape inference and planning. Seeds in ModelJsonFuzzTestInputs.
 */
class ModelJsonFuzzTest {
    static {
        try {
            Files.copy(Path.of("models/lenet5-mnist.safetensors"), FuzzHarness.dir().resolve("w.safetensors"),
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "15s")
    @DictionaryEntries({"\"cnn4j\"", "\"inputs\"", "\"layers\"", "\"outputs\"", "\"weights\"", "\"w.safetensors\"",
        "\"type\"", "\"name\"", "\"id\"", "\"shape\"", "\"kernel_size\"", "\"stride\"", "\"padding\"", "\"dilation\"",
        "\"groups\"", "\"in_channels\"", "\"out_channels\"", "\"in_features\"", "\"out_features\"", "\"bias\"",
        "\"Conv2d\"", "\"Conv1d\"", "\"Conv3d\"", "\"ConvTranspose2d\"", "\"Linear\"", "\"MaxPool2d\"",
        "\"AvgPool2d\"", "\"LPPool2d\"", "\"AdaptiveAvgPool2d\"", "\"BatchNorm2d\"", "\"Flatten\"", "\"Unflatten\"",
        "\"ReLU\"", "\"Softmax\"", "\"Add\"", "\"Concat\"", "\"dim\"", "\"output_size\"", "\"padding_mode\"",
        "\"reflect\"", "\"same\"", "-1", "2147483647", "1e308"})
    void modelJson(byte[] data) {
        Path file = FuzzHarness.file("model.json", data);
        FuzzHarness.expectLoadOrRefusal("a model JSON", () -> FuzzHarness.loadAndRun(file));
    }
}
