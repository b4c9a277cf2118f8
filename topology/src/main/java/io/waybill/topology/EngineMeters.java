package io.waybill.topology;

/**
 * What the engine reports about its own timeliness, for the host to export (the engine service
 * turns these into Prometheus histograms; the topology depends on no metrics library). Called on
 * the stream thread: implementations must be cheap and must not throw.
 */
public interface EngineMeters {

    /** Reports nothing (tests, benchmarks). */
    EngineMeters NONE = new EngineMeters() {
    };

    /**
     * A durable timer fired.
     *
     * @param kind the timer's kind (DWELL, MISSED_SCAN, SLA_BREACHED, ESCALATE, ...), a small fixed set
     * @param latenessMillis from when it was due to when its effects were applied
     */
    default void timerFired(String kind, long latenessMillis) {
    }

    /**
     * A shipment was re-planned after a network change.
     *
     * @param waitedMillis from when this task noticed the change to this shipment's re-plan
     */
    default void replanned(long waitedMillis) {
    }

    /** A tick (timers, network changes, re-plans) ended; it stalled the stream thread for {@code elapsedMillis}. */
    default void tick(long elapsedMillis) {
    }
}
