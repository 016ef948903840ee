package io.cnn4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cnn4j.Tensor;
import io.cnn4j.io.Npy;
import io.cnn4j.testing.Oracle;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The shipped LeNet-5 against PyTorch's logits on held-out MNIST digits: the 200 committed with the tests always,
 * and all 2,000 when {@code scripts/fetch_mnist.sh} and {@code train_lenet5.py --dump-heldout} have written data/.
 * Same argmax on every digit; logits within 1e-4 relative to their scale.
 */
class LeNetMnistTest {
    private static final Path MODEL = Path.of("models/lenet5-mnist.json");

    @Test
    void committedHeldOutSampleMatchesPyTorch() throws Exception {
        check(Path.of("src/test/resources/mnist/heldout-200.npy"),
                Path.of("src/test/resources/mnist/heldout-200-logits.npy"), 200);
    }

    @Test
    void allHeldOutDigitsMatchPyTorchWhenFetched() throws Exception {
        Path digits = Path.of("data/heldout.npy");
        if (!Files.exists(digits)) {
            System.out.println("LeNetMnistTest: data/heldout.npy absent; the 2,000-digit check runs in the Python "
                    + "end-to-end tests (scripts/e2e.sh), and here after scripts/fetch_mnist.sh + train_lenet5.py "
                    + "--dump-heldout");
            return;
        }
        check(digits, Path.of("data/heldout-logits.npy"), 2000);
    }

    private static void check(Path digitsPath, Path logitsPath, int count) throws Exception {
        try (Model model = Model.load(MODEL); Tensor digits = Npy.read(digitsPath);
                Tensor expected = Npy.read(logitsPath); Tensor actual = model.run(digits)) {
            assertEquals(count, digits.size(0));
            float[] e = expected.toFloatArray();
            float[] a = actual.toFloatArray();
            Oracle.assertClose("LeNet-5 logits", e, a, 1e-4);
            for (int n = 0; n < count; n++) {
                assertEquals(argmax(e, n * 10), argmax(a, n * 10), "digit " + n);
            }
        }
    }

    private static int argmax(float[] v, int from) {
        int best = 0;
        for (int i = 1; i < 10; i++) {
            if (v[from + i] > v[from + best]) {
                best = i;
            }
        }
        return best;
    }
}
