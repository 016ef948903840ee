package io.cnn4j;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cnn4j.reference.NaivePooling;
import io.cnn4j.testing.LibTorch;
import io.cnn4j.testing.Oracle;
import io.cnn4j.testing.SecondOpinion;
import java.util.Arrays;
import java.util.Random;
import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * F.pad against the float64 naive reference, with libtorch ({@code torch::pad}, which dispatches to
 * constant_pad_nd, reflection_pad*, replication_pad* and _pad_circular) deciding validity and giving a counted second
 * opinion on the values, on random ranks, modes and paddings, negative (cropping) ones included; invalid
 * configurations must be rejected by both.
 */
class PadConformanceTest {
    private static final int CASES = 800;
    private static final String[] MODES = {"constant", "reflect", "replicate", "circular"};

    @Test
    void pad() {
        int[] tally = new int[3]; // accepted, rejected by both, undefined in libtorch
        SecondOpinion ledger = SecondOpinion.of("pad");
        Oracle.forEachSeed("pad", CASES, (seeded, seed) -> {
            Random r = seeded;
            String mode = MODES[r.nextInt(MODES.length)];
            // Non-constant modes take inputs of padded dims + 1 or + 2; other ranks sometimes, to see them refused.
            int padDims;
            int rank;
            if (mode.equals("constant")) {
                rank = Oracle.between(r, 1, 5);
                padDims = r.nextInt(Math.min(rank, 3) + 1);
            } else {
                padDims = Oracle.between(r, 1, 3);
                rank = r.nextInt(10) == 0 ? Oracle.between(r, 1, 5) : padDims + Oracle.between(r, 1, 2);
                padDims = Math.min(padDims, rank);
            }
            long[] shape = new long[rank];
            for (int i = 0; i < rank; i++) {
                shape[i] = Oracle.between(r, 1, i < rank - padDims ? 3 : 5);
            }
            // Paddings scaled to the size they pad: negative (cropping), zero, up to the size, now and then beyond.
            int[] pad = new int[2 * padDims];
            for (int i = 0; i < pad.length; i++) {
                int size = (int) shape[rank - 1 - i / 2];
                int roll = r.nextInt(20);
                pad[i] = roll < 4 ? -Oracle.between(r, 1, size) : roll < 8 ? 0
                        : roll < 19 ? Oracle.between(r, 1, size) : size + Oracle.between(r, 1, 2);
            }
            double value = mode.equals("constant") ? (r.nextBoolean() ? 0 : r.nextFloat() * 4 - 2)
                    : r.nextInt(10) == 0 ? 1.5 : 0;
            boolean passValue = value != 0 || r.nextBoolean(); // value=None or an explicit value
            float[] x = PoolingOutcome.data(r, Shapes.numel(shape), true);
            String config = "pad input " + Arrays.toString(shape) + " pad=" + Arrays.toString(pad) + " mode='" + mode
                    + "' value=" + (passValue ? value : "None");
            PoolingOutcome ours = PoolingOutcome.cnn4j(() -> {
                try (Tensor t = Tensor.of(x, shape)) {
                    return passValue ? Functional.pad(t, pad, mode, value) : Functional.pad(t, pad, mode);
                }
            });
            if (circularReadsUninitialised(mode, shape, pad)) {
                // libtorch accepts these but copies from output it has not written yet; cnn4j refuses them.
                assertFalse(ours.accepted(), config + ": cnn4j must refuse what libtorch leaves uninitialised");
                tally[2]++;
                return;
            }
            PoolingOutcome torchSide = PoolingOutcome.torch(() -> new org.bytedeco.pytorch.Tensor[] {
                torch.pad(LibTorch.tensor(x, shape), PoolingOutcome.longs(pad), mode,
                        passValue ? new DoubleOptional(value) : new DoubleOptional())});
            boolean accepted = PoolingOutcome.assertAgree(config, ledger, torchSide, ours,
                    () -> NaivePooling.pad(Oracle.widen(x), shape, pad, mode, value));
            tally[accepted ? 0 : 1]++;
        });
        System.out.println("pad: " + tally[0] + " accepted, " + tally[1] + " rejected by both, " + tally[2]
                + " refused by cnn4j where libtorch reads uninitialised memory");
        ledger.report();
        assertTrue(tally[0] >= CASES / 2 && tally[1] >= CASES / 20, "pad: poor coverage " + Arrays.toString(tally));
    }

    /**
     * libtorch's _pad_circular checks each padding against the input size, but wraps within the input left after
     * negative padding: a positive padding larger than that copies unwritten memory.
     */
    private static boolean circularReadsUninitialised(String mode, long[] shape, int[] pad) {
        if (!mode.equals("circular") || shape.length - pad.length / 2 < 1 || shape.length - pad.length / 2 > 2) {
            return false;
        }
        int dims = pad.length / 2;
        boolean undefined = false;
        for (int i = 0; i < dims; i++) {
            long size = shape[shape.length - 1 - i];
            int before = pad[2 * i];
            int after = pad[2 * i + 1];
            if (before > size || after > size || size + before + after < 0) {
                return false; // libtorch refuses it anyway
            }
            long kept = size + Math.min(before, 0) + Math.min(after, 0);
            undefined |= before > kept || after > kept;
        }
        return undefined;
    }
}
