package io.cnn4j.cli;

import io.cnn4j.Tensor;
import io.cnn4j.io.Images;
import io.cnn4j.io.Npy;
import io.cnn4j.model.Model;
import io.cnn4j.model.ModelDescription.Preprocess;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code run MODEL --input x.npy [--output y.npy]} or {@code run MODEL a.png b.jpg ...} (top-k labels). */
@Command(name = "run", description = "Run the model on a .npy array or on image files")
final class RunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "model .json (or single-file .safetensors)")
    Path modelPath;

    @Parameters(index = "1..*", paramLabel = "IMAGE", description = "images to classify (PNG, JPEG, BMP)")
    List<Path> images = new ArrayList<>();

    @Option(names = "--input", paramLabel = "X.npy", description = "float32 input array, batch dim first")
    Path input;

    @Option(names = "--output", paramLabel = "Y.npy", description = "where to write the first output (.npy)")
    Path output;

    @Option(names = "--top", paramLabel = "K", defaultValue = "5", description = "labels to print per image")
    int top;

    @Override
    public Integer call() throws Exception {
        if ((input == null) == images.isEmpty()) {
            throw new IllegalArgumentException("give either --input X.npy or one or more image files");
        }
        if (top < 1) {
            throw new IllegalArgumentException("--top must be >= 1, got " + top);
        }
        var out = spec.commandLine().getOut();
        try (Model model = Model.load(modelPath, Main.modelOptions())) {
            if (input != null) {
                try (Tensor x = Npy.read(input); Tensor y = model.run(x)) {
                    if (output != null) {
                        Npy.write(output, y);
                        out.printf("wrote %s %s%n", output, java.util.Arrays.toString(y.shape()));
                    } else {
                        printArray(out, y);
                    }
                }
                return 0;
            }
            Preprocess p = model.description().preprocess();
            if (p == null) {
                throw new IllegalArgumentException(modelPath + " has no \"preprocess\" section, so cnn4j cannot turn "
                        + "images into its input; pass a preprocessed array with --input X.npy");
            }
            try (Tensor x = Images.batchFromFiles(images, p); Tensor y = model.run(x)) {
                if (output != null) {
                    Npy.write(output, y);
                }
                printTopK(out, model, y);
            }
        }
        return 0;
    }

    private void printTopK(java.io.PrintWriter out, Model model, Tensor logits) {
        if (logits.dim() != 2) {
            throw new IllegalArgumentException("the model's output has shape " + java.util.Arrays.toString(
                    logits.shape()) + "; top-k labels need [batch, classes]");
        }
        int classes = (int) logits.size(1);
        float[] all = logits.toFloatArray();
        List<String> labels = model.labels();
        for (int n = 0; n < images.size(); n++) {
            double[] prob = softmax(all, n * classes, classes);
            Integer[] order = new Integer[classes];
            for (int i = 0; i < classes; i++) {
                order[i] = i;
            }
            java.util.Arrays.sort(order, (a, b) -> Double.compare(prob[b], prob[a]));
            out.println(images.get(n) + ":");
            for (int k = 0; k < Math.min(top, classes); k++) {
                int c = order[k];
                String label = c < labels.size() ? labels.get(c) : "class " + c;
                out.printf("  %6.2f%%  %s%n", prob[c] * 100, label);
            }
        }
    }

    /** Softmax in double: probabilities for display only. */
    private static double[] softmax(float[] x, int from, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, x[from + i]);
        }
        double[] p = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            p[i] = Math.exp(x[from + i] - max);
            sum += p[i];
        }
        for (int i = 0; i < n; i++) {
            p[i] /= sum;
        }
        return p;
    }

    private static void printArray(java.io.PrintWriter out, Tensor y) {
        long[] shape = y.shape();
        float[] v = y.toFloatArray();
        int row = (int) shape[shape.length - 1];
        out.println("output " + java.util.Arrays.toString(shape) + ":");
        for (int i = 0; i < v.length; i += row) {
            StringBuilder sb = new StringBuilder(" ");
            for (int j = 0; j < row; j++) {
                sb.append(String.format(" %.6g", v[i + j]));
            }
            out.println(sb);
        }
    }
}
