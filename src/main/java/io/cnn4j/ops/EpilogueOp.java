package io.cnn4j.ops;

import io.cnn4j.Tensor;
import org.bytedeco.javacpp.FloatPointer;

/** A one-input op that can apply an {@link Epilogue} (and, if {@link #takesResidual}, add a residual) as it writes. */
public interface EpilogueOp extends UnaryOp {
    /** Whether {@link #run(Tensor, Tensor, FloatPointer, Epilogue, Tensor)} accepts a residual tensor. */
    boolean takesResidual();

    /** output = epilogue(op(input) + residual); residual (nullable) has the output's shape and does not overlap it. */
    void run(Tensor input, Tensor output, FloatPointer workspace, Epilogue epilogue, Tensor residual);

    /** This op for one input shape and epilogue, checked and worked out once (see {@link UnaryOp#prepare}). */
    PreparedWithEpilogue prepare(long[] inputShape, Epilogue epilogue);

    @Override
    default Prepared prepare(long[] inputShape) {
        PreparedWithEpilogue p = prepare(inputShape, Epilogue.NONE);
        return (input, output, workspace) -> p.run(input, output, workspace, null);
    }

    /** An op prepared for one input shape and epilogue; residual as in {@link EpilogueOp#run}. */
    @FunctionalInterface
    interface PreparedWithEpilogue {
        void run(Tensor input, Tensor output, FloatPointer workspace, Tensor residual);
    }
}
