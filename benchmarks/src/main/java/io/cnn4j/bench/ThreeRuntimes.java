package io.cnn4j.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.cnn4j.Cnn4j;
import java.util.Map;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.global.torch;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What {@link Conv2dBenchmark} and {@link ModelBenchmark} share: the {@code threads} parameter and how each runtime
 * gets it, libtorch's inference mode around the timed calls, and the ONNX Runtime side (a session with a reused
 * input tensor, its measured call, and the check of its output).
 */
@State(Scope.Benchmark)
public abstract class ThreeRuntimes {
    @Param({"1", "2"})
    public int threads;

    /**
     * The OpenBLAS setting the JVM was started with, for the report to tell the two apart: "own" (run.sh unsets
     * OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE, so OpenBLAS picks its kernels itself, as on a user's machine) or
     * "machine" (the variables as this machine's environment sets them).
     */
    @Param({"own"})
    public String blas;

    private OrtSession session;
    private OnnxTensor ortInput;
    private Map<String, OnnxTensor> ortInputs;
    private InferenceMode inferenceMode;

    /** How a benchmark opens its ONNX Runtime session, from a file or from bytes. */
    protected interface SessionSource {
        OrtSession open(OrtEnvironment environment, OrtSession.SessionOptions options) throws OrtException;
    }

    /**
     * Opens the session with {@code threads} intra-op threads, 1 inter-op thread and default options otherwise (all
     * graph optimizations), and feeds {@code x} to its only input.
     */
    protected void openOrt(SessionSource source, float[] x, long[] shape) throws OrtException {
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            session = source.open(environment, options);
        }
        ortInput = Inputs.ortTensor(environment, x, shape);
        ortInputs = Map.of(session.getInputNames().iterator().next(), ortInput);
    }

    protected void closeOrt() throws OrtException {
        ortInput.close();
        session.close();
    }

    /** Fails the run if {@link #blas} says "own" but the JVM was started with either OpenBLAS variable set. */
    protected void checkBlasSetting() {
        for (String variable : BlasSetting.VARIABLES) {
            if (blas.equals("own") && System.getenv(variable) != null) {
                throw new IllegalStateException("blas=own but " + variable + "=" + System.getenv(variable)
                        + " is set: start the JVM without it (run.sh does)");
            }
        }
        System.out.println("blas=" + blas + ": OpenBLAS runs its " + io.cnn4j.Cnn4j.blasCoreName() + " kernels");
    }

    /** cnn4j's and OpenBLAS's threads are process-wide, libtorch's per thread: the timed thread sets both. */
    protected void setThreads() {
        Cnn4j.setNumThreads(threads);
        torch.set_num_threads(threads);
    }

    /** Fails the run unless cnn4j's output and ONNX Runtime's agree with libtorch's {@code expected}. */
    protected void checkOutputsAgree(String what, float[] expected, float[] cnn4j) throws OrtException {
        Agreement.check(what, "cnn4j", expected, cnn4j);
        try (OrtSession.Result result = session.run(ortInputs)) {
            Agreement.check(what, "onnxruntime", expected, Agreement.values((OnnxTensor) result.get(0)));
        }
    }

    /** Inference mode is per thread too; this runs on the thread that JMH times. */
    @Setup(Level.Iteration)
    public void enterIteration() {
        setThreads();
        inferenceMode = new InferenceMode();
    }

    @TearDown(Level.Iteration)
    public void leaveIteration() {
        inferenceMode.close();
    }

    @Benchmark
    public void onnxruntime() throws OrtException {
        session.run(ortInputs).close();
    }
}
