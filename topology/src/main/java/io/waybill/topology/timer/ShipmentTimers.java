package io.waybill.topology.timer;

import io.waybill.contract.RouteLeg;
import io.waybill.contract.ShipmentException;
import io.waybill.contract.ShipmentState;
import io.waybill.contract.ShipmentStatus;
import io.waybill.topology.workflow.Workflow;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which deadlines a shipment has, derived from its state, its workflow and its open exceptions.
 * The processor keeps the timer store equal to this after every change, so a timer is moved or
 * cancelled simply by the state no longer asking for it. A deadline that already fired (same
 * name, same due time) is not asked for again: each deadline fires once.
 *
 * <p>Timer store keys are "dueMillis(13 digits)|shipmentId|name": lexicographic order is due order,
 * so firing reads a prefix range of what is due and nothing else.
 */
public final class ShipmentTimers {

    public static final String DWELL = "DWELL";
    public static final String HOLD_EXPIRED = "HOLD_EXPIRED";
    public static final String MISSED_SCAN = "MISSED_SCAN";
    public static final String SLA_AT_RISK = "SLA_AT_RISK";
    public static final String SLA_BREACHED = "SLA_BREACHED";
    /** A finished shipment's retention ends: its state, history and exceptions are purged. */
    public static final String PURGE = "PURGE";
    /** Escalation of an exception type: "ESCALATE:MISSED_SCAN". */
    public static final String ESCALATE = "ESCALATE:";

    /** Every value {@link #kind} returns: the timer kinds metrics are kept for. */
    public static final List<String> KINDS = List.of(DWELL, HOLD_EXPIRED, MISSED_SCAN, SLA_AT_RISK, SLA_BREACHED, PURGE, "ESCALATE");

    private ShipmentTimers() {
    }

    /** The deadlines not yet fired: what the timer store should hold for the shipment. */
    public static Map<String, Instant> desired(ShipmentState s, Workflow workflow, Collection<ShipmentException> exceptions) {
        return desired(s, workflow, exceptions, null);
    }

    /** As {@link #desired(ShipmentState, Workflow, Collection)}, with a purge deadline for finished shipments. */
    public static Map<String, Instant> desired(ShipmentState s, Workflow workflow, Collection<ShipmentException> exceptions,
                                               Duration finishedRetention) {
        Map<String, Instant> timers = deadlines(s, workflow, exceptions);
        if (finishedRetention != null && s != null && Workflow.FINAL.contains(s.getStatus()) && s.getStatusSince() != null) {
            timers.put(PURGE, s.getStatusSince().plus(finishedRetention));
        }
        if (s != null) timers.entrySet().removeIf(t -> t.getValue().equals(s.getFiredTimers().get(t.getKey())));
        return timers;
    }

    /** Fired markers still about a current deadline; a marker for a deadline that moved is dropped (the new one fires). */
    public static Map<String, Instant> stillFired(ShipmentState s, Workflow workflow, Collection<ShipmentException> exceptions) {
        Map<String, Instant> deadlines = deadlines(s, workflow, exceptions);
        Map<String, Instant> fired = new TreeMap<>(s.getFiredTimers());
        fired.entrySet().removeIf(f -> !f.getValue().equals(deadlines.get(f.getKey())));
        return fired;
    }

