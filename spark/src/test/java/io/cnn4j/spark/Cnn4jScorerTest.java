package io.cnn4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cnn4j.Cnn4j;
import io.cnn4j.Tensor;
import io.cnn4j.image.Images;
import io.cnn4j.model.Model;
import io.cnn4j.model.TopK;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scoring on Spark local[2] (two tasks at once in this JVM, partitions split so both run) gives what the model gives
 * in one JVM without Spark, for image files and float arrays; the model is loaded once for every task and job.
 */
class Cnn4jScorerTest {
    private static final Path LENET = Path.of("models/lenet5-mnist.json");
    private static final String SAMPLES = "models/samples";
    /** Spark batches rows differently from the one-JVM run; results agree to float rounding. */
    private static final float TOLERANCE = 1e-5f;

    private static SparkSession spark;
    private static Model reference;

    @BeforeAll
    static void start() throws Exception {
        spark = SparkSession.builder().master("local[2]").appName("cnn4j-spark tests")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2").getOrCreate();
        reference = Model.load(LENET);
    }

    @AfterAll
    static void stop() {
        reference.close();
        spark.stop();
    }

    private static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], TOLERANCE, what + " [" + i + "]");
        }
    }

    private static float[] floats(Row row, String column) {
        List<Float> list = row.getList(row.fieldIndex(column));
        float[] out = new float[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = list.get(i);
        }
        return out;
    }

    @Test
    void imagesScoreAsInOneJvm() throws Exception {
        Dataset<Row> images = spark.read().format("binaryFile").load(SAMPLES).repartition(2);
        List<Row> rows = Cnn4jScorer.load(spark, LENET).batchSize(2).topK(3).transform(images).collectAsList();
        assertEquals(5, rows.size());
        for (Row row : rows) {
            Path file = Path.of(java.net.URI.create(row.getString(row.fieldIndex("path"))));
            try (Tensor x = Images.batchFromFiles(List.of(file), reference.description().preprocess());
                 Tensor y = reference.run(x)) {
                float[] expected = y.toFloatArray();
                assertClose(expected, floats(row, "scores"), file.toString());
                List<TopK.Entry> top = TopK.of(expected, 0, expected.length, 3, reference.labels());
                List<String> labels = row.getList(row.fieldIndex("labels"));
                assertEquals(top.stream().map(TopK.Entry::label).toList(), labels, file.toString());
                float[] probabilities = floats(row, "probabilities");
                for (int k = 0; k < 3; k++) {
                    assertEquals(top.get(k).probability(), probabilities[k], TOLERANCE, file + " top " + k);
                }
                // The samples are named digit-LABEL-INDEX.png; LeNet gets every one right.
                assertEquals(file.getFileName().toString().split("-")[1], labels.get(0), file.toString());
            }
        }
        assertEquals(1, ExecutorModels.loads(ModelBytes.read(LENET).id()), "the model is loaded once per JVM, "
                + "whatever the tasks and jobs");
    }

    @Test
    void floatArraysScoreAsInOneJvmAndNullsGiveNulls() throws Exception {
        StructType schema = new StructType().add("id", DataTypes.IntegerType)
                .add("x", DataTypes.createArrayType(DataTypes.FloatType, true));
        Random random = new Random(11);
        List<Row> input = new ArrayList<>();
        Map<Integer, float[]> samples = new HashMap<>();
        for (int id = 0; id < 37; id++) {
            float[] x = new float[28 * 28];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) random.nextGaussian();
            }
            samples.put(id, x);
            List<Float> boxed = new ArrayList<>();
            for (float v : x) {
                boxed.add(v);
            }
            input.add(RowFactory.create(id, boxed));
        }
        input.add(RowFactory.create(99, null));
        Dataset<Row> df = spark.createDataFrame(input, schema).repartition(3);
        List<Row> rows = Cnn4jScorer.load(spark, LENET).inputCol("x").batchSize(8).transform(df).collectAsList();
        assertEquals(38, rows.size());
        for (Row row : rows) {
            int id = row.getInt(0);
            if (id == 99) {
                assertTrue(row.isNullAt(row.fieldIndex("scores")));
                continue;
            }
            try (Tensor x = Tensor.of(samples.get(id), 1, 1, 28, 28); Tensor y = reference.run(x)) {
                assertClose(y.toFloatArray(), floats(row, "scores"), "row " + id);
            }
        }
        assertEquals(1, ExecutorModels.loads(ModelBytes.read(LENET).id()), "the model is loaded once per JVM, "
                + "whatever the tasks and jobs");
    }

    /** An .onnx model carries no preprocess block in its bytes: images need one given to the scorer. */
    @Test
    void anOnnxModelScoresImagesWithAGivenPreprocessBlock(@TempDir Path dir) throws Exception {
        Path onnx = Path.of("src/test/resources/onnx/lenet_opset13.onnx"); // [N, 1, 20, 20]
        Dataset<Row> images = spark.read().format("binaryFile").load(SAMPLES);
        var missing = assertThrows(Exception.class, () -> Cnn4jScorer.load(spark, onnx).transform(images).count());
        assertTrue(missing.getMessage().contains(onnx + " has no \"preprocess\" section, so cnn4j cannot turn images "
                + "into its input: give one with preprocess(Path)"), missing.getMessage());

        Path block = java.nio.file.Files.writeString(dir.resolve("preprocess.json"),
                "{\"resize\": [20, 20], \"color\": \"grayscale\", \"scale\": 0.00392156862745098}");
        List<Row> rows = Cnn4jScorer.load(spark, onnx).preprocess(block).transform(images.repartition(2))
                .collectAsList();
        assertEquals(5, rows.size());
        try (Model model = Model.load(onnx)) {
            for (Row row : rows) {
                Path file = Path.of(java.net.URI.create(row.getString(row.fieldIndex("path"))));
                try (Tensor x = Images.batchFromFiles(List.of(file), io.cnn4j.model.ModelDescription.readPreprocess(
                        block)); Tensor y = model.run(x)) {
                    assertClose(y.toFloatArray(), floats(row, "scores"), file.toString());
                }
            }
        }
    }

    @Test
    void threadsFollowTheSettingElseTheTaskCpus() throws Exception {
        Dataset<Row> images = spark.read().format("binaryFile").load(SAMPLES);
        Cnn4jScorer.load(spark, LENET).transform(images).collectAsList();
        assertEquals(1, Cnn4j.getNumThreads(), "spark.task.cpus is 1 here");
        Cnn4jScorer.load(spark, LENET).threads(2).transform(images).collectAsList();
        assertEquals(2, Cnn4j.getNumThreads());
        spark.conf().set("spark.cnn4j.threads", "3");
        try {
            Cnn4jScorer.load(spark, LENET).transform(images).collectAsList();
            assertEquals(3, Cnn4j.getNumThreads());
        } finally {
            spark.conf().unset("spark.cnn4j.threads");
        }
    }

    @Test
    void wrongColumnsSayWhatToDo() throws Exception {
        Dataset<Row> images = spark.read().format("binaryFile").load(SAMPLES);
        Cnn4jScorer scorer = Cnn4jScorer.load(spark, LENET);
        var missing = assertThrows(IllegalArgumentException.class, () -> scorer.inputCol("image").transform(images));
        assertTrue(missing.getMessage().startsWith("the DataFrame has no column 'image' to score (its columns: path, "
                + "modificationTime, length, content)"), missing.getMessage());
        var wrongType = assertThrows(IllegalArgumentException.class, () -> scorer.inputCol("length").transform(images));
        assertTrue(wrongType.getMessage().startsWith("column 'length' is bigint; cnn4j scores binary"),
                wrongType.getMessage());
    }

    @Test
    void theReadmeExampleWritesParquet(@TempDir Path dir) throws Exception {
        String out = dir.resolve("digits.parquet").toString();
        assertEquals(5, ScoreFolder.score(spark, LENET, SAMPLES, out, 2));
        for (Row row : spark.read().parquet(out).collectAsList()) {
            String name = Path.of(java.net.URI.create(row.getString(0))).getFileName().toString();
            List<String> labels = row.getList(1);
            assertEquals(2, labels.size(), name);
            assertEquals(name.split("-")[1], labels.get(0), name);
            assertTrue(floats(row, "probabilities")[0] > 0.5f, name);
        }
    }
}
