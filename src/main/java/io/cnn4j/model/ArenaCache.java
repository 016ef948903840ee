package io.cnn4j.model;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The executions of one model (plan, arena and prepared steps for one set of input shapes), pooled for reuse
 * within a byte budget.
 *
 * <p>A run takes an idle execution for its shapes or makes one, and gives it back afterwards. When the arenas held
 * (idle and in use) exceed the budget, idle executions are freed, least recently used shape first, so a server that
 * sees every batch size from 1 to 256 holds a few arenas instead of 256 of them. Executions in use are never freed
 * under a run: they count against the budget and are freed, if still over it, when given back.
 *
 * <p>The automatic budget ({@link ModelOptions#AUTO_ARENA_CACHE}) is the largest arena made so far times the larger
 * of 4 and the most runs seen in flight at once: sequential runs keep the arenas of about four shapes, and N threads
 * running one shape keep their N arenas instead of allocating one per run.
 *
 * @param <K> the key (input shapes)
 * @param <E> an execution
 */
final class ArenaCache<K, E extends ArenaCache.Pooled> {
    /** What the cache holds: something of a known native size that it frees with {@link #close()}. */
    interface Pooled extends AutoCloseable {
        long bytes();

        @Override
        void close();
    }

    /** How many of the largest arena the automatic budget keeps when runs come one at a time. */
    static final int AUTO_ARENAS = 4;

    private final long fixedBudget; // bytes, or AUTO_ARENA_CACHE
    /** Idle executions per key; access order, so iteration starts at the least recently used key. */
    private final LinkedHashMap<K, ArrayDeque<E>> idle = new LinkedHashMap<>(16, 0.75f, true);
    private long heldBytes; // idle and in use
    private long largestBytes;
    private int inUse;
    private int peakInUse;
    private boolean closed;

    ArenaCache(long budgetBytes) {
        this.fixedBudget = budgetBytes;
    }

    /** An idle execution for {@code key}, or a new one from {@code create} (called without the cache's lock). */
    E acquire(K key, Function<K, E> create) {
        synchronized (this) {
            inUse++;
            peakInUse = Math.max(peakInUse, inUse);
            ArrayDeque<E> queue = idle.get(key);
            if (queue != null) {
                E e = queue.pop();
                if (queue.isEmpty()) {
                    idle.remove(key);
                }
                return e;
            }
        }
        E made;
        try {
            made = create.apply(key);
        } catch (RuntimeException | Error e) {
            synchronized (this) {
                inUse--;
            }
            throw e;
        }
        synchronized (this) {
            heldBytes += made.bytes();
            largestBytes = Math.max(largestBytes, made.bytes());
        }
        return made;
    }

    /** Gives back an execution {@link #acquire} returned; frees idle executions while over the budget. */
    void release(K key, E execution) {
        List<E> evicted = new ArrayList<>();
        synchronized (this) {
            inUse--;
            if (closed) {
                heldBytes -= execution.bytes();
                evicted.add(execution);
            } else {
                idle.computeIfAbsent(key, k -> new ArrayDeque<>()).push(execution);
                long budget = budgetBytes();
                Iterator<Map.Entry<K, ArrayDeque<E>>> it = idle.entrySet().iterator();
                while (heldBytes > budget && it.hasNext()) {
                    ArrayDeque<E> queue = it.next().getValue();
                    while (heldBytes > budget && !queue.isEmpty()) {
                        E e = queue.pollLast(); // the one idle longest
                        heldBytes -= e.bytes();
                        evicted.add(e);
                    }
                    if (queue.isEmpty()) {
                        it.remove();
                    }
                }
            }
        }
        evicted.forEach(Pooled::close); // outside the lock: freeing takes a native call
    }

    /** The budget in force now: the fixed one, or the automatic one (see the class comment). */
    synchronized long budgetBytes() {
        if (fixedBudget != ModelOptions.AUTO_ARENA_CACHE) {
            return fixedBudget;
        }
        long arenas = Math.max(AUTO_ARENAS, peakInUse);
        return largestBytes > Long.MAX_VALUE / arenas ? Long.MAX_VALUE : largestBytes * arenas;
    }

    /** Bytes of the executions held now, idle and in use. */
    synchronized long heldBytes() {
        return heldBytes;
    }

    /** Frees every idle execution; executions in use are freed when given back. */
    void close() {
        List<E> all = new ArrayList<>();
        synchronized (this) {
            closed = true;
            idle.values().forEach(all::addAll);
            idle.clear();
            for (E e : all) {
                heldBytes -= e.bytes();
            }
        }
        all.forEach(Pooled::close);
    }
}
