package io.waybill.topology;

import io.waybill.topology.catalogue.WaybillStores;

import java.time.Duration;

/**
 * Tuning of the engine topology.
 *
 * @param dedupeWindow how long event and command ids are remembered as seen, at least: a shipment's ids live in its
 *                     history, which is purged no earlier than this after the shipment finished (see {@link #purgeAfter()})
 * @param tickInterval how often (wall-clock) due timers fire, network changes are noticed and queued re-plans run
 * @param timerBatch at most this many timers fire per tick and task, so a burst cannot stall event processing
 * @param rerouteBatch at most this many queued re-plans run per tick and task
 * @param tickBudget a tick stops early after this long and continues at the next one
 * @param finishedRetention how long a finished shipment (delivered, cancelled, returned) is kept before
 *                          its state, history and exceptions are purged (and a tombstone published)
 * @param maxHistoryEntries a shipment takes at most this many events and commands; the next go to the dead letters
 *                          (replayable once the limit is raised). A real journey has tens: thousands are a scanner in a
 *                          loop, and without a bound one shipment's records grow until every event of it costs seconds
 * @param failedTimerRetry a timer or re-plan whose decision throws is dead-lettered and tried again this much later
 * @param inputPartitions the partitions of the event and command topics, to check that a record came on the partition
 *                        its key hashes to (murmur2, as Kafka's Java clients do); 0 does not check (test drivers)
 */
public record TopologySettings(Duration dedupeWindow, Duration tickInterval, int timerBatch, int rerouteBatch, Duration tickBudget,
                               Duration finishedRetention, int maxHistoryEntries, Duration failedTimerRetry, int inputPartitions) {

    public static final Duration DEFAULT_FINISHED_RETENTION = Duration.ofDays(30);
    public static final int DEFAULT_MAX_HISTORY_ENTRIES = 1_000;
    public static final Duration DEFAULT_FAILED_TIMER_RETRY = Duration.ofMinutes(5);

    public static final TopologySettings DEFAULTS = new TopologySettings(WaybillStores.DEFAULT_DEDUPE_WINDOW, Duration.ofSeconds(1),
            5_000, 2_000, Duration.ofMillis(500), DEFAULT_FINISHED_RETENTION);

    public TopologySettings(Duration dedupeWindow, Duration tickInterval, int timerBatch, int rerouteBatch, Duration tickBudget,
                            Duration finishedRetention) {
        this(dedupeWindow, tickInterval, timerBatch, rerouteBatch, tickBudget, finishedRetention, DEFAULT_MAX_HISTORY_ENTRIES,
                DEFAULT_FAILED_TIMER_RETRY, 0);
    }

    public TopologySettings(Duration dedupeWindow, Duration tickInterval, int timerBatch, int rerouteBatch, Duration tickBudget) {
        this(dedupeWindow, tickInterval, timerBatch, rerouteBatch, tickBudget, DEFAULT_FINISHED_RETENTION);
    }

    /** How long after it finished a shipment is purged: its retention, but never before its ids leave the dedupe window. */
    public Duration purgeAfter() {
        return finishedRetention.compareTo(dedupeWindow) >= 0 ? finishedRetention : dedupeWindow;
    }

    public TopologySettings withDedupeWindow(Duration window) {
        return new TopologySettings(window, tickInterval, timerBatch, rerouteBatch, tickBudget, finishedRetention, maxHistoryEntries,
                failedTimerRetry, inputPartitions);
    }

    public TopologySettings withFinishedRetention(Duration retention) {
        return new TopologySettings(dedupeWindow, tickInterval, timerBatch, rerouteBatch, tickBudget, retention, maxHistoryEntries,
                failedTimerRetry, inputPartitions);
    }

    public TopologySettings withMaxHistoryEntries(int entries) {
        return new TopologySettings(dedupeWindow, tickInterval, timerBatch, rerouteBatch, tickBudget, finishedRetention, entries,
                failedTimerRetry, inputPartitions);
    }

    public TopologySettings withInputPartitions(int partitions) {
        return new TopologySettings(dedupeWindow, tickInterval, timerBatch, rerouteBatch, tickBudget, finishedRetention, maxHistoryEntries,
                failedTimerRetry, partitions);
    }
}
