package io.cnn4j.spark;

import io.cnn4j.Cnn4j;
import io.cnn4j.Tensor;
import io.cnn4j.image.Images;
import io.cnn4j.model.Model;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;

/**
 * Images per second of a model on the same images (files decoded, preprocessed, scored, top-1 taken), three ways:
 * one JVM without Spark, scoring batches in a loop on one thread with cnn4j's pool at 1 and at N threads, and
 * Spark local[N] (N tasks at once, cnn4j at 1 thread each, results written to Spark's "noop" sink).
 *   usage: SparkBenchmark MODEL IMAGE_FOLDER [COPIES (200)] [N (2)] [ROUNDS (3)]
 * The folder's images are copied COPIES times into a temporary folder first; each way runs once to warm up, then
 * ROUNDS times, and the median is printed. docs/spark.md has the figures.
 */
public final class SparkBenchmark {
    private static final int BATCH = 32;

    private SparkBenchmark() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2 || args.length > 5) {
            System.err.println("usage: SparkBenchmark MODEL IMAGE_FOLDER [COPIES (200)] [N (2)] [ROUNDS (3)]");
            System.exit(2);
        }
        Path modelFile = Path.of(args[0]);
        int copies = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        int n = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 3;
        Path folder = Files.createTempDirectory("cnn4j-spark-bench");
        try {
            List<Path> images = copy(Path.of(args[1]), folder, copies);
            System.out.printf("%s, %d images (%s x %d), batches of %d, %d processors%n", modelFile, images.size(),
                    args[1], copies, BATCH, Runtime.getRuntime().availableProcessors());
            try (Model model = Model.load(modelFile)) {
                report("one JVM, cnn4j 1 thread", images.size(), rounds, () -> oneJvm(model, images, 1));
                report("one JVM, cnn4j " + n + " threads", images.size(), rounds, () -> oneJvm(model, images, n));
            }
            try (SparkSession spark = SparkSession.builder().master("local[" + n + "]").appName("cnn4j benchmark")
                    .config("spark.ui.enabled", "false").getOrCreate()) {
                Cnn4jScorer scorer = Cnn4jScorer.load(spark, modelFile).topK(1).batchSize(BATCH).threads(1);
                report("Spark local[" + n + "], " + n + " tasks x cnn4j 1 thread", images.size(), rounds,
                        () -> scorer.transform(spark.read().format("binaryFile").load(folder.toString()))
                                .write().format("noop").mode("overwrite").save());
            }
        } finally {
            try (Stream<Path> files = Files.walk(folder)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private interface Run {
        void run() throws Exception;
    }

    private static void report(String what, int images, int rounds, Run run) throws Exception {
        run.run();
        double[] seconds = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            long start = System.nanoTime();
            run.run();
            seconds[r] = (System.nanoTime() - start) / 1e9;
        }
        Arrays.sort(seconds);
        double median = seconds[rounds / 2];
        System.out.printf("%-45s %8.0f images/s  (median of %d: %.2f s)%n", what, images / median, rounds, median);
    }

    /** The files as Spark's binaryFile source reads them, scored in batches on this thread. */
    private static void oneJvm(Model model, List<Path> images, int threads) throws Exception {
        Cnn4j.setNumThreads(threads);
        for (int from = 0; from < images.size(); from += BATCH) {
            List<BufferedImage> batch = new ArrayList<>();
            for (Path image : images.subList(from, Math.min(images.size(), from + BATCH))) {
                batch.add(Images.read(Files.readAllBytes(image), image.toString()));
            }
            try (Tensor x = Images.batch(batch, model.description().preprocess()); Tensor y = model.run(x)) {
                float[] scores = y.toFloatArray();
                int classes = scores.length / batch.size();
                for (int i = 0; i < batch.size(); i++) {
                    io.cnn4j.model.TopK.of(scores, i, classes, 1, model.labels());
                }
            }
        }
    }

    private static List<Path> copy(Path from, Path to, int copies) throws Exception {
        List<Path> sources;
        try (Stream<Path> files = Files.list(from)) {
            sources = files.filter(Files::isRegularFile).sorted().toList();
        }
        List<Path> out = new ArrayList<>();
        for (int c = 0; c < copies; c++) {
            for (Path source : sources) {
                out.add(Files.copy(source, to.resolve(c + "-" + source.getFileName())));
            }
        }
        return out;
    }
}
