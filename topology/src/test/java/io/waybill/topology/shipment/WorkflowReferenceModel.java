package io.waybill.topology.shipment;

import io.waybill.contract.ArrivedAtFacility;
import io.waybill.contract.Damaged;
import io.waybill.contract.DepartedFacility;
import io.waybill.contract.OutForDelivery;
import io.waybill.contract.ShipmentEvent;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A plain-Java model of the standard-parcel workflow, written from its rules and not from the
 * engine's code: keep the first copy of each eventId, sort by (occurredAt, eventId), and fold.
 */
public final class WorkflowReferenceModel {

    public record Result(String status, long applied, long rejected, String lastFacility, Set<String> rejectedEventIds) {
    }

    private static final Set<String> FINAL = Set.of("DELIVERED", "CANCELLED", "RETURNED");

    /** standard-parcel: (status, event type) → target; "*" rows apply from every non-final status. */
    private static final Map<String, String> STEPS = Map.ofEntries(
            Map.entry("BOOKED/ARRIVED_AT_FACILITY", "AT_FACILITY"),
            Map.entry("AT_FACILITY/ARRIVED_AT_FACILITY", "AT_FACILITY"),
            Map.entry("IN_TRANSIT/ARRIVED_AT_FACILITY", "AT_FACILITY"),
            Map.entry("AT_FACILITY/DEPARTED_FACILITY", "IN_TRANSIT"),
            Map.entry("AT_FACILITY/OUT_FOR_DELIVERY", "OUT_FOR_DELIVERY"),
            Map.entry("OUT_FOR_DELIVERY/DELIVERED", "DELIVERED"),
            Map.entry("AT_FACILITY/DELIVERED", "DELIVERED"),
            Map.entry("OUT_FOR_DELIVERY/DELIVERY_ATTEMPT_FAILED", "AT_FACILITY"),
            Map.entry("*/DAMAGED", "SAME"),
            Map.entry("*/ADDRESS_CORRECTED", "SAME"),
            Map.entry("*/HELD", "HELD"),
            Map.entry("HELD/RELEASED", "RESUME"),
            Map.entry("*/CANCELLED", "CANCELLED"));

    public static Result run(List<ShipmentEvent> arrivals) {
        Map<String, ShipmentEvent> firstCopies = new LinkedHashMap<>();
        arrivals.forEach(e -> firstCopies.putIfAbsent(e.getEventId(), e));
        List<ShipmentEvent> ordered = new ArrayList<>(firstCopies.values());
        ordered.sort(Comparator.comparing(ShipmentEvent::getOccurredAt).thenComparing(ShipmentEvent::getEventId));

        String status = "UNKNOWN";
        String beforeHold = null;
        boolean booked = false;
        long applied = 0;
        long rejected = 0;
        String lastFacility = null;
        Set<String> rejectedIds = new TreeSet<>();
        for (ShipmentEvent e : ordered) {
            String type = EventTypes.of(e.getPayload());
            boolean ok;
            if (type.equals("SHIPMENT_CREATED")) {
                ok = !booked;
                if (ok) {
                    booked = true;
                    if (status.equals("UNKNOWN")) status = "BOOKED";
                }
            } else {
                boolean held = status.equals("HELD");
                boolean holdStep = type.equals("HELD") || type.equals("RELEASED");
                String base = held && !holdStep ? (beforeHold == null ? "BOOKED" : beforeHold) : status;
                String judged = base.equals("UNKNOWN") ? "BOOKED" : base;
                String target = FINAL.contains(judged) || (!held && FINAL.contains(status)) ? null
                        : STEPS.getOrDefault(judged + "/" + type, FINAL.contains(judged) ? null : STEPS.get("*/" + type));
                if (held && type.equals("DELIVERED")) target = null;
                ok = target != null;
                if (ok) {
                    switch (target) {
                        case "SAME" -> { }
                        case "RESUME" -> {
                            status = beforeHold == null ? "BOOKED" : beforeHold;
                            beforeHold = null;
                        }
                        case "HELD" -> {
                            if (!held) beforeHold = status;
                            status = "HELD";
                        }
                        case "CANCELLED" -> {
                            status = "CANCELLED";
                            beforeHold = null;
                        }
                        default -> {
                            if (held) beforeHold = target;
                            else status = target;
                        }
                    }
                    String facility = facility(e.getPayload());
                    if (facility != null) lastFacility = facility;
                }
            }
            if (ok) applied++;
            else {
                rejected++;
                rejectedIds.add(e.getEventId());
            }
        }
        return new Result(status, applied, rejected, lastFacility, rejectedIds);
    }

    private static String facility(Object payload) {
        if (payload instanceof ArrivedAtFacility a) return a.getFacilityId();
        if (payload instanceof DepartedFacility d) return d.getFacilityId();
        if (payload instanceof OutForDelivery o) return o.getFacilityId();
        if (payload instanceof Damaged d) return d.getFacilityId();
        return null;
    }

    private WorkflowReferenceModel() {
    }
}
