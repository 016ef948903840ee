package io.cnn4j.jni;

import io.cnn4j.Shapes;
import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * The one place cnn4j allocates native memory (tensors, index tensors, workspaces, arenas): 64-byte aligned, from
 * the core's own allocator ({@code cnn4j_alloc}), freed by {@code close()} on the returned pointer, or by a
 * {@link Cleaner} once an unclosed pointer becomes unreachable (the safety net for a tensor nobody closed).
 *
 * <p>Not through JavaCPP's own allocation: each {@code new FloatPointer(n)} reads the process's resident set from
 * /proc to enforce JavaCPP's {@code maxPhysicalBytes}, about 3 us, which was 15% of a LeNet-5 run (its output tensor).
 * JavaCPP's {@code maxBytes} is still honored as the limit on what cnn4j holds ({@link #allocatedBytes}).
 *
 * <p>Sizes are checked against {@link Shapes#MAX_ELEMENTS} first. A size that passes but cannot be had (beyond
 * {@code maxBytes}, or refused by the system) is an {@link OutOfMemoryError} whose message says what was being
 * allocated and how to give the process more memory.
 */
public final class NativeMemory {
    private static final AtomicLong ALLOCATED = new AtomicLong();
    private static final Cleaner CLEANER = Cleaner.create();

    private NativeMemory() {}

    /** {@code count} floats (at least one, so the pointer is never null) for {@code what}, e.g. "a tensor of shape [..]". */
    public static FloatPointer allocateFloats(long count, String what) {
        Shapes.checkElements(what, count);
        long n = Math.max(1, count);
        return new OwnedFloats(allocate(n * Float.BYTES, what), n);
    }

    /** {@code count} longs (at least one) for {@code what}. */
    public static LongPointer allocateLongs(long count, String what) {
        Shapes.checkElements(what, count);
        long n = Math.max(1, count);
        return new OwnedLongs(allocate(n * Long.BYTES, what), n);
    }

    /** Bytes of native memory cnn4j holds now (allocated here and not yet freed). */
    public static long allocatedBytes() {
        return ALLOCATED.get();
    }

    private static Memory allocate(long bytes, String what) {
        long limit = Pointer.maxBytes();
        if (limit > 0 && ALLOCATED.get() + bytes > limit) {
            throw outOfMemory(bytes, what);
        }
        NativeCore.load();
        long address = NativeCore.cnn4j_alloc(bytes);
        if (address == 0) {
            throw outOfMemory(bytes, what);
        }
        ALLOCATED.addAndGet(bytes);
        return new Memory(address, bytes);
    }

    private static OutOfMemoryError outOfMemory(long bytes, String what) {
        return new OutOfMemoryError("cannot allocate " + bytes + " bytes of native memory for " + what
                + " (native memory cnn4j holds: " + ALLOCATED.get() + " bytes, limit " + Pointer.maxBytes()
                + "; raise it with -Xmx or -Dorg.bytedeco.javacpp.maxBytes, or use smaller inputs)");
    }

    /** One allocation; {@link #run} frees it (the Cleaner runs it at most once, on close or when unreachable). */
    private record Memory(long address, long bytes) implements Runnable {
        @Override
        public void run() {
            NativeCore.cnn4j_free(address);
            ALLOCATED.addAndGet(-bytes);
        }
    }

    /** Floats owned by this pointer: close() frees them (copies made with new FloatPointer(p) do not own them). */
    private static final class OwnedFloats extends FloatPointer {
        private final Cleaner.Cleanable release;

        OwnedFloats(Memory memory, long count) {
            super((Pointer) null);
            address = memory.address();
            capacity = count;
            limit = count;
            release = CLEANER.register(this, memory);
        }

        @Override
        public void close() {
            address = 0;
            release.clean();
        }
    }

    /** Longs owned by this pointer, as {@link OwnedFloats}. */
    private static final class OwnedLongs extends LongPointer {
        private final Cleaner.Cleanable release;

        OwnedLongs(Memory memory, long count) {
            super((Pointer) null);
            address = memory.address();
            capacity = count;
            limit = count;
            release = CLEANER.register(this, memory);
        }

        @Override
        public void close() {
            address = 0;
            release.clean();
        }
    }
}
