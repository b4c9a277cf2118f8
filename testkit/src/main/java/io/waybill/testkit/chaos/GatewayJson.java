package io.waybill.testkit.chaos;

import io.waybill.contract.ArrivedAtFacility;
import io.waybill.contract.Damaged;
import io.waybill.contract.Delivered;
import io.waybill.contract.DeliveryAttemptFailed;
import io.waybill.contract.DepartedFacility;
import io.waybill.contract.OutForDelivery;
import io.waybill.contract.ShipmentCreated;
import io.waybill.contract.ShipmentEvent;

/** A shipment event in the gateway's public JSON contract (docs/integration.md), as a warehouse system posts it. */
final class GatewayJson {

    private GatewayJson() {
    }

    static String of(ShipmentEvent e) {
        StringBuilder b = new StringBuilder("{");
        field(b, "eventId", e.getEventId()).append(',');
        field(b, "shipmentId", e.getShipmentId()).append(',');
        field(b, "occurredAt", e.getOccurredAt().toString()).append(',');
        field(b, "source", e.getSource()).append(',');
        Object p = e.getPayload();
        StringBuilder data = new StringBuilder("{");
        String type;
        if (p instanceof ShipmentCreated c) {
            type = "SHIPMENT_CREATED";
            field(data, "origin", c.getOrigin()).append(',');
            field(data, "destination", c.getDestination()).append(',');
            field(data, "serviceLevel", c.getServiceLevel().name()).append(',');
            if (c.getPromisedDeliveryAt() != null) field(data, "promisedDeliveryAt", c.getPromisedDeliveryAt().toString()).append(',');
            if (c.getCustomerId() != null) field(data, "customerId", c.getCustomerId()).append(',');
            data.append("\"weightKg\":").append(c.getWeightKg());
        } else if (p instanceof ArrivedAtFacility a) {
            type = "ARRIVED_AT_FACILITY";
            field(data, "facilityId", a.getFacilityId());
        } else if (p instanceof DepartedFacility d) {
            type = "DEPARTED_FACILITY";
            field(data, "facilityId", d.getFacilityId());
            if (d.getLaneId() != null) field(data.append(','), "laneId", d.getLaneId());
        } else if (p instanceof OutForDelivery o) {
            type = "OUT_FOR_DELIVERY";
            field(data, "facilityId", o.getFacilityId());
            if (o.getRouteId() != null) field(data.append(','), "routeId", o.getRouteId());
        } else if (p instanceof Delivered d) {
            type = "DELIVERED";
            if (d.getReceivedBy() != null) field(data, "receivedBy", d.getReceivedBy());
        } else if (p instanceof DeliveryAttemptFailed f) {
            type = "DELIVERY_ATTEMPT_FAILED";
            field(data, "reason", f.getReason());
        } else if (p instanceof Damaged d) {
            type = "DAMAGED";
            field(data, "facilityId", d.getFacilityId());
            if (d.getDescription() != null) field(data.append(','), "description", d.getDescription());
        } else {
            throw new IllegalArgumentException("no gateway JSON for " + p.getClass().getSimpleName());
        }
        field(b, "type", type).append(",\"data\":").append(data.append('}')).append('}');
        return b.toString();
    }

    private static StringBuilder field(StringBuilder b, String name, String value) {
        b.append('"').append(name).append("\":\"");
        for (char c : value.toCharArray()) {
            if (c == '"' || c == '\\') b.append('\\');
            b.append(c);
        }
        return b.append('"');
    }
}
