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
        String lastCommandId) {

    public static ShipmentView of(ShipmentState s) {
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
                s.getLastCommandId());
    }
}
