package io.cnn4j.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The whole-model benchmark's networks, as python/e2e/reference_models.py defines them, with 224x224 RGB input.
 * benchmarks/make_models.py writes each one's files into {@link #folder()}; the constant names are JMH's @Param
 * values.
 */
public enum BenchModel {
    RESNET18("resnet18", "ResNet-18"),
    MOBILENET_V2("mobilenet_v2", "MobileNetV2"),
    VGG11_BN("vgg11_bn", "VGG-11-BN");

    /** Where make_models.py wrote the files: $CNN4J_BENCH_MODELS (run.sh sets it), else target/models. */
    public static Path folder() {
        String folder = System.getenv("CNN4J_BENCH_MODELS");
        return Path.of(folder == null ? "target/models" : folder);
    }

    /** The file stem, as make_models.py and reference_models.py name the model. */
    public final String stem;
    /** How the report names the model. */
    public final String title;

    BenchModel(String stem, String title) {
        this.stem = stem;
        this.title = title;
    }

    public long[] inputShape(long batch) {
        return new long[] {batch, 3, 224, 224};
    }

    /** cnn4j's format: the exporter's architecture JSON, its .safetensors beside it. */
    public Path cnn4jFile() {
        return folder().resolve(stem + ".json");
    }

    /** torch.onnx.export's file, for ONNX Runtime. */
    public Path onnxFile() {
        return folder().resolve(stem + ".onnx");
    }

    /** The frozen TorchScript module, for libtorch. */
    public Path torchScriptFile() {
        return folder().resolve(stem + ".pt");
    }

    /** Every file the benchmark reads for this model, the safetensors beside the JSON included. */
    public List<Path> files() {
        return List.of(cnn4jFile(), folder().resolve(stem + ".safetensors"), onnxFile(), torchScriptFile());
    }

    /**
     * Prints the constant names, one per line, for run.sh to loop over; with {@code --missing}, prints the model
     * files that do not exist instead and exits with status 1 if there are any.
     */
    public static void main(String[] args) {
        boolean missing = args.length > 0 && args[0].equals("--missing");
        int absent = 0;
        for (BenchModel m : values()) {
            if (!missing) {
                System.out.println(m.name());
                continue;
            }
            for (Path file : m.files()) {
                if (!Files.isRegularFile(file)) {
                    System.out.println(file);
                    absent++;
                }
            }
        }
        System.exit(absent == 0 ? 0 : 1);
    }
}
