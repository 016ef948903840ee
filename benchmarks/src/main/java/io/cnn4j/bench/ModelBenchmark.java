package io.cnn4j.bench;

import ai.onnxruntime.OrtException;
import io.cnn4j.Tensor;
import io.cnn4j.model.Model;
import java.io.IOException;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.IValueVector;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.JitModule;
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
 * Whole-model inference (a {@link BenchModel} at {@code batch} x its input shape) in cnn4j, ONNX Runtime Java and
 * libtorch, each from its own file of the same PyTorch module (benchmarks/make_models.py), with {@code threads}
 * intra-op threads. Every fork loads the model in all three runtimes and checks that their outputs agree on the
 * same random input before it measures one of them. Each measured call is one inference as a user of that runtime
 * writes it: cnn4j's {@code Model.run} returns a new output tensor that is closed, ONNX Runtime runs its session
 * and frees the result, libtorch's module forward returns a tensor that is freed at once. Sample-time mode, as in
 * {@link Conv2dBenchmark}, so that the report can use the median call.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
// The weights (VGG-11-BN: 0.5 GB per runtime) and cnn4j's arenas live outside the heap, but JavaCPP caps its native
// allocations at the heap limit (and the process's physical memory at 4x): the limit is set for them (VGG-11-BN at
// batch 32 holds three runtimes' weights and activations of 0.4 GB per feature map).
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class ModelBenchmark extends ThreeRuntimes {
    @Param
    public BenchModel model;

    @Param({"1", "8", "32"})
    public int batch;

    private Model cnn4jModel;
    private Tensor input;

    private JitModule module;
    private org.bytedeco.pytorch.Tensor torchInput;
    private IValue torchInputValue;
    private IValueVector torchInputs;

    @Setup(Level.Trial)
    public void setUp() throws IOException, OrtException {
        long[] shape = model.inputShape(batch);
        float[] x = Inputs.uniform(new Random(42), Inputs.numel(shape), 1);
        checkBlasSetting();
        setThreads();

        cnn4jModel = Model.load(model.cnn4jFile());
        input = Tensor.of(x, shape);

        openOrt((environment, options) -> environment.createSession(model.onnxFile().toString(), options), x,
                shape);

        module = torch.load(model.torchScriptFile().toString());
        module.eval();
        torchInput = Inputs.torchTensor(x, shape);
        torchInputValue = new IValue(torchInput);
        torchInputs = new IValueVector(torchInputValue);

        float[] expected;
        try (InferenceMode guard = new InferenceMode();
                IValue y = module.forward(torchInputs);
                org.bytedeco.pytorch.Tensor t = y.toTensor()) {
            expected = Agreement.values(t);
        }
        try (Tensor y = cnn4jModel.run(input)) {
            checkOutputsAgree(model + " batch " + batch, expected, y.toFloatArray());
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws OrtException {
        input.close();
        cnn4jModel.close();
        closeOrt();
        torchInputs.close();
        torchInputValue.close();
        torchInput.close();
        module.close();
    }

    @Benchmark
    public void cnn4j() {
        cnn4jModel.run(input).close();
    }

    @Benchmark
    public void libtorch() {
        module.forward(torchInputs).close();
    }
}
