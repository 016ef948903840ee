package io.cnn4j.jni;

import io.cnn4j.Shapes;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * The one place cnn4j allocates native memory (tensors, index tensors, workspaces, arenas).
 *
 * <p>Sizes are checked against {@link Shapes#MAX_ELEMENTS} first: JavaCPP allocates with C++ {@code new[]}, which
 * for an absurd count throws {@code std::bad_array_new_length} and aborts the whole JVM. A size that passes but
 * cannot be had (beyond JavaCPP's {@code maxBytes}, or refused by the system) is an {@link OutOfMemoryError} whose
 * message says what was being allocated and how to give the process more memory.
 */
public final class NativeMemory {
    private NativeMemory() {}

    /** {@code count} floats (at least one, so the pointer is never null) for {@code what}, e.g. "a tensor of shape [..]". */
    public static FloatPointer allocateFloats(long count, String what) {
        Shapes.checkElements(what, count);
        try {
            return checkNotNull(new FloatPointer(Math.max(1, count)), count * Float.BYTES, what);
        } catch (OutOfMemoryError e) {
            throw outOfMemory(count * Float.BYTES, what, e);
        }
    }

    /** {@code count} longs (at least one) for {@code what}. */
    public static LongPointer allocateLongs(long count, String what) {
        Shapes.checkElements(what, count);
        try {
            return checkNotNull(new LongPointer(Math.max(1, count)), count * Long.BYTES, what);
        } catch (OutOfMemoryError e) {
            throw outOfMemory(count * Long.BYTES, what, e);
        }
    }

    private static <P extends Pointer> P checkNotNull(P pointer, long bytes, String what) {
        if (pointer.isNull()) {
            throw outOfMemory(bytes, what, null);
        }
        return pointer;
    }

    private static OutOfMemoryError outOfMemory(long bytes, String what, OutOfMemoryError cause) {
        OutOfMemoryError e = new OutOfMemoryError("cannot allocate " + bytes + " bytes of native memory for " + what
                + " (native memory in use: " + Pointer.totalBytes() + " bytes, limit " + Pointer.maxBytes()
                + "; raise it with -Xmx or -Dorg.bytedeco.javacpp.maxBytes, or use smaller inputs)");
        if (cause != null) {
            e.initCause(cause);
        }
        return e;
    }
}
