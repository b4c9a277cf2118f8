package io.waybill.topology.catalogue;

import java.time.Duration;

/** Names of the engine's state stores: the topology builds them, the engine queries them. */
public final class WaybillStores {

    /** Current {@code ShipmentState} per shipmentId; changelogged, persistent (RocksDB). */
    public static final String SHIPMENT_STATE = "shipment-state";

    /**
     * A shipment's history, the audit trail and what out-of-order events re-fold: one record per entry,
     * keyed "shipmentId NUL position", each a one-entry {@code ShipmentHistory}; read it with {@code HistoryRecords.read}.
     */
    public static final String SHIPMENT_HISTORY = "shipment-history";

    /**
     * Secondary index of the shipments by status, facility, SLA status, workflow, remaining route and
     * planned arrival ({@code ShipmentIndex}); derived from {@link #SHIPMENT_STATE}, not logged.
     */
    public static final String SHIPMENT_INDEX = "shipment-index";

    /** Global store of published workflow definitions, key name@version. */
    public static final String WORKFLOW_DEFINITIONS = "workflow-definitions";

    /** Global store of the network's facilities, key facilityId (from the compacted facilities topic). */
    public static final String FACILITIES = "network-facilities";

    /** Global store of the network's lanes, key laneId (from the compacted lanes topic). */
    public static final String LANES = "network-lanes";

    /**
     * {@code ShipmentException} per "shipmentId|TYPE": the latest exception of each type for a
     * shipment. At most one is open at a time, which is what keeps alerts from storming.
     */
    public static final String SHIPMENT_EXCEPTIONS = "shipment-exceptions";

    /** Secondary index of active (open or acknowledged) exceptions by facility, type, severity and age; derived from {@link #SHIPMENT_EXCEPTIONS}, not logged. */
    public static final String EXCEPTION_INDEX = "exception-index";

    /** Pending timers ordered by due time: "dueMillis(13 digits)|shipmentId|timer" so firing reads only what is due; derived from {@link #SHIPMENT_STATE}'s timers, not logged. */
    public static final String TIMERS = "shipment-timers";

    /**
     * Re-plans under way after network changes: key the shipment-index prefix being walked, value a
     * {@code ReplanJob} (since, cursor, reason). Before December 2026 it queued shipments (key
     * shipmentId, value the reason); such entries are still re-planned.
     */
    public static final String REROUTE_QUEUE = "reroute-queue";

    /** The facility and lane statuses this task has already acted on, so each network change is acted on once. */
    public static final String NETWORK_OBSERVED = "network-observed";

    /** Shipments planned per "laneId@day", summed from the engine's booking deltas (the aggregator's own store). */
    public static final String LANE_LOAD_TOTALS = "lane-load-totals";

    /** Global store of the network-wide totals, read when planning to honour lanes' daily capacity. */
    public static final String LANE_LOAD = "lane-load";

    /** Default dedupe window: warehouses resend within hours; a week covers long outages. */
    public static final Duration DEFAULT_DEDUPE_WINDOW = Duration.ofDays(7);

    private WaybillStores() {
    }
}
