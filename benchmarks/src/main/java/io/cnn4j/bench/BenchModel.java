package io.cnn4j.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The whole-model benchmark's networks, as python/e2e/reference_models.py defines them (the 1-D CNN with 12 input
 * channels instead of 6), each with its own input shape. benchmarks/make_models.py writes each one's files into
 * {@link #folder()}; the constant names are JMH's @Param values.
 */
public enum BenchModel {
    LENET5("lenet5", "LeNet-5", 0.00083, 1, 28, 28),
    CNN1D("cnn1d_12x1000", "1-D CNN 12×1000", 0.019, 12, 1000),
    RESNET18("resnet18", "ResNet-18", 3.6, 3, 224, 224),
    MOBILENET_V2("mobilenet_v2", "MobileNetV2", 0.60, 3, 224, 224),
    VGG11_BN("vgg11_bn", "VGG-11-BN", 15.2, 3, 224, 224);

    /**
     * A call of at least this many GFLOP (batch x {@link #gflops}) is "heavy": run.sh measures it with
     * HEAVY_JMH_OPTS (fewer, longer iterations), as one call takes seconds.
     */
    public static final double HEAVY_GFLOP = 50;

    /** Where make_models.py wrote the files: $CNN4J_BENCH_MODELS (run.sh sets it), else target/models. */
    public static Path folder() {
        String folder = System.getenv("CNN4J_BENCH_MODELS");
        return Path.of(folder == null ? "target/models" : folder);
    }

    /** The file stem, as make_models.py names the model. */
    public final String stem;
    /** How the report names the model. */
    public final String title;
    /** Approximate GFLOP per image (2 x multiply-adds of the convolutions and linear layers). */
    public final double gflops;
    private final long[] imageShape;

    BenchModel(String stem, String title, double gflops, long... imageShape) {
        this.stem = stem;
        this.title = title;
        this.gflops = gflops;
        this.imageShape = imageShape;
    }

    /** The input shape: batch, then the model's own (channels x length, or channels x height x width). */
    public long[] inputShape(long batch) {
        long[] shape = new long[imageShape.length + 1];
        shape[0] = batch;
        System.arraycopy(imageShape, 0, shape, 1, imageShape.length);
        return shape;
    }

    /** One image's shape as text, e.g. "3x224x224". */
    public String describeInput() {
        return String.join("x", Arrays.stream(imageShape).mapToObj(Long::toString).toList());
    }

    /** Whether a call at this batch is heavy enough for run.sh's HEAVY_JMH_OPTS. */
    public boolean heavy(int batch) {
        return batch * gflops >= HEAVY_GFLOP;
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
     * For run.sh. No argument: prints the constant names, one per line. {@code --missing}: prints the model files
     * that do not exist instead and exits with status 1 if there are any. {@code --heavy MODEL BATCH}: exits with
     * status 0 if that call is heavy, 1 if not.
     */
    public static void main(String[] args) {
        if (args.length == 3 && args[0].equals("--heavy")) {
            System.exit(valueOf(args[1]).heavy(Integer.parseInt(args[2])) ? 0 : 1);
        }
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
