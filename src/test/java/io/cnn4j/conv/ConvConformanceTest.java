package io.cnn4j.conv;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cnn4j.testing.Oracle;
import io.cnn4j.testing.SecondOpinion;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Convolution (F.conv1d/2d/3d and nn.Conv*d padding modes): cnn4j vs the float64 naive reference, libtorch float32
 * as a counted second opinion.
 */
class ConvConformanceTest {
    private static final int CASES = 600;

    @Test
    void randomValidConfigurationsMatch() {
        Set<String> seen = new HashSet<>();
        SecondOpinion ledger = SecondOpinion.of("conv valid");
        Oracle.forEachSeed("conv valid", CASES, (r, seed) -> {
            ConvCase c = ConvCase.valid(r);
            seen.add(c.dims + "d");
            seen.add(c.mode);
            seen.add(c.paddingString != null ? c.paddingString : c.padding.length == 1 ? "int padding" : "tuple");
            seen.add(c.batch == 0 ? "unbatched" : c.batch > 1 ? "batch>1" : "batch=1");
            seen.add(c.groups > 1 && c.weightShape[1] == 1 ? "depthwise" : c.groups > 1 ? "groups" : "groups=1");
            seen.add(c.biasShape == null ? "no bias" : "bias");
            ConformanceChecks.agree(ledger, c, c::torch, c::naive, c::cnn4j);
        });
        ledger.report();
        for (String feature : new String[] {"1d", "2d", "3d", "zeros", "reflect", "replicate", "circular", "same",
                "valid", "int padding", "tuple", "unbatched", "batch>1", "depthwise", "groups", "bias", "no bias"}) {
            assertTrue(seen.contains(feature), "no case covered " + feature);
        }
    }

    @Test
    void depthwiseKernelWidthsMatch() {
        int[] widths = {1, 2, 3, 4, 5, 6, 7, 8, 9, 33, 40};
        SecondOpinion ledger = SecondOpinion.of("conv depthwise widths");
        Oracle.forEachSeed("depthwise widths", widths.length * 3 * 2 * 2, (r, seed) -> {
            int i = (int) Math.floorMod(seed, (long) widths.length * 12);
            int width = widths[i % widths.length];
            int stride = 1 + i / widths.length % 3;
            int dilation = 1 + i / widths.length / 3 % 2;
            int padding = Oracle.between(r, 0, width / 2 + 1);
            ConvCase c = ConvCase.depthwise(r, Oracle.between(r, 1, 3), width, stride, dilation, padding);
            ConformanceChecks.agree(ledger, c, c::torch, c::naive, c::cnn4j);
        });
        ledger.report();
    }

    @Test
    void randomMaybeInvalidConfigurationsAreRejectedAlike() {
        int[] rejected = {0};
        SecondOpinion ledger = SecondOpinion.of("conv maybe invalid");
        Oracle.forEachSeed("conv maybe invalid", CASES, (r, seed) -> {
            ConvCase c = ConvCase.maybeInvalid(r);
            if (ConformanceChecks.rejectedAlike(ledger, c, c::torch, c::naive, c::cnn4j)) {
                rejected[0]++;
            }
        });
        ledger.report();
        assertTrue(rejected[0] > CASES / 3 && rejected[0] < CASES, "rejected " + rejected[0] + " of " + CASES);
    }
}
