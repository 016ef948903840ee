package io.cnn4j.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;
import java.util.Objects;

/**
 * A read-only {@link SeekableByteChannel} over the bytes between a buffer's position and limit, so that readers
 * written for files (safetensors) read a model held in memory, e.g. loaded from an Android app's assets, without a
 * copy. The caller's buffer is never modified (its position and limit included).
 */
public final class ByteBufferChannel implements SeekableByteChannel {
    private final ByteBuffer bytes;
    private long position;
    private boolean open = true;

    public ByteBufferChannel(ByteBuffer bytes) {
        this.bytes = Objects.requireNonNull(bytes, "bytes").slice();
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        checkOpen();
        if (position >= bytes.limit()) {
            return -1;
        }
        int n = (int) Math.min(dst.remaining(), bytes.limit() - position);
        dst.put(bytes.duplicate().position((int) position).limit((int) position + n));
        position += n;
        return n;
    }

    @Override
    public int write(ByteBuffer src) {
        throw new NonWritableChannelException();
    }

    @Override
    public long position() throws IOException {
        checkOpen();
        return position;
    }

    @Override
    public SeekableByteChannel position(long newPosition) throws IOException {
        checkOpen();
        if (newPosition < 0) {
            throw new IllegalArgumentException("negative position " + newPosition);
        }
        position = newPosition;
        return this;
    }

    @Override
    public long size() throws IOException {
        checkOpen();
        return bytes.limit();
    }

    @Override
    public SeekableByteChannel truncate(long size) {
        throw new NonWritableChannelException();
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() {
        open = false;
    }

    private void checkOpen() throws ClosedChannelException {
        if (!open) {
            throw new ClosedChannelException();
        }
    }

    /**
     * Every byte of {@code in} up to its end, at most {@link io.cnn4j.Limits#STREAM_BYTES}: a longer (or endless)
     * stream is refused after that many bytes, so it never takes more memory. {@code what} names the stream in the
     * message ("the weights stream"). The stream is not closed.
     *
     * @throws IllegalArgumentException if the stream is longer than the limit
     * @throws IOException              if reading fails
     */
    public static byte[] readAll(InputStream in, String what) throws IOException {
        Objects.requireNonNull(in, what);
        long limit = io.cnn4j.Limits.STREAM_BYTES.value();
        byte[] bytes = in.readNBytes((int) Math.min(limit, Integer.MAX_VALUE - 8));
        if (bytes.length == (int) Math.min(limit, Integer.MAX_VALUE - 8) && in.read() != -1) {
            throw new IllegalArgumentException(what + ": " + (limit < Integer.MAX_VALUE - 8
                    ? io.cnn4j.Limits.STREAM_BYTES.problem("the stream")
                    : "the stream has more than " + (Integer.MAX_VALUE - 8) + " bytes, the most a Java array holds; "
                    + "load a model this large from its files (Model.load(Path))"));
        }
        return bytes;
    }
}
