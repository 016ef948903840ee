package io.cnn4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cnn4j.ops.ConvOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;

/** The Tensor API: copies in and out, direct buffers without copies, views, and the closed guard. */
class TensorTest {
    private static String message(Runnable r, Class<? extends RuntimeException> type) {
        return assertThrows(type, r::run).getMessage();
    }

    @Test
    void ofCopiesAndReadsBack() {
        try (Tensor t = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3)) {
            assertArrayEquals(new long[] {2, 3}, t.shape());
            assertEquals(6, t.numel());
            assertEquals(2, t.dim());
            assertEquals(3, t.size(-1));
            assertEquals(6f, t.get(1, 2));
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, t.toFloatArray());
        }
    }

    @Test
    void zerosAreZero() {
        try (Tensor t = Tensor.zeros(3, 4)) {
            assertArrayEquals(new float[12], t.toFloatArray());
        }
    }

    @Test
    void directBufferIsSharedWithoutCopy() {
        FloatBuffer buffer = ByteBuffer.allocateDirect(10 * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
        for (int i = 0; i < 10; i++) {
            buffer.put(i, i);
        }
        buffer.position(1).limit(8); // elements 1..7
        try (Tensor x = Tensor.wrap(buffer, 1, 1, 7); Tensor w = Tensor.of(new float[] {1, 2, 3}, 1, 1, 3);
                Tensor y = Functional.conv1d(x, w, null, new ConvOptions())) {
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 7}, x.toFloatArray());
            buffer.put(1, 10); // visible through the tensor: same memory
            assertEquals(10f, x.get(0, 0, 0));
            assertArrayEquals(new float[] {14, 20, 26, 32, 38}, y.toFloatArray());
            FloatBuffer out = FloatBuffer.allocate(5);
            y.copyTo(out);
            assertArrayEquals(new float[] {14, 20, 26, 32, 38}, out.array());
        }
    }

    @Test
    void viewsShareMemory() {
        try (Tensor t = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3); Tensor v = t.view(3, -1)) {
            assertArrayEquals(new long[] {3, 2}, v.shape());
            assertEquals(4f, v.get(1, 1));
        }
    }

    @Test
    void badShapesAndBuffersAreRefusedWithTheirValues() {
        assertTrue(message(() -> Tensor.of(new float[5], 2, 3), IllegalArgumentException.class)
                .contains("values has 5 elements but shape [2, 3] needs 6"));
        assertTrue(message(() -> Tensor.zeros(2, 0), IllegalArgumentException.class)
                .contains("shape=[2, 0]"));
        assertTrue(message(() -> Tensor.wrap(FloatBuffer.allocate(4), 4), IllegalArgumentException.class)
                .contains("direct FloatBuffer"));
        try (Tensor t = Tensor.zeros(2, 3)) {
            assertTrue(message(() -> t.view(4, -1), IllegalArgumentException.class).contains("[4, -1]"));
            assertTrue(message(() -> t.get(2, 0), IndexOutOfBoundsException.class).contains("[2, 0]"));
            assertTrue(message(() -> t.size(2), IllegalArgumentException.class).contains("dim 2"));
        }
    }

    @Test
    void useAfterCloseThrowsInsteadOfTouchingFreedMemory() {
        Tensor t = Tensor.zeros(2, 2);
        t.close();
        t.close(); // idempotent
        assertTrue(message(t::toFloatArray, IllegalStateException.class).contains("closed"));
        try (Tensor w = Tensor.zeros(1, 2, 1)) {
            assertTrue(message(() -> Functional.conv1d(t.view(1, 2, 2), w, null, null), IllegalStateException.class)
                    .contains("closed"));
        }
    }

    @Test
    void aViewOfAClosedTensorIsClosedToo() {
        Tensor t = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
        Tensor v = t.view(4);
        Tensor vv = v.view(1, 4);
        t.close();
        for (Tensor view : new Tensor[] {v, vv}) {
            assertTrue(view.isClosed(), view.toString());
            assertTrue(message(view::toFloatArray, IllegalStateException.class).contains("which is closed"));
            assertTrue(message(() -> view.get(0, 0), IllegalStateException.class).contains("closed"));
            assertTrue(message(() -> view.view(4), IllegalStateException.class).contains("closed"));
            assertTrue(message(view::pointer, IllegalStateException.class).contains("closed"));
            assertTrue(message(() -> Functional.relu(view), IllegalStateException.class).contains("closed"));
        }
        v.close(); // closing a view of a closed tensor is harmless
        try (Tensor u = Tensor.of(new float[] {1, 2}, 2)) {
            u.view(1, 2).close(); // closing a view leaves its tensor open
            assertArrayEquals(new float[] {1, 2}, u.toFloatArray());
        }
    }

    @Test
    void sizesBeyondWhatCanBeAllocatedAreJavaExceptionsNotAborts() {
        // 2^62 elements: C++ new[] would throw std::bad_array_new_length and abort the JVM.
        assertTrue(message(() -> Tensor.empty(2147483647L, 2147483647L), IllegalArgumentException.class)
                .contains("[2147483647, 2147483647] has more than"));
        assertTrue(message(() -> Tensor.zeros(1L << 32, 1L << 32, 1L << 32), IllegalArgumentException.class)
                .contains("2^45"));
        // 2^44 floats are allowed by shape but no machine has 64 TiB: an OutOfMemoryError that says what failed.
        OutOfMemoryError e = assertThrows(OutOfMemoryError.class, () -> Tensor.empty(1L << 22, 1L << 22).close());
        assertTrue(e.getMessage().contains("a tensor of shape [4194304, 4194304]"), e.getMessage());
        try (Tensor t = Tensor.zeros(2, 3)) {
            assertTrue(message(() -> t.view(1L << 40, 1L << 40, -1), IllegalArgumentException.class)
                    .contains("2^45"));
        }
    }
}
