package io.cnn4j.model;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import io.cnn4j.Tensor;
import io.cnn4j.io.ModelFolder;
import io.cnn4j.layers.LayerRegistry;
import io.cnn4j.onnx.OnnxImport;
import io.cnn4j.onnx.OnnxTensorData;
import io.cnn4j.layers.WeightSource;
import io.cnn4j.ops.ConvWeight;
import io.cnn4j.weights.WeightsFile;
import io.cnn4j.weights.WeightsReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Reads model files: a JSON description with its weights file beside it (.safetensors or a PyTorch
 * {@code torch.save(state_dict)} file), a single .safetensors whose {@code __metadata__["cnn4j"]} holds the JSON, or an
 * .onnx file, converted on the fly (with the preprocess block of {@code <model>.onnx.preprocess.json} if it is beside
 * it).
 */
final class ModelLoader {
    private ModelLoader() {}

    static Model load(Path path, ModelOptions options) throws IOException {
        if (Files.isDirectory(path)) {
            throw new IllegalArgumentException(path + " is a directory, not a model file: give the model's .json, "
                    + ".onnx or .safetensors file inside it");
        }
        if (!Files.isRegularFile(path)) {
            throw new NoSuchFileException(path.toString(), null, "model file not found");
        }
        String file = path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (file.endsWith(".onnx")) {
            OnnxImport.Converted converted = OnnxImport.convert(path);
            JsonNode preprocess = onnxPreprocess(path);
            if (preprocess != null) {
                converted.model().set("preprocess", preprocess);
            }
            return Model.build(ModelDescription.parse(converted.model(), path.toString()),
                    source(converted.weights()), options);
        }
        if (file.endsWith(".safetensors")) {
            try (WeightsFile weights = WeightsReader.open(path)) {
                String json = weights.metadata().get("cnn4j");
                if (json == null) {
                    throw new IllegalArgumentException(path + " holds weights only (its __metadata__ has no "
                            + "\"cnn4j\" model description); load the model's .json file instead, which names this "
                            + "file under \"weights\"");
                }
                return build(ModelDescription.parse(parseJson(json, path + " (__metadata__ cnn4j)"),
                        path.toString()), source(weights, path, options), options);
            }
        }
        ModelDescription description = ModelDescription.parse(parseJson(readUtf8(path), path.toString()),
                path.toString());
        // Refuse unknown layer types before reading a possibly large weights file.
        description.layers().forEach(l -> LayerRegistry.factory(l.type(), l.describe()));
        if (description.weights() == null) {
            return Model.build(description, NO_WEIGHTS, options);
        }
        Path weightsPath = besideModel(path, description.weights());
        if (!Files.isRegularFile(weightsPath)) {
            throw new NoSuchFileException(weightsPath.toString(), null,
                    "weights file named by " + path + " (\"weights\": \"" + description.weights() + "\") not found");
        }
        try (WeightsFile weights = WeightsReader.open(weightsPath)) {
            return build(description, source(weights, weightsPath, options), options);
        }
    }

    /** The model over an open weights file held in memory, each weight read straight into its native tensor. */
    private static Model build(ModelDescription description, WeightsFile weights, ModelOptions options)
            throws IOException {
        return build(description, source(weights), options);
    }

    /** The model over weights read from an open weights file. */
    private static Model build(ModelDescription description, WeightSource weights, ModelOptions options)
            throws IOException {
        try {
            return Model.build(description, weights, options);
        } catch (UncheckedIOException e) {
            throw e.getCause(); // a read failed half-way (the file changed since it was validated)
        }
    }

    /**
     * The preprocess block of an ONNX model, which has no place for one: the JSON object in the sidecar file
     * {@code <model>.onnx.preprocess.json} beside it (format: {@code docs/model-format.md}), or null if there is none.
     */
    static JsonNode onnxPreprocess(Path onnx) throws IOException {
        Path sidecar = onnx.resolveSibling(onnx.getFileName() + ".preprocess.json");
        return Files.isRegularFile(sidecar) ? readPreprocessFile(sidecar) : null;
    }

    /** A preprocess block from its own JSON file, checked (the messages name the file). */
    static JsonNode readPreprocessFile(Path file) throws IOException {
        JsonNode node = parseJson(readUtf8(file), file.toString(), "a preprocess block");
        ModelDescription.parsePreprocess(node, file.toString());
        return node;
    }

    /** The weights file a model JSON names, by {@link ModelFolder}'s rule. */
    static Path besideModel(Path modelPath, String weights) {
        Path resolved = ModelFolder.resolveInside(modelPath.toAbsolutePath().getParent(), weights);
        if (resolved == null) {
            throw new IllegalArgumentException(modelPath + ": \"weights\": \"" + weights + "\" points outside the "
                    + "model's folder; it must be a file name or relative path inside the folder of the model JSON");
        }
        return resolved;
    }

