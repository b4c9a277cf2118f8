package io.waybill.topology.query;

import io.waybill.contract.ShipmentState;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A shipment's state as the engine serves it over HTTP (JSON). Field names are the public contract
 * the planner-api passes on: they only grow.
 */
public record ShipmentView(
        String shipmentId,
        String status,
        String origin,
        String destination,
        String serviceLevel,
        List<String> handling,
        Double weightKg,
        String customerId,
        Instant promisedDeliveryAt,
        String currentFacilityId,
        String lastFacilityId,
        String lastLaneId,
        Instant createdAt,
        Instant lastEventAt,
        String lastEventId,
        Instant updatedAt,
        long eventsApplied,
        long eventsRejected,
        String holdReason,
        String cancellationReason,
        int deliveryAttempts,
        int damageReports,
        String receivedBy,
        String workflowName,
        Integer workflowVersion,
        String statusBeforeHold,
        Instant statusSince,
        Map<String, Instant> milestones,
        long commandsApplied,
        String lastCommandId,
        String routeStatus,
        RoutePlanView routePlan,
        int nextLegIndex,
        Instant eta,
        String slaStatus,
        String viaFacilityId,
        List<String> avoidFacilityIds,
        List<String> avoidLaneIds,
        Instant holdUntil,
        Map<String, Instant> timers,
        List<ExceptionView> exceptions) {

    public record RoutePlanView(String planId, int revision, Instant plannedAt, String reason, String fromFacilityId,
                                String toFacilityId, List<LegView> legs, Instant arrivalAtDestination) {
    }

    public record LegView(String laneId, String fromFacilityId, String toFacilityId, String carrier, String mode,
                          Instant plannedDeparture, Instant plannedArrival) {
    }

    public static ShipmentView of(ShipmentState s) {
        return of(s, List.of());
    }

    /** The state with the shipment's exceptions (from the exceptions store), newest first. */
    public static ShipmentView of(ShipmentState s, List<ExceptionView> exceptions) {
        var p = s.getRoutePlan();
        RoutePlanView plan = p == null ? null : new RoutePlanView(p.getPlanId(), p.getRevision(), p.getPlannedAt(), p.getReason(),
                p.getFromFacilityId(), p.getToFacilityId(), p.getLegs().stream().map(l -> new LegView(l.getLaneId(), l.getFromFacilityId(),
                l.getToFacilityId(), l.getCarrier(), l.getMode().name(), l.getPlannedDeparture(), l.getPlannedArrival())).toList(),
                p.getArrivalAtDestination());
        return new ShipmentView(
                s.getShipmentId(),
                s.getStatus().name(),
                s.getOrigin(),
                s.getDestination(),
                s.getServiceLevel() == null ? null : s.getServiceLevel().name(),
                s.getHandling().stream().map(Enum::name).toList(),
                s.getWeightKg(),
                s.getCustomerId(),
                s.getPromisedDeliveryAt(),
                s.getCurrentFacilityId(),
                s.getLastFacilityId(),
                s.getLastLaneId(),
                s.getCreatedAt(),
                s.getLastEventAt(),
                s.getLastEventId(),
                s.getUpdatedAt(),
                s.getEventsApplied(),
                s.getEventsRejected(),
                s.getHoldReason(),
                s.getCancellationReason(),
                s.getDeliveryAttempts(),
                s.getDamageReports(),
                s.getReceivedBy(),
                s.getWorkflowName(),
                s.getWorkflowVersion(),
                s.getStatusBeforeHold() == null ? null : s.getStatusBeforeHold().name(),
                s.getStatusSince(),
                new TreeMap<>(s.getMilestones()),
                s.getCommandsApplied(),
                s.getLastCommandId(),
                s.getRouteStatus().name(),
                plan,
                s.getNextLegIndex(),
                s.getEta(),
                s.getSlaStatus().name(),
                s.getViaFacilityId(),
                List.copyOf(s.getAvoidFacilityIds()),
                List.copyOf(s.getAvoidLaneIds()),
                s.getHoldUntil(),
                new TreeMap<>(s.getTimers()),
                exceptions);
    }
}
