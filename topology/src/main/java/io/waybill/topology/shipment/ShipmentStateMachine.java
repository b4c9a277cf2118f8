package io.waybill.topology.shipment;

import io.waybill.contract.AddressCorrected;
import io.waybill.contract.ArrivedAtFacility;
import io.waybill.contract.CancelCommand;
import io.waybill.contract.Cancelled;
import io.waybill.contract.Damaged;
import io.waybill.contract.Delivered;
import io.waybill.contract.DeliveryAttemptFailed;
import io.waybill.contract.DepartedFacility;
import io.waybill.contract.Held;
import io.waybill.contract.HistoryEntry;
import io.waybill.contract.HoldCommand;
import io.waybill.contract.OutForDelivery;
import io.waybill.contract.ReleaseCommand;
import io.waybill.contract.Released;
import io.waybill.contract.RerouteCommand;
import io.waybill.contract.ShipmentCreated;
import io.waybill.contract.ShipmentState;
import io.waybill.contract.ShipmentStatus;
import io.waybill.contract.StartReturnCommand;
import io.waybill.contract.UpdatePromiseCommand;
import io.waybill.topology.workflow.Workflow;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Optional;

/**
 * Folds one event or planner command into a shipment's state under the shipment's workflow. Pure:
 * no Kafka and no clock of its own, so the same rules run in the topology, in tests and in the
 * re-fold after an out-of-order event.
 *
 * <p>The workflow decides whether a step is allowed and which status it leads to; the meaning of
 * each event for the other fields (facility, lane, counters) is fixed here. An event the workflow
 * does not allow never changes the state: the outcome carries the reason and the rejection count.
 * A hold overlays the movement: while HELD, movements are checked against and recorded in the
 * status the hold interrupted, which a release resumes.
 */
public final class ShipmentStateMachine {

    /** What applying an entry did. */
    public record Outcome(ShipmentState state, Kind kind, String reason, Optional<Workflow.ExceptionRule> raised) {
        public enum Kind { APPLIED, REJECTED, IGNORED }

        public boolean applied() {
            return kind == Kind.APPLIED;
        }
    }

    public Outcome apply(ShipmentState current, HistoryEntry entry, Workflow workflow, Instant now) {
        ShipmentState before = current != null ? current : emptyState(entry, workflow, now);
        ShipmentState.Builder next = ShipmentStates.edit(before).setUpdatedAt(now);
        Object payload = entry.getEvent() != null ? entry.getEvent().getPayload() : entry.getCommand().getPayload();
        String type = entry.getType();
        Instant at = entry.getOccurredAt();

        String rejection;
        if (CommandTypes.isExceptionCommand(payload)) {
            // Handled against the exception book by the processor; never part of the shipment's fold.
            return new Outcome(before, Outcome.Kind.IGNORED, "an exception command changes no shipment state", Optional.empty());
        } else if (payload instanceof RerouteCommand reroute) {
            // The constraints are part of the state; the router re-plans when they change.
            rejection = Workflow.FINAL.contains(before.getStatus()) ? "REROUTE is not allowed: shipment is " + before.getStatus() : null;
            if (rejection == null) {
                next.setViaFacilityId(reroute.getViaFacilityId())
                        .setAvoidFacilityIds(new ArrayList<>(reroute.getAvoidFacilityIds()))
                        .setAvoidLaneIds(new ArrayList<>(reroute.getAvoidLaneIds()));
            }
        } else if (payload instanceof ShipmentCreated created) {
            rejection = book(before, created, at, next);
        } else if (payload instanceof UpdatePromiseCommand promise) {
            rejection = Workflow.FINAL.contains(before.getStatus()) ? "UPDATE_PROMISE is not allowed: shipment is " + before.getStatus() : null;
            if (rejection == null) next.setPromisedDeliveryAt(promise.getPromisedDeliveryAt());
        } else {
            rejection = transition(before, eventTypeOf(payload, type), payload, at, workflow, next);
        }
        if (rejection != null) {
            ShipmentState rejected = ShipmentStates.edit(before).setUpdatedAt(now)
                    .setEventsRejected(before.getEventsRejected() + 1).build();
            return new Outcome(rejected, Outcome.Kind.REJECTED, rejection, Optional.empty());
        }
        if (entry.getEvent() != null) {
            if (before.getLastEventAt() == null || !at.isBefore(before.getLastEventAt())) {
                next.setLastEventAt(at).setLastEventId(entry.getId());
            }
            next.setEventsApplied(before.getEventsApplied() + 1);
        } else {
            next.setCommandsApplied(before.getCommandsApplied() + 1);
        }
        return new Outcome(next.build(), Outcome.Kind.APPLIED, null, workflow.exceptionRule(type));
    }

    /** Commands act through the event type they stand for, so workflows name one set of steps. */
    private static String eventTypeOf(Object payload, String type) {
        if (payload instanceof HoldCommand) return "HELD";
        if (payload instanceof ReleaseCommand) return "RELEASED";
        if (payload instanceof CancelCommand) return "CANCELLED";
        if (payload instanceof StartReturnCommand) return CommandTypes.RETURN_STARTED;
        return type;
    }

    private static ShipmentState emptyState(HistoryEntry entry, Workflow workflow, Instant now) {
        // A scan can arrive before the booking (offline scanners, a lagging booking system): the
        // shipment exists from its first event and is treated as booked until the booking arrives.
        String shipmentId = entry.getEvent() != null ? entry.getEvent().getShipmentId() : entry.getCommand().getShipmentId();
        return ShipmentState.newBuilder()
                .setShipmentId(shipmentId)
                .setStatus(workflow.name().equals("return-to-sender") ? ShipmentStatus.RETURNING : ShipmentStatus.UNKNOWN)
                .setWorkflowName(workflow.name())
                .setWorkflowVersion(workflow.version())
                .setMilestones(new HashMap<>())
                .setUpdatedAt(now)
                .build();
    }

