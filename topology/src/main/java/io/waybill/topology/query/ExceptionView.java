package io.waybill.topology.query;

import io.waybill.contract.ShipmentException;

import java.time.Instant;
import java.util.List;

/** An exception as the engine serves it over HTTP (JSON); field names only grow. */
public record ExceptionView(
        String exceptionId,
        String shipmentId,
        String type,
        String severity,
        String status,
        String facilityId,
        Instant detectedAt,
        Instant updatedAt,
        String cause,
        String triggeringEventId,
        List<String> actions,
        int occurrences,
        int escalationLevel,
        Instant escalateAt,
        Instant acknowledgedAt,
        String acknowledgedBy,
        Instant resolvedAt,
        String resolvedBy,
        Instant snoozedUntil,
        String note) {

    public static ExceptionView of(ShipmentException e) {
        return new ExceptionView(e.getExceptionId(), e.getShipmentId(), e.getType().name(), e.getSeverity().name(), e.getStatus().name(),
                e.getFacilityId(), e.getDetectedAt(), e.getUpdatedAt(), e.getCause(), e.getTriggeringEventId(), List.copyOf(e.getActions()),
                e.getOccurrences(), e.getEscalationLevel(), e.getEscalateAt(), e.getAcknowledgedAt(), e.getAcknowledgedBy(),
                e.getResolvedAt(), e.getResolvedBy(), e.getSnoozedUntil(), e.getNote());
    }
}
