package io.cnn4j.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cnn4j.Tensor;
import io.cnn4j.layers.LayerRegistry;
import io.cnn4j.onnx.OnnxImport;
import io.cnn4j.onnx.OnnxTensorData;
import io.cnn4j.layers.WeightSource;
import io.cnn4j.weights.Weights;
import io.cnn4j.weights.WeightsReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Reads model files: a JSON description with its weights file beside it (.safetensors or a PyTorch
 * {@code torch.save(state_dict)} file), a single .safetensors whose {@code __metadata__["cnn4j"]} holds the JSON, or an
 * .onnx file, converted on the fly.
 */
final class ModelLoader {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ModelLoader() {}

    static Model load(Path path) throws IOException {
        if (!Files.isRegularFile(path)) {
            throw new NoSuchFileException(path.toString(), null, "model file not found");
        }
        String file = path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (file.endsWith(".onnx")) {
            OnnxImport.Converted converted = OnnxImport.convert(path);
            return Model.build(ModelDescription.parse(converted.model(), path.toString()),
                    source(converted.weights()));
        }
        if (file.endsWith(".safetensors")) {
            Weights weights = WeightsReader.read(path);
            String json = weights.metadata().get("cnn4j");
            if (json == null) {
                throw new IllegalArgumentException(path + " holds weights only (its __metadata__ has no \"cnn4j\" "
                        + "model description); load the model's .json file instead, which names this file under "
                        + "\"weights\"");
            }
            return Model.build(ModelDescription.parse(parseJson(json, path + " (__metadata__ cnn4j)"),
                    path.toString()), source(weights));
        }
        ModelDescription description = ModelDescription.parse(parseJson(Files.readString(path), path.toString()),
                path.toString());
        // Refuse unknown layer types before reading a possibly large weights file.
        description.layers().forEach(l -> LayerRegistry.factory(l.type(), l.describe()));
        if (description.weights() == null) {
            return Model.build(description, NO_WEIGHTS);
        }
        Path weightsPath = path.toAbsolutePath().getParent().resolve(description.weights());
        if (!Files.isRegularFile(weightsPath)) {
            throw new NoSuchFileException(weightsPath.toString(), null,
                    "weights file named by " + path + " (\"weights\": \"" + description.weights() + "\") not found");
        }
        return Model.build(description, source(WeightsReader.read(weightsPath)));
    }

    private static JsonNode parseJson(String text, String where) {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(where + " is not valid JSON: " + e.getOriginalMessage() + " (line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")");
        }
    }

    static WeightSource source(Weights weights) {
        return new WeightSource() {
            @Override
            public long[] shape(String key) {
                return weights.contains(key) ? weights.get(key).shape() : null;
            }

            @Override
            public Tensor load(String key) {
                var t = weights.get(key);
                return Tensor.of(t.data(), t.shape());
            }
        };
    }

    static WeightSource source(Map<String, OnnxTensorData> weights) {
        return new WeightSource() {
            @Override
            public long[] shape(String key) {
                OnnxTensorData t = weights.get(key);
                return t == null ? null : t.shape();
            }

            @Override
            public Tensor load(String key) {
                OnnxTensorData t = weights.get(key);
                return Tensor.of(t.data(), t.shape());
            }
        };
    }

    private static final WeightSource NO_WEIGHTS = new WeightSource() {
        @Override
        public long[] shape(String key) {
            throw new IllegalArgumentException("the model needs tensor '" + key + "', but its JSON names no "
                    + "\"weights\" file");
        }

        @Override
        public Tensor load(String key) {
            throw new IllegalStateException("no weights");
        }
    };
}
