package io.cnn4j.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.cnn4j.Tensor;
import io.cnn4j.jni.NativeCore;
import io.cnn4j.ops.ConvOptions;
import io.cnn4j.ops.Convolution;
import io.cnn4j.ops.Workspaces;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * conv2d (batch 1, with bias) in cnn4j, ONNX Runtime Java and libtorch on the same weights and input, with
 * {@code threads} intra-op threads each. Every fork sets up all three runtimes and checks that their outputs agree
 * before it measures one of them, so a benchmark cannot time a wrong computation. Each measured call does what a
 * user of that runtime would do per inference: cnn4j runs into a preallocated output and workspace, ONNX Runtime
 * runs its session and frees the result, libtorch returns a new tensor that is freed at once. Sample-time mode
 * times calls one by one, so that the report can use the median call, which a process that briefly takes a core
 * away (the benchmark machine is shared) does not move.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class Conv2dBenchmark {
    /** Outputs must agree within this fraction of the reference output's largest magnitude. */
    static final double TOLERANCE = 1e-4;

    @Param
    public ConvShape shape;

    @Param({"1", "2"})
    public int threads;

    private Tensor input;
    private Tensor weight;
    private Tensor bias;
    private Tensor output;
    private Convolution conv;
    private FloatPointer workspace;

    private OrtEnvironment ortEnvironment;
    private OrtSession session;
    private OnnxTensor ortInput;
    private Map<String, OnnxTensor> ortInputs;

    private org.bytedeco.pytorch.Tensor torchInput;
    private org.bytedeco.pytorch.Tensor torchWeight;
    private TensorOptional torchBias;
    private long[] stride;
    private long[] padding;
    private long[] dilation;
    private InferenceMode inferenceMode;

    @Setup(Level.Trial)
    public void setUp() throws OrtException {
        ConvShape s = shape;
        Random random = new Random(42);
        // Weights and bias as nn.Conv2d initializes them (uniform within 1/sqrt(fan_in)), so outputs stay O(1).
        double bound = 1 / Math.sqrt((double) s.inChannels / s.groups * s.kernel * s.kernel);
        float[] x = uniform(random, numel(s.inputShape()), 1);
        float[] w = uniform(random, numel(s.weightShape()), bound);
        float[] b = uniform(random, s.outChannels, bound);
        setThreads();

        input = Tensor.of(x, s.inputShape());
        weight = Tensor.of(w, s.weightShape());
        bias = Tensor.of(b, s.outChannels);
        conv = Convolution.create(2, weight, bias,
                new ConvOptions().stride(s.stride).padding(s.padding).groups(s.groups));
        output = Tensor.empty(conv.outputShape(s.inputShape()));
        workspace = Workspaces.allocate(conv.workspaceSize(s.inputShape()));

        ortEnvironment = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            session = ortEnvironment.createSession(OnnxConvModel.conv2d(s, w, b), options);
        }
        FloatBuffer direct = ByteBuffer.allocateDirect(x.length * Float.BYTES).order(ByteOrder.nativeOrder())
                .asFloatBuffer().put(x);
        ortInput = OnnxTensor.createTensor(ortEnvironment, direct.rewind(), s.inputShape());
        ortInputs = Map.of("X", ortInput);

        TensorOptions float32 = new TensorOptions(torch.ScalarType.Float);
        torchInput = torchTensor(x, s.inputShape(), float32);
        torchWeight = torchTensor(w, s.weightShape(), float32);
        torchBias = new TensorOptional(torchTensor(b, new long[] {s.outChannels}, float32));
        stride = new long[] {s.stride, s.stride};
        padding = new long[] {s.padding, s.padding};
        dilation = new long[] {1, 1};

        checkOutputsAgree();
    }

    /** The runtimes' thread settings, and libtorch's inference mode, are per thread; this runs on the one timed. */
    @Setup(Level.Iteration)
    public void enterIteration() {
        setThreads();
        inferenceMode = new InferenceMode();
    }

    @TearDown(Level.Iteration)
    public void leaveIteration() {
        inferenceMode.close();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws OrtException {
        ortInput.close();
        session.close();
        workspace.close();
        for (Tensor t : new Tensor[] {input, weight, bias, output}) {
            t.close();
        }
        torchInput.close();
        torchWeight.close();
        torchBias.close();
    }

    @Benchmark
    public void cnn4j() {
        conv.run(input, output, workspace);
    }

    @Benchmark
    public void onnxruntime() throws OrtException {
        session.run(ortInputs).close();
    }

    @Benchmark
    public void libtorch() {
        torch.conv2d(torchInput, torchWeight, torchBias, stride, padding, dilation, shape.groups).close();
    }

    private void setThreads() {
        NativeCore.cnn4j_set_num_threads(threads);
        torch.set_num_threads(threads);
    }

    private void checkOutputsAgree() throws OrtException {
        float[] expected;
        try (InferenceMode guard = new InferenceMode();
                org.bytedeco.pytorch.Tensor y = torch.conv2d(torchInput, torchWeight, torchBias, stride, padding,
                        dilation, shape.groups)) {
            expected = new float[(int) y.numel()];
            y.contiguous().data_ptr_float().get(expected);
        }
        cnn4j();
        check("cnn4j", expected, output.toFloatArray());
        try (OrtSession.Result result = session.run(ortInputs)) {
            FloatBuffer y = ((OnnxTensor) result.get(0)).getFloatBuffer();
            float[] actual = new float[y.remaining()];
            y.get(actual);
            check("onnxruntime", expected, actual);
        }
    }

    private void check(String runtime, float[] expected, float[] actual) {
        if (actual.length != expected.length) {
            throw new IllegalStateException(shape + ": " + runtime + " returned " + actual.length
                    + " values, libtorch " + expected.length);
        }
        double scale = 0;
        double maxError = 0;
        for (int i = 0; i < expected.length; i++) {
            scale = Math.max(scale, Math.abs(expected[i]));
            maxError = Math.max(maxError, Math.abs(expected[i] - actual[i]));
        }
        if (!(maxError <= TOLERANCE * scale)) {
            throw new IllegalStateException(shape + ": " + runtime + " differs from libtorch by " + maxError
                    + ", more than " + TOLERANCE + " x the output scale " + scale);
        }
        System.out.printf("%s: %s agrees with libtorch, max difference %.2e x the output scale %.3g%n", shape,
                runtime, maxError / scale, scale);
    }

    private static org.bytedeco.pytorch.Tensor torchTensor(float[] values, long[] shape, TensorOptions options) {
        try (FloatPointer p = new FloatPointer(values)) {
            return torch.from_blob(p, shape, options).clone();
        }
    }

    private static float[] uniform(Random random, long n, double bound) {
        float[] a = new float[Math.toIntExact(n)];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
        }
        return a;
    }

    private static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }
}
