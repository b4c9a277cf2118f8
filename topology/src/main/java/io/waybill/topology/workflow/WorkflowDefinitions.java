package io.waybill.topology.workflow;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.waybill.contract.ExceptionType;
import io.waybill.contract.HandlingFlag;
import io.waybill.contract.ServiceLevel;
import io.waybill.contract.Severity;
import io.waybill.contract.ShipmentStatus;
import io.waybill.topology.shipment.EventTypes;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads workflow definitions (YAML or JSON, the format of docs/workflow-definition.schema.json)
 * and validates them, so an invalid definition is rejected with every problem named before it
 * reaches the workflows topic. Used by the engine, the publishing command and the API.
 */
public final class WorkflowDefinitions {

    /** A definition that cannot be used, with every problem found. */
    public static final class InvalidWorkflowException extends Exception {
        private final List<String> problems;

        public InvalidWorkflowException(String name, List<String> problems) {
            super("workflow " + name + " is invalid: " + String.join("; ", problems));
            this.problems = List.copyOf(problems);
        }

        public List<String> problems() {
            return problems;
        }
    }

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{1,62}");

    /** Event types a transition may name: the public event types (commands act through HELD, RELEASED, CANCELLED). */
    public static final Set<String> EVENT_TYPES = Set.copyOf(EventTypes.all());
    /** What a transition may be taken on: the reported event types and the steps commands stand for. */
    public static final Set<String> STEP_TYPES = java.util.stream.Stream.concat(EventTypes.all().stream(),
            java.util.stream.Stream.of(io.waybill.topology.shipment.CommandTypes.RETURN_STARTED)).collect(java.util.stream.Collectors.toUnmodifiableSet());

    private WorkflowDefinitions() {
    }

