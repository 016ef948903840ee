package io.cnn4j.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cnn4j.Tensor;
import io.cnn4j.image.Images;
import io.cnn4j.model.Model;
import io.cnn4j.model.ModelDescription;
import io.cnn4j.model.ModelDescription.InputSpec;
import io.cnn4j.model.ModelDescription.Preprocess;
import io.cnn4j.model.TopK;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Scores a DataFrame with a cnn4j model: one column of images (binary: the bytes of a PNG, JPEG, BMP or GIF file,
 * as Spark's {@code binaryFile} source gives them in {@code content}) or of float arrays (one sample each, the
 * model's input without the batch dim, flattened), and adds the model's output as columns:
 * <ul>
 *   <li>{@code scores}: the first output of each row, flattened, as array&lt;float&gt; ({@link #scoresCol});</li>
 *   <li>with {@link #topK}: {@code labels} (array&lt;string&gt;, the model's labels or "class N") and
 *       {@code probabilities} (array&lt;float&gt;, softmax over the scores), most probable first.</li>
 * </ul>
 * The model's bytes go to each executor once (a broadcast variable), and each executor JVM loads one shared
 * {@link Model} that all its tasks use; each task scores its partition in batches of {@link #batchSize} rows
 * (images preprocessed as the model's {@code preprocess} block says). A null input gives null outputs.
 *
 * <p>Threads: cnn4j's thread count for each executor is {@link #threads}, else the Spark setting
 * {@code spark.cnn4j.threads}, else {@code spark.task.cpus} (1 by default: an executor already runs one task per
 * core, so more threads per task would only oversubscribe the cores).
 */
public final class Cnn4jScorer {
    private final Broadcast<ModelBytes> model;
    private String inputCol = "content";
    private String pathCol = "path";
    private String scoresCol = "scores";
    private String labelsCol = "labels";
    private String probabilitiesCol = "probabilities";
    private int topK;
    private int batchSize = 32;
    private int threads;
    /** A preprocess block's JSON text (Preprocess is not Serializable), parsed again in each task. */
    private String preprocessJson;
    private String preprocessSource;

    private Cnn4jScorer(Broadcast<ModelBytes> model) {
        this.model = model;
    }

    /** A scorer for the model file (as {@link Model#load(Path)} takes it), read here on the driver. */
    public static Cnn4jScorer load(SparkSession spark, Path modelFile) throws IOException {
        return of(spark, ModelBytes.read(modelFile));
    }

    /** A scorer for a model given as bytes ({@link ModelBytes#of}). */
    public static Cnn4jScorer of(SparkSession spark, ModelBytes bytes) {
        String threads = spark.conf().get("spark.cnn4j.threads", "0");
        Cnn4jScorer scorer = new Cnn4jScorer(
                JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(bytes));
        try {
            return scorer.threads(Integer.parseInt(threads.strip()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("spark.cnn4j.threads must be a whole number of threads (or 0: "
                    + "spark.task.cpus), got '" + threads + "'", e);
        }
    }

    /** The input column (default "content"): binary image files, or array&lt;float&gt; samples. */
    public Cnn4jScorer inputCol(String name) {
        this.inputCol = name;
        return this;
    }

    /** The column that names each image in error messages, if the DataFrame has it (default "path"). */
    public Cnn4jScorer pathCol(String name) {
        this.pathCol = name;
        return this;
    }

    /** The scores column (default "scores"); null leaves it out (with {@link #topK}, labels alone). */
    public Cnn4jScorer scoresCol(String name) {
        this.scoresCol = name;
        return this;
    }

    /** Adds the k most probable labels and their probabilities (columns "labels" and "probabilities"). */
    public Cnn4jScorer topK(int k) {
        if (k < 0) {
            throw new IllegalArgumentException("topK must be 0 (no label columns) or more, got " + k);
        }
        this.topK = k;
        return this;
    }

    /** The names of the top-k columns (default "labels" and "probabilities"). */
    public Cnn4jScorer topKCols(String labels, String probabilities) {
        this.labelsCol = labels;
        this.probabilitiesCol = probabilities;
        return this;
    }

    /**
     * Images are preprocessed with this block (its own JSON file, as for the CLI's {@code --preprocess}) instead of
     * the model's: for an .onnx model, whose sidecar is not part of its bytes, or to override the model's block.
     *
     * @throws IllegalArgumentException if the file is not a valid preprocess block
     */
    public Cnn4jScorer preprocess(Path jsonFile) throws IOException {
        ModelDescription.readPreprocess(jsonFile);
        this.preprocessJson = java.nio.file.Files.readString(jsonFile);
        this.preprocessSource = jsonFile.toString();
        return this;
    }

    /** Rows per model run (default 32). */
    public Cnn4jScorer batchSize(int rows) {
        if (rows < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1 row, got " + rows);
        }
        this.batchSize = rows;
        return this;
    }

    /** cnn4j's threads in each executor JVM; 0 (default): spark.cnn4j.threads, else spark.task.cpus. */
    public Cnn4jScorer threads(int threads) {
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be at least 1, or 0 for spark.task.cpus; got "
                    + threads);
        }
        this.threads = threads;
        return this;
    }

    /** The output schema: the input's columns, then the scores and top-k columns. */
    public StructType outputSchema(StructType input) {
        int index = Arrays.asList(input.fieldNames()).indexOf(inputCol);
        if (index < 0) {
            throw new IllegalArgumentException("the DataFrame has no column '" + inputCol + "' to score (its columns: "
                    + String.join(", ", input.fieldNames()) + "); name the input with inputCol(...)");
        }
        DataType type = input.fields()[index].dataType();
        if (!type.equals(DataTypes.BinaryType) && !isFloatArray(type)) {
            throw new IllegalArgumentException("column '" + inputCol + "' is " + type.simpleString() + "; cnn4j scores "
                    + "binary (image files, e.g. spark.read().format(\"binaryFile\")) or array<float> columns");
        }
        StructType out = input;
        if (scoresCol != null) {
            out = out.add(scoresCol, DataTypes.createArrayType(DataTypes.FloatType, false), true);
        }
        if (topK > 0) {
            out = out.add(labelsCol, DataTypes.createArrayType(DataTypes.StringType, false), true)
                    .add(probabilitiesCol, DataTypes.createArrayType(DataTypes.FloatType, false), true);
        }
        if (out == input) {
            throw new IllegalArgumentException("nothing to output: scoresCol is null and topK is 0");
        }
        return out;
    }

    /** The DataFrame with the model's outputs added (lazily: Spark scores it when an action runs). */
    public Dataset<Row> transform(Dataset<Row> input) {
        StructType schema = outputSchema(input.schema());
        int inputIndex = input.schema().fieldIndex(inputCol);
        int pathIndex = Arrays.asList(input.schema().fieldNames()).indexOf(pathCol);
        boolean images = input.schema().fields()[inputIndex].dataType().equals(DataTypes.BinaryType);
        // The settings as they are now: the job runs later, and this scorer may be changed and reused meanwhile.
        Context cx = new Context(model, inputIndex, pathIndex, images, scoresCol != null, topK, batchSize, threads,
                preprocessJson, preprocessSource);
        return input.mapPartitions((MapPartitionsFunction<Row, Row>) rows -> new Batches(rows, cx),
                Encoders.row(schema));
    }

    private static boolean isFloatArray(DataType type) {
        return type instanceof ArrayType array && array.elementType().equals(DataTypes.FloatType);
    }

    /** What each task needs: the model, where its input is, the settings at transform time. */
    private record Context(Broadcast<ModelBytes> bytes, int inputIndex, int pathIndex, boolean images, boolean scores,
            int topK, int batchSize, int threads, String preprocessJson, String preprocessSource)
            implements Serializable {
        Model model() {
            TaskContext task = TaskContext.get();
            return ExecutorModels.get(bytes.value(), threads > 0 ? threads : task != null ? task.cpus() : 1);
        }

        /** The block images are preprocessed with: the scorer's, else the model's. */
        Preprocess preprocess(Model model) {
            if (preprocessJson != null) {
                try {
                    return ModelDescription.parsePreprocess(new ObjectMapper().readTree(preprocessJson),
                            preprocessSource);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            if (model.description().preprocess() == null) {
                throw new IllegalArgumentException(bytes.value().source() + " has no \"preprocess\" section, "
                        + "so cnn4j cannot turn images into its input: give one with preprocess(Path) (a block as in a "
                        + "model JSON), or score float arrays");
            }
            return model.description().preprocess();
        }

        String name(Row row, long number) {
            if (pathIndex >= 0 && !row.isNullAt(pathIndex)) {
                return String.valueOf(row.get(pathIndex));
            }
            TaskContext task = TaskContext.get();
            return "row " + number + (task != null ? " of partition " + task.partitionId() : "");
        }
    }

    /** A partition's rows with outputs, scored a batch at a time as the consumer pulls them. */
    private static final class Batches implements Iterator<Row> {
        private final Iterator<Row> rows;
        private final Context cx;
        private final Model model;
        private Preprocess preprocess;
        private Iterator<Row> ready = java.util.Collections.emptyIterator();
        private long seen;

        Batches(Iterator<Row> rows, Context cx) {
            this.rows = rows;
            this.cx = cx;
            this.model = rows.hasNext() ? cx.model() : null;
        }

        @Override
        public boolean hasNext() {
            return ready.hasNext() || rows.hasNext();
        }

        @Override
        public Row next() {
            if (!ready.hasNext()) {
                if (!rows.hasNext()) {
                    throw new NoSuchElementException();
                }
                List<Row> batch = new ArrayList<>(cx.batchSize);
                while (batch.size() < cx.batchSize && rows.hasNext()) {
                    batch.add(rows.next());
                }
                ready = score(batch).iterator();
                seen += batch.size();
            }
            return ready.next();
        }

        private List<Row> score(List<Row> batch) {
            List<Integer> present = new ArrayList<>();
            for (int i = 0; i < batch.size(); i++) {
                if (!batch.get(i).isNullAt(cx.inputIndex)) {
                    present.add(i);
                }
            }
            Object[][] outputs = new Object[batch.size()][];
            if (!present.isEmpty()) {
                try (Tensor x = cx.images ? images(batch, present) : floats(batch, present);
                     Tensor y = model.run(x)) {
                    float[] all = y.toFloatArray();
                    int per = all.length / present.size();
                    for (int j = 0; j < present.size(); j++) {
                        outputs[present.get(j)] = columns(all, j, per, y);
                    }
                }
            }
            List<Row> out = new ArrayList<>(batch.size());
            for (int i = 0; i < batch.size(); i++) {
                Row row = batch.get(i);
                Object[] values = new Object[row.length() + width()];
                for (int c = 0; c < row.length(); c++) {
                    values[c] = row.get(c);
                }
                if (outputs[i] != null) {
                    System.arraycopy(outputs[i], 0, values, row.length(), outputs[i].length);
                }
                out.add(RowFactory.create(values));
            }
            return out;
        }

        private int width() {
            return (cx.scores ? 1 : 0) + (cx.topK > 0 ? 2 : 0);
        }

        private Object[] columns(float[] all, int j, int per, Tensor y) {
            Object[] values = new Object[width()];
            int c = 0;
            if (cx.scores) {
                values[c++] = Arrays.copyOfRange(all, j * per, (j + 1) * per);
            }
            if (cx.topK > 0) {
                if (y.dim() != 2) {
                    throw new IllegalArgumentException("the model's output has shape " + Arrays.toString(y.shape())
                            + "; top-k labels need [batch, classes] (score with topK(0) to get the raw scores)");
                }
                List<TopK.Entry> top = TopK.of(all, j, per, cx.topK, model.labels());
                String[] labels = new String[top.size()];
                float[] probabilities = new float[top.size()];
                for (int k = 0; k < top.size(); k++) {
                    labels[k] = top.get(k).label();
                    probabilities[k] = (float) top.get(k).probability();
                }
                values[c++] = labels;
                values[c] = probabilities;
            }
            return values;
        }

        private Tensor images(List<Row> batch, List<Integer> present) {
            List<BufferedImage> decoded = new ArrayList<>(present.size());
            for (int i : present) {
                Row row = batch.get(i);
                String name = cx.name(row, seen + i);
                try {
                    decoded.add(Images.read((byte[]) row.get(cx.inputIndex), name));
                } catch (IOException e) {
                    throw new UncheckedIOException("cnn4j could not read the image " + name + ": " + e.getMessage(), e);
                }
            }
            if (preprocess == null) {
                preprocess = cx.preprocess(model);
            }
            return Images.batch(decoded, preprocess);
        }

        private Tensor floats(List<Row> batch, List<Integer> present) {
            List<InputSpec> inputs = model.description().inputs();
            if (inputs.size() != 1) {
                throw new IllegalArgumentException("the model has " + inputs.size() + " inputs; cnn4j-spark scores "
                        + "models with one input");
            }
            long[] sample = Arrays.copyOfRange(inputs.get(0).shape(), 1, inputs.get(0).shape().length);
            long size = 1;
            for (long d : sample) {
                if (d < 0) {
                    throw new IllegalArgumentException("the model's input " + Arrays.toString(inputs.get(0).shape())
                            + " has free dims besides the batch; float-array rows need a fixed sample shape");
                }
                size *= d;
            }
            float[] values = new float[Math.toIntExact(size * present.size())];
            for (int j = 0; j < present.size(); j++) {
                Row row = batch.get(present.get(j));
                List<Float> v = row.getList(cx.inputIndex);
                if (v.size() != size) {
                    throw new IllegalArgumentException(cx.name(row, seen + present.get(j)) + " has " + v.size()
                            + " floats; the model's input " + Arrays.toString(sample) + " takes " + size + " per row");
                }
                for (int k = 0; k < size; k++) {
                    Float f = v.get(k);
                    if (f == null) {
                        throw new IllegalArgumentException(cx.name(row, seen + present.get(j)) + " has a null at "
                                + "index " + k + "; inputs must be numbers");
                    }
                    values[(int) (j * size + k)] = f;
                }
            }
            long[] shape = new long[sample.length + 1];
            shape[0] = present.size();
            System.arraycopy(sample, 0, shape, 1, sample.length);
            return Tensor.of(values, shape);
        }
    }
}
