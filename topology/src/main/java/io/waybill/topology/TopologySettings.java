package io.waybill.topology;

import io.waybill.topology.catalogue.WaybillStores;

import java.time.Duration;

/**
 * Tuning of the engine topology.
 *
 * @param dedupeWindow how long event and command ids are remembered as seen
 * @param tickInterval how often (wall-clock) due timers fire, network changes are noticed and queued re-plans run
 * @param timerBatch at most this many timers fire per tick and task, so a burst cannot stall event processing
 * @param rerouteBatch at most this many queued re-plans run per tick and task
 * @param tickBudget a tick stops early after this long and continues at the next one
 */
public record TopologySettings(Duration dedupeWindow, Duration tickInterval, int timerBatch, int rerouteBatch, Duration tickBudget) {

    public static final TopologySettings DEFAULTS = new TopologySettings(WaybillStores.DEFAULT_DEDUPE_WINDOW, Duration.ofSeconds(1),
            5_000, 2_000, Duration.ofMillis(500));

    public TopologySettings withDedupeWindow(Duration window) {
        return new TopologySettings(window, tickInterval, timerBatch, rerouteBatch, tickBudget);
    }
}
