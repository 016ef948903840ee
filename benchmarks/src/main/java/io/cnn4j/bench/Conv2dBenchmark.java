package io.cnn4j.bench;

import ai.onnxruntime.OrtException;
import io.cnn4j.Tensor;
import io.cnn4j.ops.ConvOptions;
import io.cnn4j.ops.Convolution;
import io.cnn4j.ops.Workspaces;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.TensorOptional;
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
public class Conv2dBenchmark extends ThreeRuntimes {
    @Param
    public ConvShape shape;

    private Tensor input;
    private Tensor weight;
    private Tensor bias;
    private Tensor output;
    private Convolution conv;
    private FloatPointer workspace;

    private org.bytedeco.pytorch.Tensor torchInput;
    private org.bytedeco.pytorch.Tensor torchWeight;
    private TensorOptional torchBias;
    private long[] stride;
    private long[] padding;
    private long[] dilation;

    @Setup(Level.Trial)
    public void setUp() throws OrtException {
        ConvShape s = shape;
        Random random = new Random(42);
        // Weights and bias as nn.Conv2d initializes them (uniform within 1/sqrt(fan_in)), so outputs stay O(1).
        double bound = 1 / Math.sqrt((double) s.inChannels / s.groups * s.kernel * s.kernel);
        float[] x = Inputs.uniform(random, Inputs.numel(s.inputShape()), 1);
        float[] w = Inputs.uniform(random, Inputs.numel(s.weightShape()), bound);
        float[] b = Inputs.uniform(random, s.outChannels, bound);
        checkBlasSetting();
        setThreads();

        input = Tensor.of(x, s.inputShape());
        weight = Tensor.of(w, s.weightShape());
        bias = Tensor.of(b, s.outChannels);
        conv = Convolution.create(2, weight, bias,
                new ConvOptions().stride(s.stride).padding(s.padding).groups(s.groups));
        output = Tensor.empty(conv.outputShape(s.inputShape()));
        workspace = Workspaces.allocate(conv.workspaceSize(s.inputShape()));

        openOrt((environment, options) -> environment.createSession(OnnxConvModel.conv2d(s, w, b), options), x,
                s.inputShape());

        torchInput = Inputs.torchTensor(x, s.inputShape());
        torchWeight = Inputs.torchTensor(w, s.weightShape());
        torchBias = new TensorOptional(Inputs.torchTensor(b, new long[] {s.outChannels}));
        stride = new long[] {s.stride, s.stride};
        padding = new long[] {s.padding, s.padding};
        dilation = new long[] {1, 1};

        float[] expected;
        try (InferenceMode guard = new InferenceMode();
                org.bytedeco.pytorch.Tensor y = torch.conv2d(torchInput, torchWeight, torchBias, stride, padding,
                        dilation, shape.groups)) {
            expected = Agreement.values(y);
        }
        cnn4j();
        checkOutputsAgree(shape.name(), expected, output.toFloatArray());
    }

    @TearDown(Level.Trial)
    public void tearDown() throws OrtException {
        closeOrt();
        conv.close();
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
    public void libtorch() {
        torch.conv2d(torchInput, torchWeight, torchBias, stride, padding, dilation, shape.groups).close();
    }
}
