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
        Severity invalidTransitionSeverity) {

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
