package io.cnn4j.io;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * The rule for files a model file names (a model JSON's weights, an ONNX model's external data): a relative path
 * that stays inside the model's folder, so a model cannot make cnn4j read, or quote in an error, any other file.
 * The check is lexical (after normalizing "..") as ONNX Runtime's; symbolic links inside the folder are followed,
 * as caches such as Hugging Face's link their files.
 */
public final class ModelFolder {
    private ModelFolder() {}

    /** {@code relative} resolved in {@code folder}, or null if it is absolute, malformed or leads outside. */
    public static Path resolveInside(Path folder, String relative) {
        Path base = folder.toAbsolutePath().normalize();
        try {
            if (Path.of(relative).isAbsolute()) {
                return null;
            }
            Path resolved = base.resolve(relative).normalize();
            return resolved.startsWith(base) && !resolved.equals(base) ? resolved : null;
        } catch (InvalidPathException e) {
            return null;
        }
    }
}
