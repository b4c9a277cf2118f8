package io.waybill.topology.shipment;

import io.waybill.contract.AddressCorrected;
import io.waybill.contract.ArrivedAtFacility;
import io.waybill.contract.Cancelled;
import io.waybill.contract.Damaged;
import io.waybill.contract.Delivered;
import io.waybill.contract.DeliveryAttemptFailed;
import io.waybill.contract.DepartedFacility;
import io.waybill.contract.Held;
import io.waybill.contract.OutForDelivery;
import io.waybill.contract.Released;
import io.waybill.contract.ShipmentCreated;
import io.waybill.contract.ShipmentEvent;
import io.waybill.contract.ShipmentState;
import io.waybill.contract.ShipmentStatus;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Set;

/**
 * Folds one shipment event into the shipment's state. Pure: no Kafka, no clock of its own, so the
 * same rules run in the topology, in tests and in reference models.
 *
 * <p>An event that is not allowed in the current state never corrupts the state: the outcome
 * carries the unchanged state (with its rejection counted) and the reason.
 */
public final class ShipmentStateMachine {

    /** Statuses after which a shipment takes no further movement. */
    static final Set<ShipmentStatus> FINAL = EnumSet.of(ShipmentStatus.DELIVERED, ShipmentStatus.CANCELLED, ShipmentStatus.RETURNED);

    /** What applying an event did. {@code rejection} is null when the event was applied. */
    public record Outcome(ShipmentState state, String rejection) {
        public boolean applied() {
            return rejection == null;
        }
    }

    public Outcome apply(ShipmentState current, ShipmentEvent event, Instant now) {
        ShipmentState before = current != null ? current : emptyState(event.getShipmentId(), now);
        ShipmentState.Builder next = ShipmentState.newBuilder(before).setUpdatedAt(now);
        String rejection = fold(before, event, next);
        if (rejection != null) {
            ShipmentState rejected = ShipmentState.newBuilder(before)
                    .setUpdatedAt(now)
                    .setEventsRejected(before.getEventsRejected() + 1)
                    .build();
            return new Outcome(rejected, rejection);
        }
        Instant occurredAt = event.getOccurredAt();
        if (before.getLastEventAt() == null || !occurredAt.isBefore(before.getLastEventAt())) {
            next.setLastEventAt(occurredAt);
        }
        next.setLastEventId(event.getEventId());
        next.setEventsApplied(before.getEventsApplied() + 1);
        return new Outcome(next.build(), null);
    }

    private static ShipmentState emptyState(String shipmentId, Instant now) {
        // A scan can arrive before the booking (offline scanners, a booking system that lags):
        // the shipment exists from its first event, and the booking fills in the details later.
        return ShipmentState.newBuilder()
                .setShipmentId(shipmentId)
                .setStatus(ShipmentStatus.UNKNOWN)
                .setUpdatedAt(now)
                .build();
    }

    private static String fold(ShipmentState s, ShipmentEvent event, ShipmentState.Builder next) {
        Object payload = event.getPayload();
        ShipmentStatus status = s.getStatus();

        if (payload instanceof ShipmentCreated created) {
            if (s.getCreatedAt() != null) return "shipment was already created at " + s.getCreatedAt();
            next.setOrigin(created.getOrigin())
                    .setDestination(created.getDestination())
                    .setServiceLevel(created.getServiceLevel())
                    .setPromisedDeliveryAt(created.getPromisedDeliveryAt())
                    .setWeightKg(created.getWeightKg())
                    .setHandling(new ArrayList<>(created.getHandling()))
                    .setCustomerId(created.getCustomerId())
                    .setCreatedAt(event.getOccurredAt());
            if (status == ShipmentStatus.UNKNOWN) next.setStatus(ShipmentStatus.BOOKED);
            return null;
        }
        if (FINAL.contains(status)) {
            return eventName(payload) + " is not allowed: shipment is " + status;
        }
        if (payload instanceof ArrivedAtFacility arrived) {
            move(s, next, ShipmentStatus.AT_FACILITY);
            next.setCurrentFacilityId(arrived.getFacilityId()).setLastFacilityId(arrived.getFacilityId());
        } else if (payload instanceof DepartedFacility departed) {
            move(s, next, ShipmentStatus.IN_TRANSIT);
            next.setCurrentFacilityId(null).setLastFacilityId(departed.getFacilityId()).setLastLaneId(departed.getLaneId());
        } else if (payload instanceof OutForDelivery out) {
            move(s, next, ShipmentStatus.OUT_FOR_DELIVERY);
            next.setCurrentFacilityId(null).setLastFacilityId(out.getFacilityId());
        } else if (payload instanceof Delivered delivered) {
            if (status == ShipmentStatus.HELD) return "DELIVERED is not allowed: shipment is HELD (" + s.getHoldReason() + ")";
            next.setStatus(ShipmentStatus.DELIVERED).setCurrentFacilityId(null).setReceivedBy(delivered.getReceivedBy());
        } else if (payload instanceof DeliveryAttemptFailed) {
            // The courier brings it back to the delivering facility.
            move(s, next, ShipmentStatus.AT_FACILITY);
            next.setDeliveryAttempts(s.getDeliveryAttempts() + 1).setCurrentFacilityId(s.getLastFacilityId());
        } else if (payload instanceof Damaged damaged) {
            next.setDamageReports(s.getDamageReports() + 1).setLastFacilityId(damaged.getFacilityId());
        } else if (payload instanceof Held held) {
            if (status != ShipmentStatus.HELD) next.setStatusBeforeHold(status);
            next.setStatus(ShipmentStatus.HELD).setHoldReason(held.getReason());
        } else if (payload instanceof Released) {
            if (status != ShipmentStatus.HELD) return "RELEASED is not allowed: shipment is not held";
            ShipmentStatus resume = s.getStatusBeforeHold() == null ? ShipmentStatus.UNKNOWN : s.getStatusBeforeHold();
            next.setStatus(resume).setHoldReason(null).setStatusBeforeHold(null);
        } else if (payload instanceof Cancelled cancelled) {
            next.setStatus(ShipmentStatus.CANCELLED).setCancellationReason(cancelled.getReason()).setHoldReason(null);
        } else if (payload instanceof AddressCorrected corrected) {
            next.setDestination(corrected.getDestination());
        } else {
            return "unknown event payload " + (payload == null ? "null" : payload.getClass().getSimpleName());
        }
        return null;
    }

    /** A movement updates the status, except while held: then it is remembered for the release. */
    private static void move(ShipmentState s, ShipmentState.Builder next, ShipmentStatus to) {
        if (s.getStatus() == ShipmentStatus.HELD) {
            next.setStatusBeforeHold(to);
        } else {
            next.setStatus(to);
        }
    }

    static String eventName(Object payload) {
        return payload == null ? "null" : EventTypes.of(payload);
    }
}
