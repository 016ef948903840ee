package io.cnn4j.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.concurrent.Callable;

/**
 * Measures what a piece of code costs without depending on the machine's speed: the bytes of heap it allocates (the
 * JVM's own count for the calling thread, an upper bound on what it can hold live), and a system property set for
 * the duration of a call (cnn4j's limits are read at each load).
 */
public final class Budgets {
    private Budgets() {}

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** Runs {@code action} and returns the heap bytes the current thread allocated meanwhile. */
    public static long allocatedBy(Runnable action) {
        long before = THREADS.getCurrentThreadAllocatedBytes();
        action.run();
        return THREADS.getCurrentThreadAllocatedBytes() - before;
    }

    /** Asserts {@code action} allocates at most {@code maxBytes} of heap on this thread; returns what it allocated. */
    public static long assertAllocatesAtMost(long maxBytes, String what, Runnable action) {
        long allocated = allocatedBy(action);
        assertTrue(allocated <= maxBytes, what + " allocated " + allocated + " bytes of heap, more than " + maxBytes);
        return allocated;
    }

    /** Calls {@code action} with system property {@code name} set to {@code value}, then restores it. */
    public static <T> T withProperty(String name, String value, Callable<T> action) throws Exception {
        String old = System.getProperty(name);
        System.setProperty(name, value);
        try {
            return action.call();
        } finally {
            if (old == null) {
                System.clearProperty(name);
            } else {
                System.setProperty(name, old);
            }
        }
    }
}
