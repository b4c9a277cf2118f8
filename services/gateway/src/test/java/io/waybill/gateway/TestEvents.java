package io.waybill.gateway;

import io.waybill.contract.ArrivedAtFacility;
import io.waybill.contract.ShipmentEvent;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Contract events for tests that do not go through the JSON parser. */
public final class TestEvents {

    public static ShipmentEvent arrival(String shipmentId, String facilityId) {
        return ShipmentEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setShipmentId(shipmentId)
                .setOccurredAt(Instant.parse("2026-11-29T08:00:00Z"))
                .setRecordedAt(Instant.parse("2026-11-29T08:00:01Z"))
                .setSource("test")
                .setPayload(new ArrivedAtFacility(facilityId))
                .build();
    }

    /** {@code n} arrivals of one shipment, in order. */
    public static List<ShipmentEvent> arrivals(String shipmentId, int n) {
        List<ShipmentEvent> events = new ArrayList<>(n);
        for (int i = 0; i < n; i++) events.add(arrival(shipmentId, "HUB-" + i));
        return events;
    }

    private TestEvents() {
    }
}
