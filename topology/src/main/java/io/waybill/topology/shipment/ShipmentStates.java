package io.waybill.topology.shipment;

import io.waybill.contract.ShipmentState;

/**
 * Cheap edits of a shipment state. Avro's {@code ShipmentStates.edit(state)} deep-copies every
 * field (the route plan's legs, the timer maps, each Instant through its conversion) and was the
 * largest single cost of the engine's fold in the profile; the engine never mutates a state it
 * has stored or published, so a builder that shares the unchanged values is safe and much cheaper.
 */
public final class ShipmentStates {

    /** Fields copied by {@link #edit}: a schema change must revisit it, or a new field would be reset to its default. */
    private static final int FIELDS = 42;

    static {
        if (ShipmentState.getClassSchema().getFields().size() != FIELDS) {
            throw new IllegalStateException("ShipmentState has " + ShipmentState.getClassSchema().getFields().size()
                    + " fields, ShipmentStates.edit copies " + FIELDS + ": add the new ones to it");
        }
    }

    private ShipmentStates() {
    }

    /** A builder holding the state's own values (not copies): set what changes, then build. */
    public static ShipmentState.Builder edit(ShipmentState s) {
        return ShipmentState.newBuilder()
                .setShipmentId(s.getShipmentId())
                .setStatus(s.getStatus())
                .setOrigin(s.getOrigin())
                .setDestination(s.getDestination())
                .setServiceLevel(s.getServiceLevel())
                .setHandling(s.getHandling())
                .setWeightKg(s.getWeightKg())
                .setCustomerId(s.getCustomerId())
                .setPromisedDeliveryAt(s.getPromisedDeliveryAt())
                .setCurrentFacilityId(s.getCurrentFacilityId())
                .setLastFacilityId(s.getLastFacilityId())
                .setLastLaneId(s.getLastLaneId())
                .setCreatedAt(s.getCreatedAt())
                .setLastEventAt(s.getLastEventAt())
                .setLastEventId(s.getLastEventId())
                .setUpdatedAt(s.getUpdatedAt())
                .setEventsApplied(s.getEventsApplied())
                .setEventsRejected(s.getEventsRejected())
                .setHoldReason(s.getHoldReason())
                .setStatusBeforeHold(s.getStatusBeforeHold())
                .setCancellationReason(s.getCancellationReason())
                .setDeliveryAttempts(s.getDeliveryAttempts())
                .setDamageReports(s.getDamageReports())
                .setReceivedBy(s.getReceivedBy())
                .setWorkflowName(s.getWorkflowName())
                .setWorkflowVersion(s.getWorkflowVersion())
                .setStatusSince(s.getStatusSince())
                .setMilestones(s.getMilestones())
                .setCommandsApplied(s.getCommandsApplied())
                .setLastCommandId(s.getLastCommandId())
                .setRouteStatus(s.getRouteStatus())
                .setRoutePlan(s.getRoutePlan())
                .setNextLegIndex(s.getNextLegIndex())
                .setEta(s.getEta())
                .setSlaStatus(s.getSlaStatus())
                .setViaFacilityId(s.getViaFacilityId())
                .setAvoidFacilityIds(s.getAvoidFacilityIds())
                .setAvoidLaneIds(s.getAvoidLaneIds())
                .setLastInstructionKey(s.getLastInstructionKey())
                .setTimers(s.getTimers())
                .setHoldUntil(s.getHoldUntil())
                .setFiredTimers(s.getFiredTimers());
    }
}
