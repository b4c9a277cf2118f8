package io.waybill.topology.catalogue;

import java.time.Duration;

/** Names of the engine's state stores: the topology builds them, the engine queries them. */
public final class WaybillStores {

    /** Current {@code ShipmentState} per shipmentId; changelogged, persistent (RocksDB). */
    public static final String SHIPMENT_STATE = "shipment-state";

    /** {@code ShipmentHistory} per shipmentId: the audit trail, and what out-of-order events re-fold. */
    public static final String SHIPMENT_HISTORY = "shipment-history";

    /** eventIds and commandIds seen, per shipment, for the dedupe window (a window store: old segments drop). */
    public static final String SEEN_IDS = "shipment-seen-ids";

    /** Secondary index "status/STATUS/shipmentId" and "facility/FACILITY/shipmentId" for list queries. */
    public static final String SHIPMENT_INDEX = "shipment-index";

    /** Global store of published workflow definitions, key name@version. */
    public static final String WORKFLOW_DEFINITIONS = "workflow-definitions";

    /** Default dedupe window: warehouses resend within hours; a week covers long outages. */
    public static final Duration DEFAULT_DEDUPE_WINDOW = Duration.ofDays(7);

    private WaybillStores() {
    }
}