    private static String book(ShipmentState s, ShipmentCreated created, Instant at, ShipmentState.Builder next) {
        if (s.getCreatedAt() != null) return "SHIPMENT_CREATED is not allowed: the shipment was already booked at " + s.getCreatedAt();
        next.setOrigin(created.getOrigin())
                .setDestination(created.getDestination())
                .setServiceLevel(created.getServiceLevel())
                .setPromisedDeliveryAt(created.getPromisedDeliveryAt())
                .setWeightKg(created.getWeightKg())
                .setHandling(new ArrayList<>(created.getHandling()))
                .setCustomerId(created.getCustomerId())
                .setCreatedAt(at);
        if (s.getStatus() == ShipmentStatus.UNKNOWN) next.setStatus(ShipmentStatus.BOOKED).setStatusSince(at);
        return null;
    }

    private static String transition(ShipmentState s, String type, Object payload, Instant at, Workflow workflow,
                                     ShipmentState.Builder next) {
        ShipmentStatus status = s.getStatus();
        boolean held = status == ShipmentStatus.HELD;
        boolean holdStep = type.equals("HELD") || type.equals("RELEASED");
        ShipmentStatus base = held && !holdStep ? movementStatus(s) : status;
        // Until the booking arrives, steps are judged as if the shipment were booked.
        ShipmentStatus judged = base == ShipmentStatus.UNKNOWN ? ShipmentStatus.BOOKED : base;
        if (held && Workflow.FINAL.contains(judged) || (!held && Workflow.FINAL.contains(status))) {
            return type + " is not allowed: shipment is " + (held ? judged : status);
        }
        Optional<Workflow.Transition> step = workflow.transition(judged, type);
        if (step.isEmpty()) {
            return type + " is not allowed from " + judged + " in workflow " + workflow.key();
        }
        if (held && type.equals("DELIVERED")) {
            return "DELIVERED is not allowed: shipment is HELD (" + s.getHoldReason() + ")";
        }
        String to = step.get().to();
        if (to.equals(Workflow.RESUME)) {
            next.setStatus(movementStatus(s)).setHoldReason(null).setStatusBeforeHold(null).setStatusSince(at);
        } else if (to.equals("HELD")) {
            if (!held) next.setStatusBeforeHold(status).setStatusSince(at);
            next.setStatus(ShipmentStatus.HELD);
        } else if (!to.equals(Workflow.SAME)) {
            ShipmentStatus target = ShipmentStatus.valueOf(to);
            if (held && target != ShipmentStatus.CANCELLED) {
                next.setStatusBeforeHold(target);
            } else {
                if (target != status) next.setStatusSince(at);
                next.setStatus(target);
                if (target == ShipmentStatus.CANCELLED) next.setHoldReason(null).setHoldUntil(null).setStatusBeforeHold(null);
            }
        }
        String milestone = step.get().milestone();
        if (milestone != null && !s.getMilestones().containsKey(milestone)) {
            var milestones = new HashMap<>(s.getMilestones());
            milestones.put(milestone, at);
            next.setMilestones(milestones);
        }
        applyFacts(s, payload, next);
        return null;
    }

    private static ShipmentStatus movementStatus(ShipmentState s) {
        return s.getStatusBeforeHold() == null ? ShipmentStatus.BOOKED : s.getStatusBeforeHold();
    }

    /** What each event says about the shipment besides its status. */
    private static void applyFacts(ShipmentState s, Object payload, ShipmentState.Builder next) {
        if (payload instanceof ArrivedAtFacility arrived) {
            next.setCurrentFacilityId(arrived.getFacilityId()).setLastFacilityId(arrived.getFacilityId());
        } else if (payload instanceof DepartedFacility departed) {
            next.setCurrentFacilityId(null).setLastFacilityId(departed.getFacilityId()).setLastLaneId(departed.getLaneId());
        } else if (payload instanceof OutForDelivery out) {
            next.setCurrentFacilityId(null).setLastFacilityId(out.getFacilityId());
        } else if (payload instanceof Delivered delivered) {
            next.setCurrentFacilityId(null).setReceivedBy(delivered.getReceivedBy());
        } else if (payload instanceof DeliveryAttemptFailed) {
            // The courier brings it back to the delivering facility.
            next.setDeliveryAttempts(s.getDeliveryAttempts() + 1).setCurrentFacilityId(s.getLastFacilityId());
        } else if (payload instanceof Damaged damaged) {
            next.setDamageReports(s.getDamageReports() + 1).setLastFacilityId(damaged.getFacilityId());
        } else if (payload instanceof Held held) {
            next.setHoldReason(held.getReason());
        } else if (payload instanceof HoldCommand hold) {
            next.setHoldReason(hold.getReason()).setHoldUntil(hold.getUntil());
        } else if (payload instanceof Cancelled cancelled) {
            next.setCancellationReason(cancelled.getReason());
        } else if (payload instanceof CancelCommand cancel) {
            next.setCancellationReason(cancel.getReason());
        } else if (payload instanceof AddressCorrected corrected) {
            next.setDestination(corrected.getDestination());
        } else if (payload instanceof Released || payload instanceof ReleaseCommand) {
            next.setHoldReason(null).setHoldUntil(null);
        } else if (payload instanceof StartReturnCommand) {
            // Back to where it entered the network; the route is re-planned from where it is now.
            next.setDestination(s.getOrigin() != null ? s.getOrigin() : s.getDestination())
                    .setViaFacilityId(null).setAvoidFacilityIds(new ArrayList<>()).setAvoidLaneIds(new ArrayList<>());
        }
    }
}
