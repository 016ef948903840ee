package io.cnn4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.cnn4j.model.Model;
import io.cnn4j.model.ModelDescription;
import io.cnn4j.onnx.OnnxImport;
import io.cnn4j.onnx.SafetensorsWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code convert x.onnx x.json}: an ONNX model as a cnn4j model (JSON + .safetensors beside it). */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = "Convert an ONNX model into a cnn4j model (JSON + .safetensors)")
final class ConvertCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL.onnx", description = "the ONNX model (its preprocess block, if "
            + "MODEL.onnx.preprocess.json is beside it, goes into the JSON)")
    Path onnx;

    @Parameters(index = "1", paramLabel = "OUT.json", description = "where to write the description; the weights "
            + "go beside it as OUT.safetensors")
    Path json;

    @Override
    public Integer call() throws Exception {
        String name = json.getFileName().toString();
        if (!name.endsWith(".json")) {
            throw new IllegalArgumentException("the output must be a .json file, got " + json);
        }
        FileChecks.onnx(onnx);
        OnnxImport.Converted converted = OnnxImport.convert(onnx);
        Path sidecar = onnx.resolveSibling(onnx.getFileName() + ".preprocess.json");
        if (Files.isRegularFile(sidecar)) {
            // The ONNX model's preprocess block goes into the cnn4j model, where the format has a place for it.
            ModelDescription.readPreprocess(sidecar);
            converted.model().set("preprocess", new ObjectMapper().readTree(sidecar.toFile()));
        }
        String stem = name.substring(0, name.length() - ".json".length());
        Path weights = json.toAbsolutePath().resolveSibling(stem + ".safetensors");
        converted.model().put("weights", weights.getFileName().toString());
        Files.writeString(json, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValueAsString(converted.model()));
        SafetensorsWriter.write(weights, converted.weights(), Map.of());
        try (Model model = Model.load(json)) {
            spec.commandLine().getOut().printf("wrote %s (%d layers) and %s%n", json,
                    model.description().layers().size(), weights);
        }
        return 0;
    }
}
