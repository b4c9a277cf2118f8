package io.waybill.topology.query;

import io.waybill.contract.HistoryEntry;
import io.waybill.contract.ShipmentHistory;
import io.waybill.topology.shipment.EventTypes;

import java.time.Instant;
import java.util.List;

/** A shipment's audit trail as the engine serves it over HTTP (JSON). */
public record HistoryView(String shipmentId, String workflowName, Integer workflowVersion, boolean workflowProvisional,
                          List<Entry> entries) {

    public record Entry(String id, String kind, String type, Instant occurredAt, Instant receivedAt, String outcome,
                        String reason, String source, String facilityId) {
    }

    public static HistoryView of(ShipmentHistory h) {
        return new HistoryView(h.getShipmentId(), h.getWorkflowName(), h.getWorkflowVersion(), h.getWorkflowProvisional(),
                h.getEntries().stream().map(HistoryView::entry).toList());
    }

    private static Entry entry(HistoryEntry e) {
        String source = e.getEvent() != null ? e.getEvent().getSource() : e.getCommand() != null ? e.getCommand().getIssuedBy() : null;
        return new Entry(e.getId(), e.getKind().name(), e.getType(), e.getOccurredAt(), e.getReceivedAt(), e.getOutcome().name(),
                e.getReason(), source, facilityOf(e));
    }

    private static String facilityOf(HistoryEntry e) {
        return e.getEvent() == null ? null : EventTypes.facilityOf(e.getEvent().getPayload());
    }
}
