package io.cnn4j.conv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.cnn4j.reference.NaiveConv;
import io.cnn4j.testing.Oracle;
import io.cnn4j.testing.SecondOpinion;
import java.util.function.Supplier;

/**
 * The two checks every conformance test of this family makes, whatever the op. Values are anchored on the float64
 * naive reference: cnn4j must match it, libtorch's float32 result is checked against it as a second opinion (counted
 * in the ledger, never failing). Shapes and accept/reject decisions are libtorch's, as argument validation does not
 * depend on the CPU.
 */
final class ConformanceChecks {
    private ConformanceChecks() {}

    /** A valid configuration: all three agree on shape, and cnn4j's values are the reference's. */
    static void agree(SecondOpinion ledger, Object config, Supplier<Float32Result> torch,
            Supplier<NaiveConv.Result> naive, Supplier<Float32Result> cnn4j) {
        compare(ledger, config, torch.get(), naive.get(), cnn4j.get());
    }

    private static void compare(SecondOpinion ledger, Object config, Float32Result libtorch,
            NaiveConv.Result reference, Float32Result actual) {
        assertArrayEquals(libtorch.shape(), reference.shape(), "naive shape, " + config);
        assertArrayEquals(libtorch.shape(), actual.shape(), "cnn4j shape, " + config);
        Oracle.assertClose("cnn4j vs float64 reference, " + config, reference.data(), actual.data());
        ledger.check(config, reference.data(), libtorch.data());
    }

    /**
     * A configuration that may be invalid: cnn4j throws IllegalArgumentException exactly when libtorch throws, and
     * otherwise agrees as in {@link #agree}. Returns whether libtorch rejected it.
     */
    static boolean rejectedAlike(SecondOpinion ledger, Object config, Supplier<Float32Result> torch,
            Supplier<NaiveConv.Result> naive, Supplier<Float32Result> cnn4j) {
        Float32Result libtorch = null;
        RuntimeException torchError = null;
        try {
            libtorch = torch.get();
        } catch (RuntimeException e) {
            torchError = e;
        }
        Float32Result actual = null;
        IllegalArgumentException cnn4jError = null;
        try {
            actual = cnn4j.get();
        } catch (IllegalArgumentException e) {
            cnn4jError = e;
        }
        if (torchError != null && cnn4jError == null) {
            fail("libtorch rejected but cnn4j accepted " + config + "\n libtorch: " + firstLine(torchError));
        }
        if (torchError == null && cnn4jError != null) {
            fail("cnn4j rejected but libtorch accepted " + config + "\n cnn4j: " + cnn4jError.getMessage());
        }
        if (torchError == null) {
            compare(ledger, config, libtorch, naive.get(), actual);
        }
        return torchError != null;
    }

    private static String firstLine(RuntimeException e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
