package io.waybill.topology.shipment;

import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * The tick budget of one stream thread, shared by the shipment tasks it runs.
 *
 * <p>Why per thread: a stream thread runs many tasks (one per partition it owns; 12 on a single
 * engine with one thread) and punctuates them one after another. A budget per task would let one
 * round of ticks stall the thread for tasks × budget, so events could starve during a hub closure
 * that touches every partition. Here a round of ticks (the tasks' ticks that follow each other
 * within half an interval) shares one budget; each task may use an equal part of what is left when
 * its turn comes, so a task with nothing to do leaves its part to the ones after it, and no task's
 * timers wait behind another's backlog for more than a round.
 *
 * <p>Not thread-safe, and needs not be: one instance per stream thread ({@link #ofThisThread()}).
 */
final class TickShare {

    private static final ThreadLocal<TickShare> PER_THREAD = ThreadLocal.withInitial(TickShare::new);

    /** The tasks of this thread with a shipment processor (weak: a task not closed cleanly does not keep its part). */
    private final Set<Object> tasks = Collections.newSetFromMap(new WeakHashMap<>());
    private long roundStart;
    private boolean inRound;
    private long usedInRound;
    private int tickedInRound;

    static TickShare ofThisThread() {
        return PER_THREAD.get();
    }

    void join(Object task) {
        tasks.add(task);
    }

    void leave(Object task) {
        tasks.remove(task);
    }

    int tasks() {
        return tasks.size();
    }

    /**
     * A task's tick starts: the nanoTime by which it must stop starting new work.
     *
     * @param intervalNanos the tick interval: ticks further apart than half of it are another round
     * @param budgetNanos what one round of ticks may take in all
     */
    long start(long nowNanos, long intervalNanos, long budgetNanos) {
        if (!inRound || nowNanos - roundStart >= intervalNanos / 2) {
            inRound = true;
            roundStart = nowNanos;
            usedInRound = 0;
            tickedInRound = 0;
        }
        int waiting = Math.max(1, tasks.size() - tickedInRound);
        tickedInRound++;
        long left = Math.max(0, budgetNanos - usedInRound);
        return nowNanos + left / waiting;
    }

    /** The task's tick ended, having started at {@code startedNanos}. */
    void end(long startedNanos, long nowNanos) {
        usedInRound += nowNanos - startedNanos;
    }
}
