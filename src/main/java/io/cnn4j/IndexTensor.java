package io.cnn4j;

import io.cnn4j.jni.NativeCore;
import io.cnn4j.jni.NativeMemory;
import java.util.Arrays;
import org.bytedeco.javacpp.LongPointer;

/**
 * A dense, row-major int64 tensor in native memory: the indices that max pooling returns with
 * {@code return_indices=True}. As in PyTorch, each index is the flat offset of the maximum inside its own (n, c)
 * input plane, so {@code x.view(N, C, -1)[n][c][index]} is the pooled value.
 *
 * <p>It owns its memory; {@link #close()} frees it at once, and any use after close throws
 * {@link IllegalStateException}. Not synchronized: share it between threads only for reading.
 */
public final class IndexTensor implements AutoCloseable {
    private final long[] shape;
    private final long numel;
    private final LongPointer data;
    private volatile boolean closed;

    private IndexTensor(LongPointer data, long[] shape, long numel) {
        this.data = data;
        this.shape = shape;
        this.numel = numel;
    }

    /** A new index tensor of the given shape with unspecified contents (to be overwritten by an op). */
    public static IndexTensor empty(long... shape) {
        long numel = Shapes.checkShape("shape", shape);
        NativeCore.load();
        LongPointer pointer = NativeMemory.allocateLongs(numel, "indices of shape " + Arrays.toString(shape));
        return new IndexTensor(pointer, shape.clone(), numel);
    }

    /** The shape (a copy). */
    public long[] shape() {
        return shape.clone();
    }

    public int dim() {
        return shape.length;
    }

    public long numel() {
        return numel;
    }

    /** A copy of the contents as a Java array. */
    public long[] toLongArray() {
        ensureOpen();
        if (numel > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("index tensor of " + numel + " elements does not fit a Java array");
        }
        long[] out = new long[(int) numel];
        data.position(0).get(out);
        return out;
    }

    /** One element, by full index. */
    public long get(long... index) {
        ensureOpen();
        return data.get(Shapes.flatIndex(shape, index));
    }

    /** The native memory, for cnn4j's ops; only valid while this tensor is open. */
    public LongPointer pointer() {
        ensureOpen();
        return data.position(0);
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        data.close();
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("index tensor of shape " + Arrays.toString(shape) + " is closed");
        }
    }

    @Override
    public String toString() {
        return "IndexTensor" + Arrays.toString(shape) + (closed ? " (closed)" : "");
    }
}
