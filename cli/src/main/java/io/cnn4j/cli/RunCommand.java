package io.cnn4j.cli;

import io.cnn4j.Tensor;
import io.cnn4j.image.Images;
import io.cnn4j.io.Npy;
import io.cnn4j.model.Model;
import io.cnn4j.model.ModelDescription;
import io.cnn4j.model.ModelDescription.InputSpec;
import io.cnn4j.model.ModelDescription.Preprocess;
import io.cnn4j.model.TopK;
import io.cnn4j.preprocess.ImagePipeline;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code run MODEL --input [NAME=]X.npy... [--output [NAME=]Y.npy... | --output-dir DIR]} (arrays in, arrays out, any
 * number of inputs and outputs) or {@code run MODEL a.png b.jpg ...} (images preprocessed as the model says, top-k
 * labels of the first output).
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the model on .npy arrays (one per input) or on image files")
final class RunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = Main.MODEL_HELP)
    Path modelPath;

    @Parameters(index = "1..*", paramLabel = "IMAGE", description = "images to classify (PNG, JPEG, BMP, GIF)")
    List<Path> images = new ArrayList<>();

    @Option(names = "--input", paramLabel = "[NAME=]X.npy", description = "a float32 input array, batch dim first: "
            + "NAME=X.npy per model input (repeat the option), or X.npy for a model with one input")
    List<String> inputs = new ArrayList<>();

    @Option(names = "--output", paramLabel = "[NAME=]Y.npy", description = "where to write an output: NAME=Y.npy per "
            + "output (repeatable; NAME as info lists the outputs), or Y.npy for the first output")
    List<String> outputs = new ArrayList<>();

    @Option(names = "--output-dir", paramLabel = "DIR", description = "write every output (not named by --output) "
            + "as DIR/NAME.npy")
    Path outputDir;

    @Option(names = "--shape", paramLabel = "[NAME=]DIMS", description = "the shape each input must have (checked "
            + "before the run); as in info and bench")
    List<String> shapes = new ArrayList<>();

    @Option(names = "--preprocess", paramLabel = "FILE.json", description = "a preprocess block (as in a model JSON) "
            + "to use for images instead of the model's; an .onnx model's is read from MODEL.onnx.preprocess.json "
            + "beside it")
    Path preprocessFile;

    @Option(names = "--top", paramLabel = "K", defaultValue = "5", description = "labels to print per image")
    int top;

    @Override
    public Integer call() throws Exception {
        if (inputs.isEmpty() == images.isEmpty()) {
            throw new IllegalArgumentException("give either --input X.npy (NAME=X.npy per input) or one or more image "
                    + "files");
        }
        if (top < 1) {
            throw new IllegalArgumentException("--top must be >= 1, got " + top);
        }
        PrintWriter out = spec.commandLine().getOut();
        FileChecks.model(modelPath);
        try (Model model = Model.load(modelPath, Main.modelOptions())) {
            ModelDescription d = model.description();
            Map<String, long[]> expected = InputShapes.parse(shapes, d.inputs());
            Map<String, Tensor> given = new LinkedHashMap<>();
            Map<String, Tensor> results = Map.of();
            try {
                if (!inputs.isEmpty()) {
                    readInputs(d.inputs(), given);
                } else {
                    given.put(d.inputs().get(0).name(), imageBatch(model));
                }
                given.forEach((name, t) -> checkShape(name, t, expected.get(name)));
                results = model.run(given);
                writeOutputs(out, d.outputs(), results);
                if (!images.isEmpty()) {
                    printTopK(out, model, results.get(d.outputs().get(0)));
                }
            } finally {
                given.values().forEach(Tensor::close);
                results.values().forEach(Tensor::close);
            }
        }
        return 0;
    }

    /** Each --input as NAME=X.npy, or X.npy for a model with one input. */
    private void readInputs(List<InputSpec> specs, Map<String, Tensor> given) throws Exception {
        List<String> names = InputShapes.names(specs);
        for (String value : inputs) {
            String[] named = named("--input", value, names, "input", "X.npy", given.keySet());
            Path file = Path.of(named[1]);
            FileChecks.npy(file, "--input");
            given.put(named[0], Npy.read(file));
        }
        List<String> missing = names.stream().filter(n -> !given.containsKey(n)).toList();
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("no --input for " + missing + "; the model's inputs are " + names
                    + ": give each as --input NAME=X.npy");
        }
    }

    /**
     * [name, file] for {@code option value}: NAME=FILE with NAME one of the model's {@code what}s, or FILE alone where
     * the model has one; each name at most once ({@code seen}).
     */
    private static String[] named(String option, String value, List<String> names, String what, String example,
            java.util.Set<String> seen) {
        String[] named = split(value, names);
        if (named == null && names.size() != 1) {
            throw new IllegalArgumentException(option + " " + value + ": the model has " + names.size() + " " + what
                    + "s " + names + "; give each as " + option + " NAME=" + example
                    + (what.equals("output") ? ", or write all with --output-dir DIR" : ""));
        }
        named = named != null ? named : new String[] {names.get(0), value};
        if (seen.contains(named[0])) {
            throw new IllegalArgumentException(option + " is given twice for " + what + " '" + named[0] + "'");
        }
        return named;
    }

    /** [name, rest] if {@code value} is NAME=REST with NAME one of {@code names}, else null. */
    private static String[] split(String value, List<String> names) {
        for (int eq = value.indexOf('='); eq >= 0; eq = value.indexOf('=', eq + 1)) {
            if (names.contains(value.substring(0, eq))) {
                return new String[] {value.substring(0, eq), value.substring(eq + 1)};
            }
        }
        return null;
    }

    private static void checkShape(String name, Tensor t, long[] expected) {
        if (expected != null && !Arrays.equals(expected, t.shape())) {
            throw new IllegalArgumentException("input '" + name + "' has shape " + Arrays.toString(t.shape())
                    + ", but --shape says " + Arrays.toString(expected));
        }
    }

    /** The images preprocessed into one batch, with a note on stderr for each image that is resized or cropped. */
    private Tensor imageBatch(Model model) throws Exception {
        ModelDescription d = model.description();
        if (d.inputs().size() != 1) {
            throw new IllegalArgumentException("the model has " + d.inputs().size() + " inputs "
                    + InputShapes.names(d.inputs()) + "; images can feed a model with one input: give arrays with "
                    + "--input NAME=X.npy");
        }
        Preprocess p = preprocessFile != null ? ModelDescription.readPreprocess(preprocessFile) : d.preprocess();
        if (p == null) {
            boolean onnx = FileKind.extension(modelPath).equals(".onnx");
            throw new IllegalArgumentException(modelPath + " has no \"preprocess\" section, so cnn4j cannot turn "
                    + "images into its input; " + (onnx ? "put one in " + modelPath.getFileName()
                    + ".preprocess.json beside it, or " : "") + "give one with --preprocess FILE.json, or pass a "
                    + "preprocessed array with --input X.npy");
        }
        long[] declared = d.inputs().get(0).shape();
        List<BufferedImage> decoded = new ArrayList<>();
        for (Path image : images) {
            FileChecks.image(image);
            BufferedImage b = Images.read(image);
            ImagePipeline.Geometry g = ImagePipeline.geometry(b.getWidth(), b.getHeight(), p);
            if (declared.length == 4 && (declared[2] != -1 && declared[2] != g.outHeight()
                    || declared[3] != -1 && declared[3] != g.outWidth())) {
                throw new IllegalArgumentException(image + " is " + g.describe() + ", but the model takes "
                        + declared[3] + "x" + declared[2] + " images (width x height): give the preprocess a "
                        + "\"resize\": [" + declared[2] + ", " + declared[3] + "] (or a resize and a \"crop\")");
            }
            if (g.resizes() || g.crops()) {
                spec.commandLine().getErr().println("cnn4j: note: " + image + ": " + g.describe()
                        + ", as the model's preprocess says");
            }
            decoded.add(b);
        }
        return Images.batch(decoded, p);
    }

    /** --output NAME=Y.npy (or Y.npy for one output) and --output-dir; without either, arrays print to stdout. */
    private void writeOutputs(PrintWriter out, List<String> ids, Map<String, Tensor> results) throws Exception {
        Map<String, Path> targets = new LinkedHashMap<>();
        for (String value : outputs) {
            String[] named = split(value, ids);
            if (named == null && ids.size() > 1 && outputs.size() == 1) {
                // What --output meant before outputs could be named: the first output. Kept, and said.
                spec.commandLine().getErr().println("cnn4j: note: the model has " + ids.size() + " outputs " + ids
                        + "; " + value + " gets the first, '" + ids.get(0) + "' (name each with --output NAME=Y.npy, "
                        + "or write all with --output-dir DIR)");
                named = new String[] {ids.get(0), value};
            } else {
                named = named("--output", value, ids, "output", "Y.npy", targets.keySet());
            }
            targets.put(named[0], Path.of(named[1]));
        }
        if (outputDir != null) {
            Files.createDirectories(outputDir);
            for (String id : ids) {
                targets.putIfAbsent(id, outputDir.resolve(fileName(id, targets.values()) + ".npy"));
            }
        }
        for (Map.Entry<String, Path> t : targets.entrySet()) {
            Tensor y = results.get(t.getKey());
            Npy.write(t.getValue(), y);
            out.printf("wrote %s %s%s%n", t.getValue(), Arrays.toString(y.shape()),
                    ids.size() > 1 ? " (output " + t.getKey() + ")" : "");
        }
        if (targets.isEmpty() && images.isEmpty()) {
            for (String id : ids) {
                printArray(out, ids.size() > 1 ? "output " + id : "output", results.get(id));
            }
        }
    }

    /** An output id as a file name: characters other than letters, digits, '.', '-' and '_' become '_'. */
    private String fileName(String id, java.util.Collection<Path> taken) {
        String base = id.replaceAll("[^A-Za-z0-9._-]", "_").replaceAll("^[.]+", "_");
        String name = base;
        for (int i = 2; taken.contains(outputDir.resolve(name + ".npy")); i++) {
            name = base + "_" + i;
        }
        return name;
    }

    private void printTopK(PrintWriter out, Model model, Tensor logits) {
        if (logits.dim() != 2) {
            throw new IllegalArgumentException("the model's output has shape " + Arrays.toString(logits.shape())
                    + "; top-k labels need [batch, classes]");
        }
        int classes = (int) logits.size(1);
        float[] all = logits.toFloatArray();
        for (int n = 0; n < images.size(); n++) {
            out.println(images.get(n) + ":");
            for (TopK.Entry e : TopK.of(all, n, classes, top, model.labels())) {
                out.printf("  %6.2f%%  %s%n", e.probability() * 100, e.label());
            }
        }
    }

    private static void printArray(PrintWriter out, String title, Tensor y) {
        long[] shape = y.shape();
        float[] v = y.toFloatArray();
        int row = (int) shape[shape.length - 1];
        out.println(title + " " + Arrays.toString(shape) + ":");
        for (int i = 0; i < v.length; i += row) {
            StringBuilder sb = new StringBuilder(" ");
            for (int j = 0; j < row; j++) {
                sb.append(String.format(" %.6g", v[i + j]));
            }
            out.println(sb);
        }
    }
}
