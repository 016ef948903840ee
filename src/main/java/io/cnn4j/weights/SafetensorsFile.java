package io.cnn4j.weights;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An open, validated safetensors file whose tensors are read one at a time, on demand, straight into the caller's
 * buffer. Model loading reads each weight into its native tensor this way, so a model's weights never pass through
 * the Java heap (which would keep the pages it touched for the life of the process: a 47 MB ResNet-18 raised the peak
 * resident set by well over 100 MB through heap copies). {@link SafetensorsReader#open} validates the whole header
 * and layout first, as {@link SafetensorsReader#read} does.
 *
 * <p>Not thread-safe: reads move the file's position. Close it when the tensors are read.
 */
public final class SafetensorsFile implements WeightsFile {
    /** One tensor of the file: its element type, shape, and where its bytes start in the file. */
    record Tensor(String name, ElementType type, long[] shape, long fileOffset) {
        int numel() {
            return (int) WeightTensor.numel(shape); // checked against ElementType.MAX_ELEMENTS when opened
        }
    }

    private final String source;
    private final SeekableByteChannel channel;
    private final Map<String, Tensor> tensors; // header order
    private final Map<String, String> metadata;
    private byte[] chunk; // read through, reused for every tensor; made by the first read

    SafetensorsFile(String source, SeekableByteChannel channel, List<Tensor> headerOrder, Map<String, String> metadata) {
        this.source = source;
        this.channel = channel;
        Map<String, Tensor> byName = new LinkedHashMap<>();
        headerOrder.forEach(t -> byName.put(t.name(), t));
        this.tensors = Collections.unmodifiableMap(byName);
        this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    @Override
    public String source() {
        return source;
    }

    @Override
    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public Set<String> names() {
        return tensors.keySet();
    }

    @Override
    public long[] shape(String name) {
        Tensor t = tensors.get(name);
        return t == null ? null : t.shape().clone();
    }

    @Override
    public void readInto(String name, FloatBuffer out) throws IOException {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException(source + " has no tensor '" + name + "'");
        }
        if (out.remaining() < t.numel()) {
            throw new IllegalArgumentException("tensor '" + name + "' of shape " + Arrays.toString(t.shape())
                    + " needs " + t.numel() + " floats, the buffer has room for " + out.remaining());
        }
        read(t, Channels.newInputStream(channel.position(t.fileOffset())), out);
    }

    /** Every tensor on the Java heap, read in one sequential pass over the data, listed in header order. */
    Weights readAll() throws IOException {
        List<Tensor> byOffset = new ArrayList<>(tensors.values());
        byOffset.sort(Comparator.comparingLong(Tensor::fileOffset));
        Map<String, WeightTensor> read = new LinkedHashMap<>();
        if (!byOffset.isEmpty()) {
            InputStream in = new BufferedInputStream(
                    Channels.newInputStream(channel.position(byOffset.get(0).fileOffset())), 1 << 16);
            for (Tensor t : byOffset) { // the tensors tile the data with no gap (validated), so no seeking
                float[] data = new float[t.numel()];
                read(t, in, FloatBuffer.wrap(data));
                read.put(t.name(), new WeightTensor(t.name(), t.shape(), data));
            }
        }
        List<WeightTensor> ordered = new ArrayList<>();
        tensors.keySet().forEach(name -> ordered.add(read.get(name)));
        return new Weights(source, ordered, metadata);
    }

    private void read(Tensor t, InputStream in, FloatBuffer out) throws IOException {
        try {
            if (chunk == null) {
                chunk = ElementType.newChunk();
            }
            t.type().read(in, out, t.numel(), ByteOrder.LITTLE_ENDIAN, chunk);
        } catch (EOFException eof) {
            throw new WeightsFormatException(source, "tensor '" + t.name() + "': " + eof.getMessage()
                    + " (file changed while reading?)", eof);
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
