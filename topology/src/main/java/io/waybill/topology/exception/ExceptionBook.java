package io.waybill.topology.exception;

import io.waybill.contract.ExceptionStatus;
import io.waybill.contract.ExceptionType;
import io.waybill.contract.Notification;
import io.waybill.contract.Severity;
import io.waybill.contract.ShipmentException;
import io.waybill.topology.workflow.Workflow;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The lifecycle of exceptions, OPEN → ACKNOWLEDGED → RESOLVED (or AUTO_RESOLVED), as pure functions
 * over the latest exception of a type for a shipment. Pure, so the processor, the tests and the
 * reference model share one set of rules.
 *
 * <p>One exception per shipment and type is active at a time: raising a type that is already open
 * counts an occurrence instead of opening another (no alert storms). An exception opened again after
 * it was resolved is a new one, with the next sequence number in its id
 * ({@code shipmentId:TYPE:n}, shipment ids never contain ':').
 */
public final class ExceptionBook {

    /** Who acts when the engine acts on its own. */
    public static final String ENGINE = "waybill-engine";

    private ExceptionBook() {
    }

    /** A change to an exception; {@code publish} is false for changes nobody needs to hear about (an occurrence). */
    public record Change(ShipmentException exception, boolean publish) {
    }

    /** The key of a shipment's exception of a type in the exceptions store. */
    public static String key(String shipmentId, ExceptionType type) {
        return shipmentId + "|" + type.name();
    }

    /** The shipment an exception id belongs to, or empty when the id is not {@code shipmentId:TYPE:n}. */
    public static Optional<String> shipmentOf(String exceptionId) {
        String[] parts = exceptionId == null ? new String[0] : exceptionId.split(":");
        if (parts.length != 3 || parts[0].isEmpty()) return Optional.empty();
        return Optional.of(parts[0]);
    }

