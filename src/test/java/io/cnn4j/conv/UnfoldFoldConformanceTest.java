package io.cnn4j.conv;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cnn4j.testing.Oracle;
import org.junit.jupiter.api.Test;

/** F.unfold / F.fold (im2col / col2im): cnn4j vs the naive reference vs libtorch. */
class UnfoldFoldConformanceTest {
    private static final int CASES = 500;

    @Test
    void randomValidUnfoldsMatch() {
        Oracle.forEachSeed("unfold valid", CASES, (r, seed) -> {
            BlocksCase c = BlocksCase.valid(r, false);
            ConformanceChecks.agree(c, c::torch, c::naive, c::cnn4j);
        });
    }

    @Test
    void randomValidFoldsMatch() {
        Oracle.forEachSeed("fold valid", CASES, (r, seed) -> {
            BlocksCase c = BlocksCase.valid(r, true);
            ConformanceChecks.agree(c, c::torch, c::naive, c::cnn4j);
        });
    }

    @Test
    void randomMaybeInvalidConfigurationsAreRejectedAlike() {
        int[] rejected = {0};
        Oracle.forEachSeed("unfold/fold maybe invalid", 2 * CASES, (r, seed) -> {
            BlocksCase c = BlocksCase.maybeInvalid(r, r.nextBoolean());
            if (ConformanceChecks.rejectedAlike(c, c::torch, c::cnn4j)) {
                rejected[0]++;
            }
        });
        assertTrue(rejected[0] > CASES / 2 && rejected[0] < 2 * CASES, "rejected " + rejected[0]);
    }
}
