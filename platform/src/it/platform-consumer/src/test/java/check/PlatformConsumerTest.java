package check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cnn4j.Tensor;
import io.cnn4j.image.Images;
import io.cnn4j.model.Model;
import java.io.File;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A fresh Maven project that depends on io.cnn4j:cnn4j-platform, built with -Djavacpp.platform=NAME: it gets NAME's
 * OpenBLAS and JavaCPP natives and no other platform's, and runs the shipped LeNet-5 with them.
 */
class PlatformConsumerTest {
    private static final String PLATFORM = System.getProperty("javacpp.platform");
    private static final Path MODELS = Path.of(System.getProperty("cnn4j.models"));

    @Test
    void getsTheSelectedPlatformsNativesOnly() {
        List<String> natives = Arrays.stream(System.getProperty("surefire.test.class.path").split(File.pathSeparator))
                .map(p -> Path.of(p).getFileName().toString())
                .filter(name -> name.matches("(openblas|javacpp)-.*-(linux|macosx|windows|android)-.*\\.jar"))
                .sorted().toList();
        assertEquals(2, natives.size(), natives.toString());
        assertTrue(natives.stream().allMatch(name -> name.endsWith("-" + PLATFORM + ".jar")), natives.toString());
    }

    @Test
    void runsLeNet() throws Exception {
        try (Model model = Model.load(MODELS.resolve("lenet5-mnist.json"));
             Tensor x = Images.batchFromFiles(List.of(MODELS.resolve("samples/digit-7-19.png")),
                     model.description().preprocess());
             Tensor logits = model.run(x)) {
            float[] scores = logits.toFloatArray();
            int best = 0;
            for (int i = 1; i < scores.length; i++) {
                best = scores[i] > scores[best] ? i : best;
            }
            assertEquals(7, best, Arrays.toString(scores));
        }
    }
}
