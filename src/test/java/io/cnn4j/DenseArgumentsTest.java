package io.cnn4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cnn4j.ops.Activation;
import io.cnn4j.ops.Add;
import io.cnn4j.ops.BatchNorm;
import io.cnn4j.ops.Concat;
import io.cnn4j.ops.Flatten;
import io.cnn4j.ops.Linear;
import io.cnn4j.ops.Softmax;
import io.cnn4j.ops.Unflatten;
import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Every argument the dense and element-wise ops refuse: an IllegalArgumentException whose message names the op,
 * the argument and the value it got; and the in-place and view forms that are allowed.
 */
class DenseArgumentsTest {
    private static void assertRejects(Executable call, String... fragments) {
        assertThrowsWith(IllegalArgumentException.class, call, fragments);
    }

    /** A closed tensor is a state error (IllegalStateException), like any other use of it. */
    private static void assertRejectsClosed(Executable call, String... fragments) {
        assertThrowsWith(IllegalStateException.class, call, fragments);
    }

    private static void assertThrowsWith(Class<? extends RuntimeException> type, Executable call,
            String... fragments) {
        RuntimeException e = assertThrows(type, call);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' lacks '" + f + "'");
        }
    }

    private static Tensor ones(long... shape) {
        float[] v = new float[(int) Shapes.numel(shape)];
        java.util.Arrays.fill(v, 1f);
        return Tensor.of(v, shape);
    }

    // ---- linear ----------------------------------------------------------------------------------------------------

    @Test
    void linearRefusesBadWeights() {
        assertRejects(() -> Linear.create(null, null), "linear:", "weight", "null");
        Tensor closed = ones(3, 4);
        closed.close();
        assertRejectsClosed(() -> Linear.create(closed, null), "linear:", "weight", "closed");
        try (Tensor w1 = ones(4); Tensor w3 = ones(1, 3, 4)) {
            assertRejects(() -> Linear.create(w1, null), "linear:", "weight", "2-d", "[4]");
            assertRejects(() -> Linear.create(w3, null), "linear:", "weight", "[1, 3, 4]");
        }
    }

    @Test
    void linearRefusesBadBias() {
        try (Tensor w = ones(3, 4); Tensor b4 = ones(4); Tensor b1 = ones(1); Tensor b2 = ones(1, 3)) {
            assertRejects(() -> Linear.create(w, b4), "linear:", "bias", "[3]", "[4]");
            assertRejects(() -> Linear.create(w, b1), "linear:", "bias", "[1]");
            assertRejects(() -> Linear.create(w, b2), "linear:", "bias", "[1, 3]");
        }
    }

    @Test
    void linearRefusesBadInputsAndOutputs() {
        try (Tensor w = ones(3, 4); Tensor x = ones(2, 5); Tensor good = ones(2, 4); Tensor out = ones(2, 4)) {
            Linear op = Linear.create(w, null);
            assertRejects(() -> op.outputShape(new long[] {2, 5}), "linear:", "in_features=4", "input", "[2, 5]");
            assertRejects(() -> Functional.linear(x, w, null), "linear:", "in_features=4", "[2, 5]");
            assertRejects(() -> Functional.linear(null, w, null), "linear:", "input", "null");
            assertRejects(() -> op.outputShape(new long[] {2, 0, 4}), "linear:", "input shape", "[2, 0, 4]");
            assertRejects(() -> op.outputShape(new long[0]), "linear:", "input shape", "[]");
            assertRejects(() -> op.run(good, out, null), "linear:", "output", "[2, 3]", "[2, 4]");
        }
        try (Tensor w = ones(1, 1)) { // rows beyond one BLAS int, checked on shapes alone
            assertRejects(() -> Linear.create(w, null).outputShape(new long[] {1L << 31, 1}), "linear:", "rows",
                    "2147483648");
        }
    }

    @Test
    void linearRefusesAnOutputOverlappingItsInput() {
        FloatBuffer shared = DenseFixtures.sharedBuffer(12);
        try (Tensor w = ones(2, 2); Tensor x = DenseFixtures.window(shared, 0, 3, 2);
                Tensor y = DenseFixtures.window(shared, 0, 3, 2);
                Tensor shifted = DenseFixtures.window(shared, 4, 3, 2)) {
            Linear op = Linear.create(w, null);
            assertRejects(() -> op.run(x, y, null), "linear:", "output must not overlap input", "[3, 2]");
            assertRejects(() -> op.run(x, shifted, null), "linear:", "overlap");
        }
    }

    // ---- batch norm ------------------------------------------------------------------------------------------------

    @Test
    void batchNormRefusesBadStatistics() {
        try (Tensor m = ones(3); Tensor v = ones(3); Tensor v4 = ones(4); Tensor m2 = ones(1, 3);
                Tensor w4 = ones(4); Tensor b2 = ones(2)) {
            assertRejects(() -> BatchNorm.create(0, m, v, null, null, 1e-5), "batch_norm", "dims=0");
            assertRejects(() -> BatchNorm.create(4, m, v, null, null, 1e-5), "batch_norm", "dims=4");
            assertRejects(() -> BatchNorm.create(2, null, v, null, null, 1e-5), "batch_norm2d:", "running_mean",
                    "null");
            assertRejects(() -> BatchNorm.create(2, m, null, null, null, 1e-5), "batch_norm2d:", "running_var", "null");
            assertRejects(() -> BatchNorm.create(2, m, v4, null, null, 1e-5), "batch_norm2d:", "running_var", "[4]");
            assertRejects(() -> BatchNorm.create(1, m2, v, null, null, 1e-5), "batch_norm1d:", "running_mean",
                    "[1, 3]");
            assertRejects(() -> BatchNorm.createAnyRank(m, v, w4, null, 1e-5), "batch_norm:", "weight", "[4]");
            assertRejects(() -> BatchNorm.createAnyRank(m, v, null, b2, 1e-5), "batch_norm:", "bias", "[2]");
        }
        Tensor closed = ones(3);
        closed.close();
        try (Tensor v = ones(3)) {
            assertRejectsClosed(() -> BatchNorm.create(3, closed, v, null, null, 1e-5), "batch_norm3d:",
                    "running_mean", "closed");
        }
    }

    @Test
    void batchNormRefusesInputsOfTheWrongRankOrChannels() {
        try (Tensor m = ones(3); Tensor v = ones(3)) {
            BatchNorm bn1 = BatchNorm.create(1, m, v, null, null, 1e-5);
            BatchNorm bn2 = BatchNorm.create(2, m, v, null, null, 1e-5);
            BatchNorm bn3 = BatchNorm.create(3, m, v, null, null, 1e-5);
            BatchNorm any = BatchNorm.createAnyRank(m, v, null, null, 1e-5);
            assertRejects(() -> bn1.outputShape(new long[] {2, 3, 4, 4}), "batch_norm1d:", "input", "[2, 3, 4, 4]");
            assertRejects(() -> bn1.outputShape(new long[] {3}), "batch_norm1d:", "input", "[3]");
            assertRejects(() -> bn2.outputShape(new long[] {2, 3, 4}), "batch_norm2d:", "input", "[2, 3, 4]");
            assertRejects(() -> bn3.outputShape(new long[] {2, 3, 4, 4}), "batch_norm3d:", "input", "[2, 3, 4, 4]");
            assertRejects(() -> any.outputShape(new long[] {3}), "batch_norm:", "input", "[3]");
            assertRejects(() -> bn2.outputShape(new long[] {2, 4, 5, 5}), "batch_norm2d:", "3 channels",
                    "[2, 4, 5, 5]");
            try (Tensor x = ones(2, 4)) {
                assertRejects(() -> Functional.batchNorm(x, m, v, null, null, 1e-5), "batch_norm:", "[2, 4]");
            }
        }
    }

    @Test
    void batchNormRunsInPlaceButRefusesPartialOverlap() {
        FloatBuffer shared = DenseFixtures.sharedBuffer(12);
        try (Tensor m = ones(2); Tensor v = ones(2); Tensor x = DenseFixtures.window(shared, 0, 2, 2, 2);
                Tensor shifted = DenseFixtures.window(shared, 1, 2, 2, 2)) {
            BatchNorm op = BatchNorm.create(1, m, v, null, null, 0);
            x.copyFrom(new float[] {1, 2, 3, 4, 5, 6, 7, 8});
            op.run(x, x, null);
            assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5, 6, 7}, x.toFloatArray());
            assertRejects(() -> op.run(x, shifted, null), "batch_norm1d:", "output must not overlap input");
        }
    }

    // ---- activations and softmax -----------------------------------------------------------------------------------

    @Test
    void geluRefusesAnUnknownApproximation() {
        assertRejects(() -> Activation.gelu("erf"), "gelu:", "approximate", "'erf'");
        assertRejects(() -> Activation.gelu(null), "gelu:", "approximate", "null");
        try (Tensor x = ones(2)) {
            assertRejects(() -> Functional.gelu(x, "Tanh"), "gelu:", "approximate='Tanh'");
        }
    }

    @Test
    void activationsRefuseBadOutputsAndAllowInPlace() {
        FloatBuffer shared = DenseFixtures.sharedBuffer(8);
        try (Tensor x = DenseFixtures.window(shared, 0, 4); Tensor shifted = DenseFixtures.window(shared, 2, 4);
                Tensor wrong = ones(5)) {
            Activation relu = Activation.relu();
            x.copyFrom(new float[] {-1, 2, Float.NaN, -0.5f});
            relu.run(x, x, null);
            assertArrayEquals(new float[] {0, 2, Float.NaN, 0}, x.toFloatArray());
            assertRejects(() -> relu.run(x, shifted, null), "relu:", "output must not overlap input");
            assertRejects(() -> relu.run(x, wrong, null), "relu:", "output", "[4]", "[5]");
            assertRejects(() -> relu.run(null, wrong, null), "relu:", "input", "null");
            assertRejects(() -> Functional.sigmoid(null), "sigmoid:", "input", "null");
        }
    }

    @Test
    void softmaxRefusesDimsOutOfRange() {
        try (Tensor x = ones(2, 3)) {
            assertRejects(() -> Functional.softmax(x, 2), "softmax:", "dim", "[-2, 1]", "dim=2");
            assertRejects(() -> Functional.logSoftmax(x, -3), "log_softmax:", "dim=-3");
            assertRejects(() -> Softmax.softmax(5).outputShape(new long[] {4}), "softmax:", "dim=5");
        }
    }

    // ---- add and cat -----------------------------------------------------------------------------------------------

    @Test
    void addRefusesFewInputsAndOtherShapes() {
        try (Tensor a = ones(2, 3); Tensor b = ones(3); Tensor c = ones(2, 3)) {
            assertRejects(() -> Functional.add(a), "add:", "at least 2 inputs", "got 1");
            assertRejects(() -> Functional.add(a, b), "add:", "same shape", "inputs[1]", "[3]", "[2, 3]");
            assertRejects(() -> Functional.add(a, (Tensor) null), "add:", "inputs[1]", "null");
            assertRejects(() -> Functional.add(a, (Tensor[]) null), "add:", "got 1");
            assertRejects(() -> Add.create().outputShape(new long[] {2}), "add:", "got 1");
            assertRejects(() -> Add.create().run(new Tensor[] {a, c, a}, a, null), "add:", "inputs[2]", "overlap");
            Add.create().run(new Tensor[] {a, c}, c, null); // in place into the second input is allowed
            assertArrayEquals(new float[] {2, 2, 2, 2, 2, 2}, c.toFloatArray());
        }
    }

    @Test
    void catRefusesBadListsAndDims() {
        try (Tensor a = ones(2, 3); Tensor b = ones(2, 3, 1); Tensor c = ones(3, 4)) {
            assertRejects(() -> Functional.cat(0), "cat:", "non-empty", "0 inputs");
            assertRejects(() -> Functional.cat(0, (Tensor[]) null), "cat:", "inputs", "null");
            assertRejects(() -> Functional.cat(1, a, b), "cat:", "same number of dims", "inputs[1]", "[2, 3, 1]");
            assertRejects(() -> Functional.cat(1, a, c), "cat:", "except in dim 1", "inputs[1]", "[3, 4]");
            assertRejects(() -> Functional.cat(2, a, a), "cat:", "dim", "[-2, 1]", "dim=2");
            assertRejects(() -> Functional.cat(-3, a), "cat:", "dim=-3");
            assertRejects(() -> Concat.create(1).outputShape(new long[] {1, 1L << 44}, new long[] {1, (1L << 44) + 1}),
                    "cat: output of shape [1, 35184372088833]", "2^45");
            assertRejects(() -> Concat.create(0).run(new Tensor[] {a, a}, a, null), "cat:", "output", "[4, 3]");
        }
        FloatBuffer shared = DenseFixtures.sharedBuffer(12);
        try (Tensor x = DenseFixtures.window(shared, 0, 1, 3); Tensor y = DenseFixtures.window(shared, 0, 2, 3)) {
            assertRejects(() -> Concat.create(0).run(new Tensor[] {x, x}, y, null), "cat:", "inputs[0]", "overlap");
        }
    }

    // ---- flatten and unflatten -------------------------------------------------------------------------------------

    @Test
    void flattenRefusesBadDims() {
        try (Tensor x = ones(2, 3, 4)) {
            assertRejects(() -> Functional.flatten(x, 3, -1), "flatten:", "start_dim", "[-3, 2]", "start_dim=3");
            assertRejects(() -> Functional.flatten(x, 0, -4), "flatten:", "end_dim=-4");
            assertRejects(() -> Functional.flatten(x, 2, 1), "flatten:", "start_dim cannot come after end_dim",
                    "start_dim=2", "end_dim=1");
            assertRejects(() -> Flatten.create().outputShape(new long[] {5}), "flatten:", "start_dim=1");
        }
    }

    @Test
    void unflattenRefusesBadSizesAndDims() {
        assertRejects(() -> Unflatten.create(1), "unflatten:", "sizes", "[]");
        assertRejects(() -> Unflatten.create(1, (long[]) null), "unflatten:", "sizes=null");
        assertRejects(() -> Unflatten.create(1, -1, -1), "unflatten:", "sizes=[-1, -1]");
        assertRejects(() -> Unflatten.create(1, 2, 0), "unflatten:", "sizes=[2, 0]");
        assertRejects(() -> Unflatten.create(1, -2, 3), "unflatten:", "sizes=[-2, 3]");
        assertRejects(() -> Unflatten.create(1, 4, 2).outputShape(new long[] {3, 6}), "unflatten:", "sizes=[4, 2]",
                "6", "[3, 6]");
        assertRejects(() -> Unflatten.create(1, 4, -1).outputShape(new long[] {3, 6}), "unflatten:", "sizes=[4, -1]");
        assertRejects(() -> Unflatten.create(2, 6).outputShape(new long[] {3, 6}), "unflatten:", "dim", "dim=2");
        assertRejects(() -> Unflatten.create(1, 1L << 40, 1L << 40).outputShape(new long[] {3, 6}), "unflatten:",
                "sizes=[1099511627776, 1099511627776]");
    }

    @Test
    void reshapesGiveViewsAndCopies() {
        try (Tensor x = ones(2, 3, 4)) {
            try (Tensor v = Flatten.create().view(x)) {
                assertArrayEquals(new long[] {2, 12}, v.shape());
                Flatten.create().run(x, v, null); // the view is the input's memory: nothing to copy
            }
            try (Tensor u = Unflatten.create(-1, 2, -1).view(x)) {
                assertArrayEquals(new long[] {2, 3, 2, 2}, u.shape());
            }
        }
    }
}
