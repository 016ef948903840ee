package io.cnn4j.spark;

import java.nio.file.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The README's Spark example: scores every image of a folder with a cnn4j model and writes path, top-k labels and
 * probabilities as Parquet.
 *   usage: ScoreFolder MODEL IMAGE_FOLDER OUTPUT.parquet [TOP_K]
 * Spark's master comes from spark-submit or -Dspark.master=..., else local[*] (every core of this machine).
 */
public final class ScoreFolder {
    private ScoreFolder() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 3 || args.length > 4) {
            System.err.println("usage: ScoreFolder MODEL IMAGE_FOLDER OUTPUT.parquet [TOP_K (default 3)]");
            System.exit(2);
        }
        SparkSession.Builder builder = SparkSession.builder().appName("cnn4j ScoreFolder");
        if (System.getProperty("spark.master") == null) {
            builder.master("local[*]");
        }
        try (SparkSession spark = builder.getOrCreate()) {
            int topK = args.length == 4 ? Integer.parseInt(args[3]) : 3;
            long rows = score(spark, Path.of(args[0]), args[1], args[2], topK);
            System.out.println("wrote " + rows + " rows to " + args[2]);
        }
    }

    /** Scores the images under {@code folder} and writes path, labels, probabilities to {@code output}; the rows. */
    static long score(SparkSession spark, Path model, String folder, String output, int topK) throws Exception {
        Dataset<Row> images = spark.read().format("binaryFile")
                .option("pathGlobFilter", "*.{png,jpg,jpeg,bmp,gif}")
                .load(folder);
        Cnn4jScorer scorer = Cnn4jScorer.load(spark, model).topK(topK).scoresCol(null);
        scorer.transform(images).select("path", "labels", "probabilities").write().mode("overwrite").parquet(output);
        return spark.read().parquet(output).count();
    }
}
