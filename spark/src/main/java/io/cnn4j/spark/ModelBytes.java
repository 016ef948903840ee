package io.cnn4j.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cnn4j.model.Model;
import io.cnn4j.model.ModelDescription;
import java.io.IOException;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A model's files as bytes, read on the driver and shipped to the executors once (as a broadcast variable): an
 * .onnx or single-file .safetensors model alone, or a model JSON and its weights. {@code id}, a SHA-256 of the
 * bytes, names the model in each executor's cache ({@link ExecutorModels}), so equal files share one loaded model.
 */
public record ModelBytes(String source, byte[] model, byte[] weights, String id) implements Serializable {
    /**
     * Reads a model file as {@link Model#load(Path)} takes it: an .onnx or single-file .safetensors model, or a model
     * JSON whose weights file (its "weights" entry, relative to the JSON) is read too.
     *
     * @throws IllegalArgumentException if the JSON is not a cnn4j model JSON
     * @throws IOException              if a file cannot be read
     */
    public static ModelBytes read(Path file) throws IOException {
        byte[] model = Files.readAllBytes(file);
        byte[] weights = null;
        if (file.getFileName().toString().endsWith(".json")) {
            String name = ModelDescription.parse(new ObjectMapper().readTree(model), file.toString()).weights();
            if (name != null) {
                Path sibling = file.toAbsolutePath().resolveSibling(name);
                if (!Files.isRegularFile(sibling)) {
                    throw new IllegalArgumentException(file + " names the weights file " + name + ", which is not at "
                            + sibling + ": put it beside the JSON");
                }
                weights = Files.readAllBytes(sibling);
            }
        }
        return new ModelBytes(file.toString(), model, weights, digest(model, weights));
    }

    /** An .onnx or single-file .safetensors model (or a JSON without weights) given as bytes. */
    public static ModelBytes of(String source, byte[] model) {
        return new ModelBytes(source, model.clone(), null, digest(model, null));
    }

    /** A model JSON and its weights (.safetensors or a PyTorch state_dict file) given as bytes. */
    public static ModelBytes of(String source, byte[] json, byte[] weights) {
        return new ModelBytes(source, json.clone(), weights.clone(), digest(json, weights));
    }

    /** Loads the model in this JVM (what {@link ExecutorModels} does once per executor). */
    Model load() throws IOException {
        return weights == null ? Model.load(model) : Model.load(ByteBuffer.wrap(model), ByteBuffer.wrap(weights));
    }

    private static String digest(byte[] model, byte[] weights) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(model);
            if (weights != null) {
                sha.update(weights);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }
}
