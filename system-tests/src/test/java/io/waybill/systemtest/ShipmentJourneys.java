package io.waybill.systemtest;

import java.time.Instant;
import java.util.UUID;

/** JSON events of the gateway's public contract for a shipment that keeps moving between two hubs. */
final class ShipmentJourneys {

    /** The n-th event (0-based) of shipment {@code shipmentId}: a booking, then alternating arrivals and departures. */
    static String event(String eventId, String shipmentId, int n) {
        String head = "\"eventId\":\"" + eventId + "\",\"shipmentId\":\"" + shipmentId + "\",\"occurredAt\":\""
                + Instant.now() + "\",\"source\":\"system-test\"";
        if (n == 0) {
            return "{" + head + ",\"type\":\"SHIPMENT_CREATED\",\"data\":{\"origin\":\"BER-HUB\",\"destination\":\"MUC-DEP\","
                    + "\"serviceLevel\":\"STANDARD\",\"weightKg\":2.0}}";
        }
        String facility = (n / 2) % 2 == 0 ? "BER-HUB" : "HAM-HUB";
        return n % 2 == 1
                ? "{" + head + ",\"type\":\"ARRIVED_AT_FACILITY\",\"data\":{\"facilityId\":\"" + facility + "\"}}"
                : "{" + head + ",\"type\":\"DEPARTED_FACILITY\",\"data\":{\"facilityId\":\"" + facility + "\"}}";
    }

    static String newEventId() {
        return UUID.randomUUID().toString();
    }

    private ShipmentJourneys() {
    }
}
