package io.cnn4j.conv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.cnn4j.reference.NaiveConv;
import io.cnn4j.testing.Oracle;
import java.util.function.Supplier;

/** The two checks every conformance test of this family makes, whatever the op. */
final class ConformanceChecks {
    private ConformanceChecks() {}

    /** A valid configuration: libtorch, the naive reference and cnn4j agree on shape and values. */
    static void agree(Object config, Supplier<NaiveConv.Result> torch, Supplier<NaiveConv.Result> naive,
            Supplier<NaiveConv.Result> cnn4j) {
        NaiveConv.Result expected = torch.get();
        NaiveConv.Result reference = naive.get();
        NaiveConv.Result actual = cnn4j.get();
        assertArrayEquals(expected.shape(), reference.shape(), "naive shape, " + config);
        assertArrayEquals(expected.shape(), actual.shape(), "cnn4j shape, " + config);
        Oracle.assertClose("naive vs libtorch, " + config, expected.data(), reference.data());
        Oracle.assertClose("cnn4j vs libtorch, " + config, expected.data(), actual.data());
    }

    /**
     * A configuration that may be invalid: cnn4j throws IllegalArgumentException exactly when libtorch throws, and
     * otherwise computes the same. Returns whether libtorch rejected it.
     */
    static boolean rejectedAlike(Object config, Supplier<NaiveConv.Result> torch, Supplier<NaiveConv.Result> cnn4j) {
        NaiveConv.Result expected = null;
        RuntimeException torchError = null;
        try {
            expected = torch.get();
        } catch (RuntimeException e) {
            torchError = e;
        }
        NaiveConv.Result actual = null;
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
            assertArrayEquals(expected.shape(), actual.shape(), "cnn4j shape, " + config);
            Oracle.assertClose("cnn4j vs libtorch, " + config, expected.data(), actual.data());
        }
        return torchError != null;
    }

    private static String firstLine(RuntimeException e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
