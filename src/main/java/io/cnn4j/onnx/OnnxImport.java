package io.cnn4j.onnx;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * ONNX import: an {@code .onnx} file becomes a cnn4j model description ({@code docs/model-format.md}:
 * PyTorch class names and arguments) plus its weights by state_dict key, ready to save as JSON + .safetensors
 * ({@link SafetensorsWriter}) or to load directly.
 *
 * <pre>{@code
 * OnnxImport.Converted c = OnnxImport.convert(Path.of("lenet.onnx"));
 * Files.writeString(Path.of("lenet.json"), c.model().toPrettyString());
 * SafetensorsWriter.write(Path.of("lenet.safetensors"), c.weights(), Map.of());
 * }</pre>
 *
 * <p>Reads opsets 7 to 21 of the default domain, pure Java (the protobuf is decoded by field number); calls of the
 * model's own functions are inlined first ({@link FunctionInliner}). The model runs
 * with any batch size: shape arithmetic such as torch's {@code x.view(x.size(0), -1)} is folded at conversion.
 * Anything that cannot be expressed fails with an IllegalArgumentException: all unsupported ops at once ("unsupported
 * ONNX ops: Foo (node 'n1'), Bar (node 'n7')"), otherwise naming the node and the argument; a malformed or truncated
 * file names the message and field where decoding stopped.
 */
public final class OnnxImport {
    static final long MIN_OPSET = 7;
    static final long MAX_OPSET = 21;

    private OnnxImport() {}

    /** A converted model: the description (JSON) and its weights by state_dict key, in layer order. */
    public record Converted(ObjectNode model, Map<String, OnnxTensorData> weights) {}

    /** Converts an .onnx file; the model is named after the file, external tensor data is read beside it. */
    public static Converted convert(Path onnx) throws IOException {
        long size = Files.size(onnx);
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(onnx + " is " + size + " bytes; protobuf files are at most 2 GiB (larger "
                    + "models keep their weights in external data files)");
        }
        String file = onnx.getFileName().toString();
        String name = file.toLowerCase().endsWith(".onnx") ? file.substring(0, file.length() - 5) : file;
        Path dir = onnx.toAbsolutePath().getParent();
        try {
            return convert(Files.readAllBytes(onnx), name, dir);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(onnx + ": " + e.getMessage(), e);
        }
    }

    /**
     * Converts ONNX bytes; {@code name} becomes the model's name (and its weights file {@code <name>.safetensors}),
     * {@code baseDir} is where external tensor data is looked up (null: refuse external data).
     */
    public static Converted convert(byte[] onnx, String name, Path baseDir) {
        OnnxProto.Model model = OnnxProto.parseModel(onnx);
        long opset = opset(model);
        OnnxProto.Graph graph = FunctionInliner.inline(model.graph(), model.functions(), opset);
        GraphConverter.Result result = new GraphConverter(graph, opset, baseDir).convert();
        return ModelWriter.write(name, result);
    }

    private static long opset(OnnxProto.Model model) {
        Long opset = null;
        for (OnnxProto.OpsetId id : model.opsets()) {
            if (id.domain().isEmpty() || id.domain().equals("ai.onnx")) {
                opset = id.version();
            }
        }
        if (opset == null) {
            throw new IllegalArgumentException("the model imports no opset of the default ONNX domain (opset_import); "
                    + "cnn4j reads opsets " + MIN_OPSET + " to " + MAX_OPSET);
        }
        if (opset < MIN_OPSET || opset > MAX_OPSET) {
            throw new IllegalArgumentException("the model uses ONNX opset " + opset + "; cnn4j reads opsets "
                    + MIN_OPSET + " to " + MAX_OPSET + (opset > MAX_OPSET ? " (convert it down with "
                    + "onnx.version_converter, or export with opset_version=" + MAX_OPSET + ")" : ""));
        }
        return opset;
    }
}