    /** The document as stored on the workflows topic: canonical JSON of the definition. */
    public static String toJson(Document document) {
        try {
            return JSON.writeValueAsString(document);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Document read(InputStream yamlOrJson) throws InvalidWorkflowException {
        try {
            return YAML.readValue(yamlOrJson, Document.class); // YAML is a superset of JSON
        } catch (IOException e) {
            throw new InvalidWorkflowException("(unreadable)", List.of(e.getMessage().lines().findFirst().orElse("cannot read")));
        }
    }

    public static Document read(String yamlOrJson) throws InvalidWorkflowException {
        return read(new java.io.ByteArrayInputStream(yamlOrJson.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    /** Validates a document and builds the workflow, or lists everything wrong with it. */
    public static Workflow parse(Document d) throws InvalidWorkflowException {
        List<String> problems = new ArrayList<>();
        String name = d.name == null ? "(unnamed)" : d.name;
        if (d.name == null || !NAME.matcher(d.name).matches()) {
            problems.add("name must be 2-63 lower-case letters, digits or '-', starting with a letter");
        }
        if (d.version == null || d.version < 1) problems.add("version must be a positive integer");

        Workflow.Selector selector = selector(d.selector, problems);

        List<String> milestones = d.milestones == null ? List.of() : List.copyOf(d.milestones);
        if (new HashSet<>(milestones).size() != milestones.size()) problems.add("milestones must be unique");

        List<Workflow.Transition> transitions = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        if (d.transitions == null || d.transitions.isEmpty()) problems.add("transitions must not be empty");
        for (int i = 0; d.transitions != null && i < d.transitions.size(); i++) {
            TransitionDoc t = d.transitions.get(i);
            String at = "transitions[" + i + "]";
            if (t.from == null || t.from.isEmpty()) problems.add(at + ".from must name at least one status or '*'");
            Set<String> from = t.from == null ? Set.of() : new LinkedHashSet<>(t.from);
            for (String f : from) {
                if (!f.equals("*") && !isStatus(f)) problems.add(at + ".from: '" + f + "' is not a status");
                if (isStatus(f) && Workflow.FINAL.contains(ShipmentStatus.valueOf(f))) {
                    problems.add(at + ".from: " + f + " is final; nothing may leave it");
                }
            }
            if (t.on == null || !STEP_TYPES.contains(t.on)) {
                problems.add(at + ".on: '" + t.on + "' is not an event type " + EventTypes.all() + " or " + io.waybill.topology.shipment.CommandTypes.RETURN_STARTED);
            } else if (t.on.equals("SHIPMENT_CREATED")) {
                problems.add(at + ".on: SHIPMENT_CREATED books the shipment in every workflow and takes no transition");
            }
            if (t.to == null || !(t.to.equals(Workflow.SAME) || t.to.equals(Workflow.RESUME) || isStatus(t.to))) {
                problems.add(at + ".to: '" + t.to + "' must be a status, @same or @resume");
            } else if (t.to.equals("UNKNOWN")) {
                problems.add(at + ".to: UNKNOWN is not a target");
            }
            if (t.milestone != null && !milestones.contains(t.milestone)) {
                problems.add(at + ".milestone: '" + t.milestone + "' is not declared in milestones");
            }
            for (String f : from) {
                if (t.on != null && !seen.add(f + "/" + t.on)) {
                    problems.add(at + ": a transition from " + f + " on " + t.on + " is already declared");
                }
            }
            transitions.add(new Workflow.Transition(Set.copyOf(from), t.on, t.to, t.milestone));
        }
        if (problems.isEmpty()) checkReachability(transitions, problems);

        Map<ShipmentStatus, Duration> durations = new EnumMap<>(ShipmentStatus.class);
        if (d.maxDurations != null) {
            d.maxDurations.forEach((status, text) -> {
                if (!isStatus(status)) {
                    problems.add("maxDurations: '" + status + "' is not a status");
                    return;
                }
                try {
                    Duration duration = Duration.parse(text);
                    if (duration.isNegative() || duration.isZero()) problems.add("maxDurations." + status + " must be positive");
                    else durations.put(ShipmentStatus.valueOf(status), duration);
                } catch (DateTimeParseException e) {
                    problems.add("maxDurations." + status + ": '" + text + "' is not an ISO-8601 duration such as PT12H");
                }
            });
        }

        List<Workflow.ExceptionRule> rules = new ArrayList<>();
        for (int i = 0; d.exceptions != null && i < d.exceptions.size(); i++) {
            ExceptionDoc e = d.exceptions.get(i);
            String at = "exceptions[" + i + "]";
            if (e.on == null || !EVENT_TYPES.contains(e.on)) problems.add(at + ".on: '" + e.on + "' is not an event type");
            ExceptionType type = enumValue(ExceptionType.class, e.raise, at + ".raise", problems);
            Severity severity = enumValue(Severity.class, e.severity, at + ".severity", problems);
            rules.add(new Workflow.ExceptionRule(e.on, type, severity));
        }
        Severity invalidSeverity = d.invalidTransitionSeverity == null ? Severity.LOW
                : enumValue(Severity.class, d.invalidTransitionSeverity, "invalidTransitionSeverity", problems);

        Workflow.TimerPolicy timers = Workflow.TimerPolicy.DEFAULT;
        if (d.timers != null) {
            timers = new Workflow.TimerPolicy(
                    duration(d.timers.missedScanGrace, "timers.missedScanGrace", Workflow.TimerPolicy.DEFAULT.missedScanGrace(), problems),
                    duration(d.timers.slaAtRiskMargin, "timers.slaAtRiskMargin", Workflow.TimerPolicy.DEFAULT.slaAtRiskMargin(), problems));
        }
        List<Workflow.ExceptionPolicy> policies = new ArrayList<>();
        Set<String> policyTypes = new HashSet<>();
        for (int i = 0; d.exceptionPolicies != null && i < d.exceptionPolicies.size(); i++) {
            ExceptionPolicyDoc p = d.exceptionPolicies.get(i);
            String at = "exceptionPolicies[" + i + "]";
            if (p.type == null || !(p.type.equals("*") || isEnumValue(ExceptionType.class, p.type))) {
                problems.add(at + ".type: '" + p.type + "' is not an exception type or '*'");
            } else if (!policyTypes.add(p.type)) {
                problems.add(at + ".type: " + p.type + " has a policy already");
            }
            Severity severity = p.severity == null ? Severity.MEDIUM : enumValue(Severity.class, p.severity, at + ".severity", problems);
            Duration within = duration(p.acknowledgeWithin, at + ".acknowledgeWithin", Workflow.ExceptionPolicy.DEFAULT.acknowledgeWithin(), problems);
            policies.add(new Workflow.ExceptionPolicy(p.type, severity, within, p.notify == null ? "operations" : p.notify));
        }
        List<Workflow.AutomaticAction> actions = new ArrayList<>();
        for (int i = 0; d.actions != null && i < d.actions.size(); i++) {
            ActionDoc a = d.actions.get(i);
            String at = "actions[" + i + "]";
            ExceptionType on = enumValue(ExceptionType.class, a.on, at + ".on", problems);
            Workflow.AutomaticAction.Action action = enumValue(Workflow.AutomaticAction.Action.class, a.action, at + ".do", problems);
            if (a.attemptsAtLeast != null && a.attemptsAtLeast < 1) problems.add(at + ".attemptsAtLeast must be at least 1");
            actions.add(new Workflow.AutomaticAction(on, action, a.attemptsAtLeast, Boolean.TRUE.equals(a.facilityClosed)));
        }

        if (!problems.isEmpty()) throw new InvalidWorkflowException(name, problems);
        return new Workflow(d.name, d.version, d.description, selector, milestones, List.copyOf(transitions),
                Map.copyOf(durations), List.copyOf(rules), invalidSeverity, timers, List.copyOf(policies), List.copyOf(actions));
    }

    public static Workflow parse(String yamlOrJson) throws InvalidWorkflowException {
        return parse(read(yamlOrJson));
    }

    /** A shipment starts BOOKED (or RETURNING for a return): every status a transition leaves must be reachable. */
    private static void checkReachability(List<Workflow.Transition> transitions, List<String> problems) {
        Set<ShipmentStatus> reached = EnumSet.of(ShipmentStatus.BOOKED, ShipmentStatus.RETURNING);
        boolean grew = true;
        while (grew) {
            grew = false;
            for (Workflow.Transition t : transitions) {
                boolean fromReached = t.from().contains("*") || t.from().stream().anyMatch(f -> reached.contains(ShipmentStatus.valueOf(f)));
                if (fromReached && isStatus(t.to()) && reached.add(ShipmentStatus.valueOf(t.to()))) grew = true;
            }
        }
        for (Workflow.Transition t : transitions) {
            for (String f : t.from()) {
                if (isStatus(f) && !reached.contains(ShipmentStatus.valueOf(f)) && !f.equals("HELD")) {
                    problems.add("status " + f + " is never reached, so the transition on " + t.on() + " from it can never apply");
                }
            }
        }
        if (transitions.stream().noneMatch(t -> isStatus(t.to()) && Workflow.FINAL.contains(ShipmentStatus.valueOf(t.to())))) {
            problems.add("no transition reaches a final status (DELIVERED, CANCELLED or RETURNED)");
        }
    }

    private static Workflow.Selector selector(SelectorDoc s, List<String> problems) {
        if (s == null) return new Workflow.Selector(0, Set.of(), Set.of(), Set.of(), false);
        Set<ServiceLevel> levels = new HashSet<>();
        for (String l : s.serviceLevels == null ? List.<String>of() : s.serviceLevels) {
            ServiceLevel level = enumValue(ServiceLevel.class, l, "selector.serviceLevels", problems);
            if (level != null) levels.add(level);
        }
        Set<HandlingFlag> flags = new HashSet<>();
        for (String f : s.handling == null ? List.<String>of() : s.handling) {
            HandlingFlag flag = enumValue(HandlingFlag.class, f, "selector.handling", problems);
            if (flag != null) flags.add(flag);
        }
        return new Workflow.Selector(s.priority == null ? 0 : s.priority, Set.copyOf(levels), Set.copyOf(flags),
                s.customers == null ? Set.of() : Set.copyOf(s.customers), Boolean.TRUE.equals(s.manualOnly));
    }

    private static boolean isStatus(String s) {
        try {
            ShipmentStatus.valueOf(s);
            return true;
        } catch (IllegalArgumentException | NullPointerException e) {
            return false;
        }
    }

    private static Duration duration(String text, String field, Duration fallback, List<String> problems) {
        if (text == null) return fallback;
        try {
            Duration d = Duration.parse(text);
            if (d.isNegative() || d.isZero()) {
                problems.add(field + " must be positive");
                return fallback;
            }
            return d;
        } catch (DateTimeParseException e) {
            problems.add(field + ": '" + text + "' is not an ISO-8601 duration such as PT2H");
            return fallback;
        }
    }

    private static <E extends Enum<E>> boolean isEnumValue(Class<E> type, String value) {
        return java.util.Arrays.stream(type.getEnumConstants()).anyMatch(c -> c.name().equals(value));
    }

    private static <E extends Enum<E>> E enumValue(Class<E> type, String value, String field, List<String> problems) {
        try {
            return Enum.valueOf(type, value);
        } catch (IllegalArgumentException | NullPointerException e) {
            problems.add(field + ": '" + value + "' is not one of " + java.util.Arrays.toString(type.getEnumConstants()));
            return null;
        }
    }

    /** The document as written in YAML/JSON (see docs/workflow-definition.schema.json). */
    public static final class Document {
        public String name;
        public Integer version;
        public String description;
        public SelectorDoc selector;
        public List<String> milestones;
        public List<TransitionDoc> transitions;
        public Map<String, String> maxDurations;
        public List<ExceptionDoc> exceptions;
        public String invalidTransitionSeverity;
        public TimersDoc timers;
        public List<ExceptionPolicyDoc> exceptionPolicies;
        public List<ActionDoc> actions;
    }

    public static final class TimersDoc {
        public String missedScanGrace;
        public String slaAtRiskMargin;
    }

    public static final class ExceptionPolicyDoc {
        public String type;
        public String severity;
        public String acknowledgeWithin;
        public String notify;
    }

    public static final class ActionDoc {
        public String on;
        @com.fasterxml.jackson.annotation.JsonProperty("do")
        public String action;
        public Integer attemptsAtLeast;
        public Boolean facilityClosed;
    }

    public static final class SelectorDoc {
        public Integer priority;
        public List<String> serviceLevels;
        public List<String> handling;
        public List<String> customers;
        public Boolean manualOnly;
    }

    public static final class TransitionDoc {
        public List<String> from;
        public String on;
        public String to;
        public String milestone;
    }

    public static final class ExceptionDoc {
        public String on;
        public String raise;
        public String severity;
    }

    static InputStream resource(String path) {
        InputStream in = WorkflowDefinitions.class.getClassLoader().getResourceAsStream(path);
        if (in == null) throw new UncheckedIOException(new IOException(path + " is not on the class path"));
        return in;
    }
}
