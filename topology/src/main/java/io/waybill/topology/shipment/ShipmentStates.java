package io.waybill.topology.shipment;

import io.waybill.contract.HistoryEntry;
import io.waybill.contract.ShipmentHistory;
import io.waybill.contract.ShipmentState;

/**
 * Cheap edits of a shipment's state, history and history entries. Avro's {@code ShipmentStates.edit(state)} deep-copies every
 * field (the route plan's legs, the timer maps, each Instant through its conversion) and was the
 * largest single cost of the engine's fold in the profile; the engine never mutates a state it
 * has stored or published, so a builder that shares the unchanged values is safe and much cheaper.
 */
public final class ShipmentStates {

    /** Fields copied by {@link #edit}: a schema change must revisit it, or a new field would be reset to its default. */
    private static final int FIELDS = 42;

    static {
        check(ShipmentState.getClassSchema(), FIELDS);
        check(ShipmentHistory.getClassSchema(), 5);
        check(HistoryEntry.getClassSchema(), 9);
    }

    private static void check(org.apache.avro.Schema schema, int copied) {
        if (schema.getFields().size() != copied) {
            throw new IllegalStateException(schema.getName() + " has " + schema.getFields().size()
                    + " fields, ShipmentStates copies " + copied + ": add the new ones to it");
        }
    }

    /** A builder holding the history's own values; the entries list is shared, so set a new one to change it. */
    public static ShipmentHistory.Builder edit(ShipmentHistory h) {
        return ShipmentHistory.newBuilder().setShipmentId(h.getShipmentId()).setWorkflowName(h.getWorkflowName())
                .setWorkflowVersion(h.getWorkflowVersion()).setWorkflowProvisional(h.getWorkflowProvisional()).setEntries(h.getEntries());
    }

    /** A builder holding the entry's own values (its event or command is shared, not copied). */
    public static HistoryEntry.Builder edit(HistoryEntry e) {
        return HistoryEntry.newBuilder().setId(e.getId()).setKind(e.getKind()).setType(e.getType()).setOccurredAt(e.getOccurredAt())
                .setReceivedAt(e.getReceivedAt()).setOutcome(e.getOutcome()).setReason(e.getReason()).setEvent(e.getEvent())
                .setCommand(e.getCommand());
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
