package io.cnn4j.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.cnn4j.Tensor;
import io.cnn4j.image.Images;
import io.cnn4j.model.ModelDescription.Preprocess;
import java.nio.file.Path;
import java.util.List;

/** Image files (the CLI's run MODEL IMAGE...): decoded, then preprocessed as LeNet-5's are (28x28 grayscale). */
class ImagesFuzzTest {
    private static final Preprocess LENET = new Preprocess(new int[] {28, 28}, "grayscale", 1 / 255.0,
            new float[] {0.1307f}, new float[] {0.3081f});

    @FuzzTest(maxDuration = "15s")
    void image(byte[] data) {
        Path file = FuzzHarness.file("fuzz.img", data);
        FuzzHarness.expectLoadOrRefusal("an image file", () -> {
            try (Tensor t = Images.batchFromFiles(List.of(file), LENET)) {
                t.numel();
            }
        });
    }
}
