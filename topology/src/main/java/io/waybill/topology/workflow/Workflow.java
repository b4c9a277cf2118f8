package io.waybill.topology.workflow;

import io.waybill.contract.ExceptionType;
import io.waybill.contract.HandlingFlag;
import io.waybill.contract.ServiceLevel;
import io.waybill.contract.Severity;
import io.waybill.contract.ShipmentStatus;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A validated, immutable workflow definition: which event (or planner command) moves a shipment
 * from which status to which, the milestones it reaches on the way, how long each status may
 * last, and which events raise which exceptions. Built by {@link WorkflowDefinitions#parse}.
 */
public record Workflow(
        String name,
        int version,
        String description,
        Selector selector,
        List<String> milestones,
        List<Transition> transitions,
        Map<ShipmentStatus, Duration> maxDurations,
        List<ExceptionRule> exceptionRules,
        Severity invalidTransitionSeverity,
        TimerPolicy timers,
        List<ExceptionPolicy> exceptionPolicies,
        List<AutomaticAction> actions) {

    /** Statuses after which nothing moves a shipment. */
    public static final Set<ShipmentStatus> FINAL = Set.of(ShipmentStatus.DELIVERED, ShipmentStatus.CANCELLED, ShipmentStatus.RETURNED);

    /** A target that keeps the current status (damage reports, address corrections). */
    public static final String SAME = "@same";
    /** A target that resumes the status a hold interrupted. */
    public static final String RESUME = "@resume";

    /**
     * When this workflow applies to a new shipment. All listed criteria must match; an empty list
     * matches anything. Among matching workflows the highest priority wins (ties: the name).
     * A manual-only workflow is never chosen at booking (return-to-sender is started by a rule).
     */
    public record Selector(int priority, Set<ServiceLevel> serviceLevels, Set<HandlingFlag> handling,
                           Set<String> customers, boolean manualOnly) {

        public boolean matches(ServiceLevel serviceLevel, List<HandlingFlag> flags, String customerId) {
            if (manualOnly) return false;
            if (!serviceLevels.isEmpty() && !serviceLevels.contains(serviceLevel)) return false;
            if (!flags.containsAll(handling)) return false;
            return customers.isEmpty() || (customerId != null && customers.contains(customerId));
        }
    }

    /**
     * {@code from} statuses (or "*": any status that is not final) and an event type move the
     * shipment to {@code to}: a status, {@link #SAME} or {@link #RESUME}.
     */
    public record Transition(Set<String> from, String on, String to, String milestone) {
        boolean appliesFrom(ShipmentStatus status) {
            return from.contains(status.name()) || (from.contains("*") && !FINAL.contains(status));
        }
    }

    /** An event type that raises an exception of a type and severity when it is applied. */
    public record ExceptionRule(String on, ExceptionType raise, Severity severity) {
    }

    /**
     * Deadlines the timers derive from route plans and promises: a scan is missed when the shipment
     * has not arrived {@code missedScanGrace} after a leg's planned arrival; a promise is at risk
     * when the ETA comes within {@code slaAtRiskMargin} of it (and is checked again that long before it).
     */
    public record TimerPolicy(Duration missedScanGrace, Duration slaAtRiskMargin) {
        public static final TimerPolicy DEFAULT = new TimerPolicy(Duration.ofHours(2), Duration.ofHours(4));
    }

    /**
     * How exceptions of a type (or "*": any type without its own policy) are raised and escalated:
     * the severity timers raise them with, how long an open one may wait for acknowledgement before
     * it rises one severity level and notifies {@code audience} again.
     */
    public record ExceptionPolicy(String type, Severity severity, Duration acknowledgeWithin, String audience) {
        public static final ExceptionPolicy DEFAULT = new ExceptionPolicy("*", Severity.MEDIUM, Duration.ofHours(8), "operations");
    }

    /** What the engine does on its own when an exception is raised, if the condition holds. */
    public record AutomaticAction(ExceptionType on, Action action, Integer attemptsAtLeast, boolean facilityClosed) {
        public enum Action { REROUTE, RETURN_TO_SENDER }
    }

    public ExceptionPolicy exceptionPolicy(ExceptionType type) {
        return exceptionPolicies.stream().filter(p -> p.type().equals(type.name())).findFirst()
                .or(() -> exceptionPolicies.stream().filter(p -> p.type().equals("*")).findFirst())
                .orElse(ExceptionPolicy.DEFAULT);
    }

    public List<AutomaticAction> actionsOn(ExceptionType type) {
        return actions.stream().filter(a -> a.on() == type).toList();
    }

    /** The transition an event type takes from a status, if the workflow allows it. */
    public Optional<Transition> transition(ShipmentStatus from, String eventType) {
        return transitions.stream().filter(t -> t.on().equals(eventType) && t.appliesFrom(from)).findFirst();
    }

    public Optional<ExceptionRule> exceptionRule(String eventType) {
        return exceptionRules.stream().filter(r -> r.on().equals(eventType)).findFirst();
    }

    /** The key of this definition on the workflows topic and in the global store. */
    public String key() {
        return key(name, version);
    }

    public static String key(String name, int version) {
        return name + "@" + version;
    }
}
