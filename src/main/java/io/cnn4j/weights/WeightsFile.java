package io.cnn4j.weights;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.Set;

/**
 * A weights file opened for loading a model: the tensors' names and shapes up front, each tensor's values read on
 * demand into a buffer of the caller's (a native tensor's memory), so loading never needs the whole file on the
 * Java heap. {@link WeightsReader#open} opens either format; close it once the model is built.
 */
public interface WeightsFile extends AutoCloseable {
    /** The file name, for messages. */
    String source();

    /** String metadata: a safetensors file's {@code __metadata__}; empty for PyTorch files. */
    Map<String, String> metadata();

    /** The tensor names in file order. */
    Set<String> names();

    /** The shape of tensor {@code name} (a copy), or null if the file has no such tensor. */
    long[] shape(String name);

    /**
     * Reads tensor {@code name}, converted to float32, into {@code out} from its position (which advances by the
     * tensor's element count).
     *
     * @throws IllegalArgumentException if the file has no such tensor or {@code out} has too little room
     * @throws IOException              if the file cannot be read, or changed since it was opened
     */
    void readInto(String name, FloatBuffer out) throws IOException;

    @Override
    void close() throws IOException;
}
