package io.waybill.topology.catalogue;

/** Names of the engine's state stores: the topology builds them, the engine queries them. */
public final class WaybillStores {

    /** Current {@code ShipmentState} per shipmentId; changelogged, persistent (RocksDB). */
    public static final String SHIPMENT_STATE = "shipment-state";

    private WaybillStores() {
    }
}
