package io.cnn4j;

import io.cnn4j.jni.NativeCore;
import io.cnn4j.jni.NativeMemory;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * A dense, row-major float32 tensor in native (off-heap) memory, shaped like PyTorch's (N, C, D, H, W...).
 *
 * <p>A tensor owns its memory unless it was made by {@link #wrap} or {@link #view}; {@link #close()} frees owned
 * memory at once (no waiting for the garbage collector), and any use after close throws
 * {@link IllegalStateException}. A view is closed when it or the tensor it views is closed, so it never reads
 * freed memory. A tensor is not synchronized: share it between threads only for reading.
 */
public final class Tensor implements AutoCloseable {
    private final long[] shape;
    private final long numel;
    private final FloatPointer data;
    private final long offset; // floats from data's address to element 0 (as JavaCPP's position)
    private final boolean ownsData;
    private final Tensor viewed; // the tensor whose memory a view shares (itself never a view), or null
    private volatile boolean closed;

    private Tensor(FloatPointer data, long offset, long[] shape, long numel, boolean ownsData, Tensor viewed) {
        this.data = data;
        this.offset = offset;
        this.shape = shape;
        this.numel = numel;
        this.ownsData = ownsData;
        this.viewed = viewed;
    }

    /** A new tensor with a copy of {@code values}, whose length must equal the product of {@code shape}. */
    public static Tensor of(float[] values, long... shape) {
        long numel = Shapes.checkShape("shape", shape);
        if (values.length != numel) {
            throw new IllegalArgumentException("values has " + values.length + " elements but shape "
                    + Arrays.toString(shape) + " needs " + numel);
        }
        Tensor t = allocate(shape);
        t.data.put(values);
        return t;
    }

    /** A new tensor of the given shape filled with zeros. */
    public static Tensor zeros(long... shape) {
        Tensor t = allocate(shape);
        Pointer.memset(t.data, 0, t.numel * Float.BYTES);
        return t;
    }

    /** A new tensor of the given shape with unspecified contents (to be overwritten). */
    public static Tensor empty(long... shape) {
        return allocate(shape);
    }

    /**
     * A tensor that shares the memory of a direct, native-order {@link FloatBuffer} (its elements from position to
     * limit), without copying. The buffer must stay reachable while the tensor is used.
     */
    public static Tensor wrap(FloatBuffer buffer, long... shape) {
        long numel = Shapes.checkShape("shape", shape);
        if (!buffer.isDirect() || buffer.order() != ByteOrder.nativeOrder()) {
            throw new IllegalArgumentException("buffer must be a direct FloatBuffer in native byte order "
                    + "(ByteBuffer.allocateDirect(n * 4).order(ByteOrder.nativeOrder()).asFloatBuffer()), got "
                    + (buffer.isDirect() ? "byte order " + buffer.order() : "a heap buffer"));
        }
        if (buffer.remaining() != numel) {
            throw new IllegalArgumentException("buffer has " + buffer.remaining() + " remaining elements but shape "
                    + Arrays.toString(shape) + " needs " + numel);
        }
        FloatPointer pointer = new FloatPointer(buffer.slice()); // address of the first remaining element
        return new Tensor(pointer, 0, shape.clone(), numel, false, null);
    }

    /**
     * A tensor over {@code memory}, starting {@code offset} floats in, without copying or owning it: for planners
     * that carve many tensors out of one arena. The memory must stay allocated while the tensor is used.
     */
    public static Tensor wrap(FloatPointer memory, long offset, long... shape) {
        long numel = Shapes.checkShape("shape", shape);
        if (memory == null || memory.isNull() || offset < 0
                || memory.position() + offset + numel > memory.capacity()) {
            throw new IllegalArgumentException("tensor of shape " + Arrays.toString(shape) + " at offset " + offset
                    + " does not fit memory of " + (memory == null ? 0 : memory.capacity()) + " floats (a pointer "
                    + "from elsewhere must have its capacity set)");
        }
        FloatPointer pointer = new FloatPointer(memory);
        return new Tensor(pointer, memory.position() + offset, shape.clone(), numel, false, null);
    }

    private static Tensor allocate(long[] shape) {
        long numel = Shapes.checkShape("shape", shape);
        NativeCore.load();
        FloatPointer pointer = NativeMemory.allocateFloats(numel, "a tensor of shape " + Arrays.toString(shape));
        return new Tensor(pointer, 0, shape.clone(), numel, true, null);
    }

    /** The shape (a copy). */
    public long[] shape() {
        return shape.clone();
    }

    /** Whether the shape equals {@code expected} (no copy: for checks on every run). */
    public boolean hasShape(long[] expected) {
        return Arrays.equals(shape, expected);
    }

    /** The size of dimension {@code dim}; negative dims count from the end, as in PyTorch. */
    public long size(int dim) {
        int d = dim < 0 ? dim + shape.length : dim;
        if (d < 0 || d >= shape.length) {
            throw new IllegalArgumentException("dim " + dim + " is out of range for a " + shape.length + "-d tensor");
        }
        return shape[d];
    }

    /** Number of dimensions. */
    public int dim() {
        return shape.length;
    }

    /** Number of elements. */
    public long numel() {
        return numel;
    }

    /** A copy of the contents as a Java array. */
    public float[] toFloatArray() {
        ensureOpen();
        if (numel > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("tensor of " + numel + " elements does not fit a Java array; use copyTo");
        }
        float[] out = new float[(int) numel];
        data.position(offset).get(out);
        return out;
    }

    /** Copies the contents into {@code dest} from its position; the buffer's position advances. */
    public void copyTo(FloatBuffer dest) {
        ensureOpen();
        if (dest.remaining() < numel) {
            throw new IllegalArgumentException("destination has " + dest.remaining() + " remaining elements, "
                    + "tensor has " + numel);
        }
        dest.put(data.position(offset).limit(offset + numel).asBuffer());
    }

    /**
     * The tensor's memory as a direct, native-order {@link FloatBuffer} of numel elements, without copying: writes
     * through it change the tensor. Valid only while this tensor is open.
     */
    public FloatBuffer asBuffer() {
        ensureOpen();
        return new FloatPointer(data).position(offset).limit(offset + numel).asBuffer();
    }

    /** Copies {@code values} (exactly numel of them) into this tensor. */
    public void copyFrom(float[] values) {
        ensureOpen();
        if (values.length != numel) {
            throw new IllegalArgumentException("values has " + values.length + " elements, tensor has " + numel);
        }
        data.position(offset).put(values);
    }

    /** One element, by full index. */
    public float get(long... index) {
        ensureOpen();
        return data.get(offset + Shapes.flatIndex(shape, index));
    }

    /**
     * A tensor of another shape over the same memory (same element count; -1 infers one dim). The view does not own
     * the memory: keep this tensor open while the view is used.
     */
    public Tensor view(long... newShape) {
        ensureOpen();
        long[] resolved = Shapes.resolveView(shape, newShape);
        return new Tensor(data, offset, resolved, numel, false, viewed != null ? viewed : this);
    }

    /**
     * The native memory, for cnn4j's ops (and advanced callers passing it to other JavaCPP code). The pointer is
     * only valid while this tensor is open.
     */
    public FloatPointer pointer() {
        ensureOpen();
        return data.position(offset);
    }

    /** The native address of element 0 (tensors over one arena differ here, not in their pointer's base). */
    public long address() {
        ensureOpen();
        return data.address() + offset * Float.BYTES;
    }

    /** Whether this tensor, or the tensor it is a view of, has been closed. */
    public boolean isClosed() {
        return closed || (viewed != null && viewed.closed);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (ownsData) {
            data.close();
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("tensor of shape " + Arrays.toString(shape) + " is closed");
        }
        if (viewed != null && viewed.closed) {
            throw new IllegalStateException("tensor of shape " + Arrays.toString(shape) + " is a view of a tensor of shape "
                    + Arrays.toString(viewed.shape) + ", which is closed; keep a tensor open while its views are used");
        }
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape) + (isClosed() ? " (closed)" : "");
    }
}
