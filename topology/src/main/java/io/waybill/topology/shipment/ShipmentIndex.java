package io.waybill.topology.shipment;

import io.waybill.contract.ShipmentState;

import java.util.ArrayList;
import java.util.List;

/**
 * Keys of the secondary index that list queries scan by prefix: one key per status and one per
 * facility the shipment is at (or last left). Keys sort by shipmentId within a prefix, so a cursor
 * is simply the last key returned.
 */
public final class ShipmentIndex {

    public static final String BY_STATUS = "status/";
    public static final String BY_FACILITY = "facility/";

    private ShipmentIndex() {
    }

    public static List<String> keys(ShipmentState state) {
        List<String> keys = new ArrayList<>(2);
        if (state == null) return keys;
        keys.add(statusPrefix(state.getStatus().name()) + state.getShipmentId());
        String facility = state.getCurrentFacilityId() != null ? state.getCurrentFacilityId() : state.getLastFacilityId();
        if (facility != null) keys.add(facilityPrefix(facility) + state.getShipmentId());
        return keys;
    }

    public static String statusPrefix(String status) {
        return BY_STATUS + status + "/";
    }

    public static String facilityPrefix(String facilityId) {
        return BY_FACILITY + facilityId + "/";
    }

    /** The shipmentId at the end of an index key. */
    public static String shipmentId(String key) {
        return key.substring(key.lastIndexOf('/') + 1);
    }
}