    /** The file as UTF-8 text (the model format's encoding); anything else is refused with the byte offset. */
    private static String readUtf8(Path path) throws IOException {
        return utf8(Files.readAllBytes(path), path.toString());
    }

    /** UTF-8 bytes as text; anything else is refused with the byte offset, {@code where} naming them. */
    private static String utf8(byte[] bytes, String where) {
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = utf8.decode(in, out, true);
        if (result.isError()) {
            throw new IllegalArgumentException(where + " is not UTF-8 text (byte offset " + in.position()
                    + "): a model JSON file must be UTF-8; re-save it as UTF-8, or give the .onnx or .safetensors "
                    + "model file instead");
        }
        utf8.flush(out);
        return out.flip().toString();
    }

    /**
     * Parses JSON text. Jackson's message quotes the offending token, which is useful in a model file, but a file
     * that does not even start like a JSON object is not one, and its contents are not echoed.
     */
    private static JsonNode parseJson(String text, String where) {
        return parseJson(text, where, "a cnn4j model");
    }

    /** As {@link #parseJson(String, String)}; {@code what} is what the file should be, for messages. */
    private static JsonNode parseJson(String text, String where, String what) {
        String start = text.stripLeading();
        if (!start.startsWith("{")) {
            throw new IllegalArgumentException(where + " is not " + what + ": it should be a JSON object, which starts "
                    + "with '{'" + (what.equals("a cnn4j model") ? " (give a model .json, .onnx or .safetensors file)"
                    : ""));
        }
        try {
            return JsonTree.parse(text);
        } catch (StreamConstraintsException e) {
            throw new IllegalArgumentException(where + " is not a usable model JSON: " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new IllegalArgumentException(where + " is not valid JSON: " + plainJsonError(e.getOriginalMessage())
                    + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
        } catch (IOException e) {
            throw new UncheckedIOException(e); // the text is in memory: a reader over a String does not fail
        }
    }

    /**
     * Jackson's parse error in a user's words: without its source-location internals ("[Source: REDACTED
     * (`StreamReadFeature...` disabled)...]", character codes) and with the end of input said plainly.
     */
    static String plainJsonError(String message) {
        String m = message.lines().findFirst().orElse("");
        if (m.startsWith("Unexpected end-of-input")) {
            return "the text ends before the JSON is complete (an unclosed {, [ or string, or a truncated file)";
        }
        m = m.replaceAll("\\s*\\(start marker at \\[Source:[^\\]]*\\]\\)", "")
                .replaceAll("\\s*at \\[Source:[^\\]]*\\]", "")
                .replaceAll(" \\(code \\d+\\)", "")
                .replaceAll("\\(CTRL-CHAR, code \\d+\\)", "(a control character)");
        return m;
    }

    /**
     * One model held in memory ({@code Model.load(InputStream / byte[] / ByteBuffer)}): an .onnx model, a single-file
     * .safetensors model or a model JSON without weights, recognized by content; {@code source} names it in
     * messages ("the model stream").
     */
    static Model load(ByteBuffer bytes, String source, ModelOptions options) throws IOException {
        ByteBuffer view = bytes.slice();
        byte[] head = new byte[Math.min(64, view.remaining())];
        view.duplicate().get(head);
        String expected = "an .onnx model, a single-file .safetensors model (weights with the model JSON in their "
                + "__metadata__) or a model JSON without weights";
        if (head.length == 0) {
            throw new IllegalArgumentException(source + " is empty: expected " + expected);
        }
        if (startsLikeJson(head)) {
            ModelDescription description = ModelDescription.parse(parseJson(utf8(array(view), source), source),
                    source);
            if (description.weights() != null) {
                throw new IllegalArgumentException(source + " is a model JSON naming a weights file (\"weights\": \""
                        + description.weights() + "\"), which one stream cannot bring along: give the JSON and the "
                        + "weights as two streams, Model.load(json, weights)");
            }
            description.layers().forEach(l -> LayerRegistry.factory(l.type(), l.describe()));
            return Model.build(description, NO_WEIGHTS, options);
        }
        if (WeightsReader.isSafetensorsHead(head)) {
            try (WeightsFile weights = WeightsReader.open(source, view)) {
                String json = weights.metadata().get("cnn4j");
                if (json == null) {
                    throw new IllegalArgumentException(source + " holds weights only (safetensors whose "
                            + "__metadata__ has no \"cnn4j\" model description); give the model JSON with them, "
                            + "Model.load(json, weights)");
                }
                return build(ModelDescription.parse(parseJson(json, source + " (__metadata__ cnn4j)"), source),
                        weights, options);
            }
        }
        if (WeightsReader.isPyTorchHead(head)) {
            throw new IllegalArgumentException(source + " is a PyTorch weights archive (torch.save), not a model: "
                    + "give the model JSON and these weights as two streams, Model.load(json, weights)");
        }
        if ((head[0] & 0xff) == 0x08) { // an ONNX ModelProto starts with ir_version: field 1, a varint
            OnnxImport.Converted converted;
            try {
                converted = OnnxImport.convert(array(view), "model", null);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(source + " (an ONNX model): " + e.getMessage(), e);
            }
            return Model.build(ModelDescription.parse(converted.model(), source), source(converted.weights()),
                    options);
        }
        throw new IllegalArgumentException(source + " is not a model cnn4j reads: expected " + expected + "; its "
                + view.remaining() + " bytes start like none of them (ONNX starts with byte 0x08, safetensors with an "
                + "8-byte header length and '{', JSON with '{')");
    }

    /**
     * A model JSON and its weights held in memory ({@code Model.load(json, weights)}); the JSON's own "weights" file
     * name is not used. {@code jsonSource} and {@code weightsSource} name them in messages.
     */
    static Model load(ByteBuffer json, String jsonSource, ByteBuffer weights, String weightsSource,
            ModelOptions options) throws IOException {
        byte[] text = array(json.slice());
        if (text.length == 0) {
            throw new IllegalArgumentException(jsonSource + " is empty: expected a cnn4j model JSON");
        }
        byte[] head = java.util.Arrays.copyOf(text, Math.min(64, text.length));
        if (!startsLikeJson(head)) {
            throw new IllegalArgumentException(jsonSource + " is not a cnn4j model JSON: it should be a JSON object, "
                    + "which starts with '{'" + (WeightsReader.isSafetensorsHead(head) || WeightsReader.isPyTorchHead(
                    head) ? " (it starts like weights: are the model JSON and the weights swapped?)" : ""));
        }
        ModelDescription description = ModelDescription.parse(parseJson(utf8(text, jsonSource), jsonSource),
                jsonSource);
        // Refuse unknown layer types before reading possibly large weights.
        description.layers().forEach(l -> LayerRegistry.factory(l.type(), l.describe()));
        try (WeightsFile file = WeightsReader.open(weightsSource, weights)) {
            return build(description, file, options);
        }
    }

    private static boolean startsLikeJson(byte[] head) {
        for (byte b : head) {
            if (b == '{') {
                return true;
            }
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                return false;
            }
        }
        return false;
    }

    /** The buffer's remaining bytes as an array (the array itself when it is exactly that). */
    private static byte[] array(ByteBuffer view) {
        if (view.hasArray() && view.arrayOffset() == 0 && view.position() == 0
                && view.remaining() == view.array().length) {
            return view.array();
        }
        byte[] copy = new byte[view.remaining()];
        view.duplicate().get(copy);
        return copy;
    }

    static WeightSource source(WeightsFile weights) {
        return new WeightSource() {
            @Override
            public long[] shape(String key) {
                return weights.shape(key);
            }

            @Override
            public Tensor load(String key) {
                Tensor t = Tensor.empty(weights.shape(key));
                try {
                    weights.readInto(key, t.asBuffer());
                    return t;
                } catch (IOException e) {
                    t.close();
                    throw new UncheckedIOException(e);
                } catch (RuntimeException e) {
                    t.close();
                    throw e;
                }
            }
        };
    }

    /**
     * As {@link #source(WeightsFile)}, for weights that stay on disk at {@code file}: a layer may read a tensor again
     * once the model is built ({@link WeightSource#reloadable}), from the file opened anew, unless the options keep
     * the raw weights.
     */
    static WeightSource source(WeightsFile weights, Path file, ModelOptions options) {
        WeightSource open = source(weights);
        if (options.rawWeightsKept()) {
            return open;
        }
        Path absolute = file.toAbsolutePath(); // the file as named at load, whatever the working directory later
        return new WeightSource() {
            @Override
            public long[] shape(String key) {
                return open.shape(key);
            }

            @Override
            public Tensor load(String key) {
                return open.load(key);
            }

            @Override
            public ConvWeight.Source reloadable(String key) {
                return new ConvWeight.Source() {
                    @Override
                    public Tensor load() {
                        try (WeightsFile again = WeightsReader.open(absolute)) {
                            if (again.shape(key) == null) {
                                throw new IllegalStateException("the file has no tensor '" + key + "' any more");
                            }
                            return source(again).load(key);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }

                    @Override
                    public String describe() {
                        return "tensor '" + key + "' of " + absolute;
                    }
                };
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