    /** The type an exception id names, or empty. */
    public static Optional<ExceptionType> typeOf(String exceptionId) {
        String[] parts = exceptionId == null ? new String[0] : exceptionId.split(":");
        if (parts.length != 3) return Optional.empty();
        try {
            return Optional.of(ExceptionType.valueOf(parts[1]));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    public static boolean active(ShipmentException e) {
        return e != null && (e.getStatus() == ExceptionStatus.OPEN || e.getStatus() == ExceptionStatus.ACKNOWLEDGED);
    }

    /**
     * Opens an exception of a type, or counts another occurrence of the one already active.
     *
     * @param latest the shipment's latest exception of this type, if any
     */
    public static Change raise(ShipmentException latest, String shipmentId, ExceptionType type, Severity severity, String facilityId,
                               String cause, String triggeringId, Instant now, Workflow.ExceptionPolicy policy) {
        if (active(latest)) {
            ShipmentException bumped = ShipmentException.newBuilder(latest)
                    .setOccurrences(latest.getOccurrences() + 1).setUpdatedAt(now).build();
            return new Change(bumped, false);
        }
        int sequence = latest == null ? 1 : sequenceOf(latest.getExceptionId()) + 1;
        ShipmentException opened = ShipmentException.newBuilder()
                .setExceptionId(shipmentId + ":" + type.name() + ":" + sequence)
                .setShipmentId(shipmentId)
                .setType(type)
                .setSeverity(severity)
                .setStatus(ExceptionStatus.OPEN)
                .setFacilityId(facilityId)
                .setDetectedAt(now)
                .setUpdatedAt(now)
                .setCause(cause)
                .setTriggeringEventId(triggeringId)
                .setActions(new ArrayList<>())
                .setOccurrences(1)
                .setEscalationLevel(0)
                .setEscalateAt(now.plus(policy.acknowledgeWithin()))
                .build();
        return new Change(opened, true);
    }

    /** Closes an active exception because its condition went away (the late scan came, a route was found). */
    public static Optional<Change> autoResolve(ShipmentException latest, String why, Instant now) {
        if (!active(latest)) return Optional.empty();
        return Optional.of(new Change(ShipmentException.newBuilder(latest)
                .setStatus(ExceptionStatus.AUTO_RESOLVED).setResolvedAt(now).setResolvedBy(ENGINE)
                .setNote(why).setEscalateAt(null).setUpdatedAt(now).build(), true));
    }

    /** Records an action the engine took on its own (a reroute, a return). */
    public static ShipmentException withAction(ShipmentException e, String action, Instant now) {
        List<String> actions = new ArrayList<>(e.getActions());
        actions.add(action);
        return ShipmentException.newBuilder(e).setActions(actions).setUpdatedAt(now).build();
    }

    /** A planner's verdict on an exception: the changed exception, or why it cannot be done (a conflict). */
    public sealed interface Verdict {
        record Done(ShipmentException exception) implements Verdict {
        }

        record Refused(String reason) implements Verdict {
        }
    }

    public static Verdict acknowledge(ShipmentException e, String by, String note, Instant now) {
        if (e == null) return new Verdict.Refused("no such exception");
        if (e.getStatus() != ExceptionStatus.OPEN) return new Verdict.Refused("exception " + e.getExceptionId() + " is " + e.getStatus());
        return new Verdict.Done(ShipmentException.newBuilder(e).setStatus(ExceptionStatus.ACKNOWLEDGED)
                .setAcknowledgedAt(now).setAcknowledgedBy(by).setNote(note != null ? note : e.getNote())
                .setEscalateAt(null).setUpdatedAt(now).build());
    }

    public static Verdict resolve(ShipmentException e, String by, String note, Instant now) {
        if (e == null) return new Verdict.Refused("no such exception");
        if (!active(e)) return new Verdict.Refused("exception " + e.getExceptionId() + " is " + e.getStatus());
        return new Verdict.Done(ShipmentException.newBuilder(e).setStatus(ExceptionStatus.RESOLVED)
                .setResolvedAt(now).setResolvedBy(by).setNote(note).setEscalateAt(null).setUpdatedAt(now).build());
    }

    /** Snoozing pushes escalation to {@code until}; the exception stays open or acknowledged. */
    public static Verdict snooze(ShipmentException e, Instant until, String by, String note, Instant now) {
        if (e == null) return new Verdict.Refused("no such exception");
        if (!active(e)) return new Verdict.Refused("exception " + e.getExceptionId() + " is " + e.getStatus());
        if (!until.isAfter(now)) return new Verdict.Refused("snooze until " + until + " is not in the future");
        ShipmentException.Builder b = ShipmentException.newBuilder(e).setSnoozedUntil(until).setUpdatedAt(now)
                .setNote(note != null ? note : e.getNote());
        if (e.getStatus() == ExceptionStatus.OPEN) b.setEscalateAt(until);
        return new Verdict.Done(b.build());
    }

    /** An escalation: the raised exception and the notification to send. */
    public record Escalation(ShipmentException exception, Notification notification) {
    }

    /**
     * An open exception nobody acknowledged in time rises one severity level (up to CRITICAL) and
     * notifies the policy's audience; it escalates again after the same wait until it is CRITICAL.
     */
    public static Optional<Escalation> escalate(ShipmentException e, Instant now, Workflow.ExceptionPolicy policy) {
        if (e == null || e.getStatus() != ExceptionStatus.OPEN || e.getEscalateAt() == null || e.getEscalateAt().isAfter(now)) {
            return Optional.empty();
        }
        Severity raised = e.getSeverity().ordinal() < Severity.CRITICAL.ordinal() ? Severity.values()[e.getSeverity().ordinal() + 1] : Severity.CRITICAL;
        int level = e.getEscalationLevel() + 1;
        Duration wait = policy.acknowledgeWithin();
        ShipmentException escalated = ShipmentException.newBuilder(e).setSeverity(raised).setEscalationLevel(level)
                .setEscalateAt(raised == Severity.CRITICAL ? null : now.plus(wait)).setSnoozedUntil(null).setUpdatedAt(now).build();
        Notification notification = Notification.newBuilder()
                .setNotificationId(e.getExceptionId() + "#" + level)
                .setExceptionId(e.getExceptionId())
                .setShipmentId(e.getShipmentId())
                .setExceptionType(e.getType())
                .setSeverity(raised)
                .setFacilityId(e.getFacilityId())
                .setAudience(policy.audience())
                .setMessage(e.getType() + " on shipment " + e.getShipmentId()
                        + (e.getFacilityId() != null ? " at " + e.getFacilityId() : "")
                        + " not acknowledged since " + e.getDetectedAt() + ", now " + raised + ": " + e.getCause())
                .setCreatedAt(now)
                .build();
        return Optional.of(new Escalation(escalated, notification));
    }

    private static int sequenceOf(String exceptionId) {
        try {
            return Integer.parseInt(exceptionId.substring(exceptionId.lastIndexOf(':') + 1));
        } catch (RuntimeException e) {
            return 1;
        }
    }
}
