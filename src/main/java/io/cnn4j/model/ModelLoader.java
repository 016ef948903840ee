package io.cnn4j.model;

import java.io.IOException;
import java.nio.file.Path;

/** Reads model files: JSON + weights file, or a single-file .safetensors model. */
final class ModelLoader {
    private ModelLoader() {}

    static Model load(Path path) throws IOException {
        throw new UnsupportedOperationException("pending: weights readers");
    }
}
