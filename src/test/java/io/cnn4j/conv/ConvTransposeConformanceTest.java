package io.cnn4j.conv;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cnn4j.testing.Oracle;
import io.cnn4j.testing.SecondOpinion;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Transposed convolution (F.conv_transpose1d/2d/3d, nn.ConvTranspose*d output_size): cnn4j vs the float64 naive
 * reference, libtorch float32 as a counted second opinion (it is wrong for some dilated 2-d cases on AVX-512).
 */
class ConvTransposeConformanceTest {
    private static final int CASES = 600;

    @Test
    void randomValidConfigurationsMatch() {
        Set<String> seen = new HashSet<>();
        SecondOpinion ledger = SecondOpinion.of("conv_transpose valid");
        Oracle.forEachSeed("conv_transpose valid", CASES, (r, seed) -> {
            ConvTransposeCase c = ConvTransposeCase.valid(r);
            seen.add(c.dims + "d");
            seen.add(c.batch == 0 ? "unbatched" : c.batch > 1 ? "batch>1" : "batch=1");
            seen.add(c.groups > 1 ? "groups" : "groups=1");
            seen.add(c.outputSize != null ? "output_size" : "output_padding");
            for (int i = 0; i < c.outputPadding.length; i++) {
                if (c.outputPadding[i] > 0 && c.outputPadding[i] >= WeightedCase.at(c.stride, i)) {
                    seen.add("output_padding >= stride (< dilation)");
                }
            }
            ConformanceChecks.agree(ledger, c, c::torch, c::naive, c::cnn4j);
        });
        ledger.report();
        for (String feature : new String[] {"1d", "2d", "3d", "unbatched", "batch>1", "groups", "output_size",
                "output_padding >= stride (< dilation)"}) {
            assertTrue(seen.contains(feature), "no case covered " + feature);
        }
    }

    @Test
    void randomMaybeInvalidConfigurationsAreRejectedAlike() {
        int[] rejected = {0};
        SecondOpinion ledger = SecondOpinion.of("conv_transpose maybe invalid");
        Oracle.forEachSeed("conv_transpose maybe invalid", CASES, (r, seed) -> {
            ConvTransposeCase c = ConvTransposeCase.maybeInvalid(r);
            if (Arrays.stream(c.dilation).anyMatch(d -> d == 0)) {
                // libtorch's oneDNN path (batch > 1 or groups > 1) lets dilation=0 through when the kernel is 1
                // wide, where taps never move; its own kernels refuse it ("dilation should be greater than zero").
                // Which path runs is libtorch's internal choice, so cnn4j refuses it always.
                assertThrows(IllegalArgumentException.class, c::cnn4j, c.toString());
                rejected[0]++;
                return;
            }
            if (ConformanceChecks.rejectedAlike(ledger, c, c::torch, c::naive, c::cnn4j)) {
                rejected[0]++;
            }
        });
        ledger.report();
        assertTrue(rejected[0] > CASES / 3 && rejected[0] < CASES, "rejected " + rejected[0] + " of " + CASES);
    }
}
