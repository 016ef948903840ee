package io.cnn4j.conv;

import io.cnn4j.Functional;
import io.cnn4j.Tensor;
import io.cnn4j.ops.ConvOptions;
import io.cnn4j.reference.NaiveConv;
import io.cnn4j.testing.Isas;
import io.cnn4j.testing.Oracle;
import io.cnn4j.testing.SecondOpinion;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Depthwise convolution (native kernels/depthwise) on every instruction set this CPU supports, each against the
 * float64 naive reference at Oracle's tolerance (1e-5 of the output scale). The SIMD variants differ from the scalar
 * reference only by fused multiply-add rounding (bound in native/kernels/depthwise/depthwise.h, orders of magnitude
 * below the tolerance), so no variant gets a looser one. Cases cover stride 1 and 2 (the vector paths) and 3 (the
 * generic one), kernel widths with and without fast paths, output widths 1..40 (so every tail mod 8 and 16 and
 * full, paired and partial vector blocks), padding, dilation, 1-d and 2-d, batch 0..3.
 */
class DepthwiseIsaConformanceTest {
    private static final int[] WIDTHS = {1, 2, 3, 4, 5, 7, 9, 33};
    private static final int CASES_PER_ISA = 320;

    @Test
    void everyIsaMatchesTheReference() {
        Isas.forEach(isa -> {
            SecondOpinion ledger = SecondOpinion.of("depthwise " + isa);
            Oracle.forEachSeed("depthwise on " + isa, CASES_PER_ISA, (r, seed) -> {
                ConvCase c = wideCase(r, (int) Math.floorMod(seed, 40L) + 1);
                ConformanceChecks.agree(ledger, c, c::torch, c::naive, c::cnn4j);
            });
            ledger.report();
        });
    }

    /**
     * Planes too large for the kernel's stack buffer go through one kept buffer per thread whose zero padding is
     * filled once per geometry: planes of alternating geometries (size, stride, padding, kernel) must each match the
     * float64 reference, so padding left from another geometry, or input rows left from an earlier plane, would show.
     */
    @Test
    void largePlanesOfAlternatingGeometriesMatchTheReference() {
        long[][] cases = { // channels, height, width, kernel, stride, padding
            {3, 70, 66, 3, 1, 1}, {2, 112, 112, 3, 2, 1}, {3, 70, 66, 3, 1, 1}, {2, 64, 80, 5, 1, 2},
            {3, 70, 66, 3, 1, 0}, {2, 112, 112, 3, 2, 1}, {4, 41, 120, 5, 2, 2}, {3, 70, 66, 3, 1, 1}};
        Isas.forEach(isa -> {
            Random r = new Random(9);
            for (long[] k : cases) {
                long c = k[0], h = k[1], w = k[2], kernel = k[3], stride = k[4], padding = k[5];
                float[] x = Oracle.uniform(r, 2 * c * h * w), wt = Oracle.uniform(r, c * kernel * kernel);
                float[] b = Oracle.uniform(r, c);
                long[] xShape = {2, c, h, w}, wShape = {c, 1, kernel, kernel};
                long[] pad = {padding, padding};
                NaiveConv.Result expected = NaiveConv.conv(Oracle.widen(x), xShape, Oracle.widen(wt), wShape,
                        Oracle.widen(b), new long[] {stride, stride}, pad, pad, new long[] {1, 1}, c, "zeros");
                try (Tensor tx = Tensor.of(x, xShape); Tensor tw = Tensor.of(wt, wShape); Tensor tb = Tensor.of(b, c);
                        Tensor y = Functional.conv2d(tx, tw, tb, new ConvOptions().stride((int) stride)
                                .padding((int) padding).groups((int) c))) {
                    Oracle.assertClose(isa + " depthwise " + Arrays.toString(k), expected.data(), y.toFloatArray());
                }
            }
        });
    }

    /** A depthwise case whose output row is {@code outWidth} wide. */
    private static ConvCase wideCase(Random r, int outWidth) {
        int width = WIDTHS[r.nextInt(WIDTHS.length)];
        int stride = r.nextInt(5) == 0 ? 3 : Oracle.between(r, 1, 2);
        int dilation = r.nextInt(4) == 0 ? 2 : 1;
        int padding = Oracle.between(r, 0, width / 2);
        ConvCase c = ConvCase.depthwise(r, Oracle.between(r, 1, 2), width, stride, dilation, padding);
        long effective = (long) dilation * (width - 1) + 1;
        c.spatial[c.dims - 1] = Math.max(1, (outWidth - 1L) * stride + effective - 2L * padding);
        c.batch = Oracle.between(r, 0, 3);
        c.fill(r);
        return c;
    }
}