    /** Every deadline the shipment has now, fired or not. */
    public static Map<String, Instant> deadlines(ShipmentState s, Workflow workflow, Collection<ShipmentException> exceptions) {
        Map<String, Instant> timers = new TreeMap<>();
        for (ShipmentException e : exceptions) {
            if (e.getStatus() == io.waybill.contract.ExceptionStatus.OPEN && e.getEscalateAt() != null) {
                timers.put(ESCALATE + e.getType().name(), e.getEscalateAt());
            }
        }
        if (s == null) return timers;
        ShipmentStatus status = s.getStatus();
        if (!Workflow.FINAL.contains(status) && status != ShipmentStatus.UNKNOWN) {
            if (status == ShipmentStatus.HELD) {
                Duration maxHeld = workflow.maxDurations().get(ShipmentStatus.HELD);
                Instant due = s.getHoldUntil() != null ? s.getHoldUntil()
                        : maxHeld != null && s.getStatusSince() != null ? s.getStatusSince().plus(maxHeld) : null;
                if (due != null) timers.put(HOLD_EXPIRED, due);
            } else {
                Duration max = workflow.maxDurations().get(status);
                if (max != null && s.getStatusSince() != null) timers.put(DWELL, s.getStatusSince().plus(max));
            }
            RouteLeg leg = legInProgress(s);
            if (leg != null) timers.put(MISSED_SCAN, leg.getPlannedArrival().plus(workflow.timers().missedScanGrace()));
            if (s.getPromisedDeliveryAt() != null && status != ShipmentStatus.RETURNING) {
                timers.put(SLA_AT_RISK, s.getPromisedDeliveryAt().minus(workflow.timers().slaAtRiskMargin()));
                timers.put(SLA_BREACHED, s.getPromisedDeliveryAt());
            }
        }
        return timers;
    }

    /** The planned leg the shipment is travelling on, if it left a facility on the lane its plan said. */
    public static RouteLeg legInProgress(ShipmentState s) {
        if (s.getCurrentFacilityId() != null || s.getRoutePlan() == null || s.getLastLaneId() == null) return null;
        if (s.getStatus() != ShipmentStatus.IN_TRANSIT && s.getStatus() != ShipmentStatus.RETURNING
                && !(s.getStatus() == ShipmentStatus.HELD && s.getStatusBeforeHold() == ShipmentStatus.IN_TRANSIT)) return null;
        var legs = s.getRoutePlan().getLegs();
        int i = s.getNextLegIndex();
        if (i < 0 || i >= legs.size() || !legs.get(i).getLaneId().equals(s.getLastLaneId())) return null;
        return legs.get(i);
    }

    public static String storeKey(Instant due, String shipmentId, String name) {
        return pad13(due.toEpochMilli()) + "|" + shipmentId + "|" + name;
    }

    /** The keys of the timer index for a state: one per pending timer (the index follows the state store). */
    public static List<String> storeKeys(ShipmentState s) {
        List<String> keys = new ArrayList<>(s.getTimers().size());
        s.getTimers().forEach((name, due) -> keys.add(storeKey(due, s.getShipmentId(), name)));
        return keys;
    }

    /** The last instant a 13-digit key can hold (2286-11-20): later ones are kept at it, so they still sort last. */
    static final long LAST_KEY_MILLIS = 9_999_999_999_999L;

    /**
     * Milliseconds as 13 digits, zero-padded, so that keys sort by time (String.format is slow on the hot path).
     * Only 1970 to 2286 fit; the engine refuses inputs with instants outside 2000-2199 ({@code InputLimits}), so
     * the bounds here only keep the order right for anything older that is already stored.
     */
    public static String pad13(long millis) {
        String digits = Long.toString(Math.min(LAST_KEY_MILLIS, Math.max(0, millis)));
        return digits.length() >= 13 ? digits : "0000000000000".substring(digits.length()) + digits;
    }

    /** The upper bound of a range scan returning every timer due at or before {@code now}. */
    public static String dueUpTo(Instant now) {
        return pad13(now.toEpochMilli()) + "|\uffff";
    }

    public record Due(Instant due, String shipmentId, String name) {
    }

    public static Due parse(String storeKey) {
        int first = storeKey.indexOf('|');
        int last = storeKey.lastIndexOf('|');
        return new Due(Instant.ofEpochMilli(Long.parseLong(storeKey.substring(0, first))),
                storeKey.substring(first + 1, last), storeKey.substring(last + 1));
    }

    /** A timer's kind, for metrics: its name, with every escalation as one kind. */
    public static String kind(String name) {
        return isEscalation(name) ? "ESCALATE" : name;
    }

    static boolean isEscalation(String name) {
        return name.startsWith(ESCALATE);
    }

}
