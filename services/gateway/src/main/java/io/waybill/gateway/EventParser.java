package io.waybill.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.waybill.contract.AddressCorrected;
import io.waybill.contract.ArrivedAtFacility;
import io.waybill.contract.Cancelled;
import io.waybill.contract.Damaged;
import io.waybill.contract.Delivered;
import io.waybill.contract.DeliveryAttemptFailed;
import io.waybill.contract.DepartedFacility;
import io.waybill.contract.HandlingFlag;
import io.waybill.contract.Held;
import io.waybill.contract.OutForDelivery;
import io.waybill.contract.Released;
import io.waybill.contract.ServiceLevel;
import io.waybill.contract.ShipmentCreated;
import io.waybill.contract.ShipmentEvent;

import io.waybill.topology.shipment.InputLimits;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Turns the gateway's public JSON contract into Avro {@link ShipmentEvent}s, collecting every
 * violation with its JSON path instead of stopping at the first, so an integrator can fix a batch
 * in one round trip.
 */
public final class EventParser {

    /** Scanner and server clocks drift; an occurredAt further ahead than this is a bug, not skew. */
    static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);

    private static final Pattern SHIPMENT_ID = Pattern.compile("[A-Za-z0-9._\\-]{1,64}");
    private static final Set<String> ENVELOPE = Set.of("eventId", "shipmentId", "type", "occurredAt", "source", "data");

    /** What each event type reads from {@code data}: the field names it allows and how it builds the payload. */
    private record TypeSpec(Set<String> fields, Function<Fields, Object> build) {
    }

    private static final Map<String, TypeSpec> TYPES = Map.ofEntries(
            Map.entry("SHIPMENT_CREATED", new TypeSpec(
                    Set.of("origin", "destination", "serviceLevel", "promisedDeliveryAt", "weightKg", "volumeM3", "handling", "customerId"),
                    // Constructors, not builders: every field is read (and every violation
                    // collected) before anything validates the record.
                    f -> new ShipmentCreated(
                            f.requiredId("origin"),
                            f.requiredId("destination"),
                            f.requiredEnum("serviceLevel", ServiceLevel.class, ServiceLevel.OTHER),
                            f.optionalInstant("promisedDeliveryAt"),
                            f.requiredPositive("weightKg"),
                            f.optionalPositive("volumeM3"),
                            f.enumList("handling", HandlingFlag.class, HandlingFlag.OTHER),
                            f.optionalText("customerId")))),
            Map.entry("ARRIVED_AT_FACILITY", new TypeSpec(Set.of("facilityId"),
                    f -> new ArrivedAtFacility(f.requiredId("facilityId")))),
            Map.entry("DEPARTED_FACILITY", new TypeSpec(Set.of("facilityId", "laneId"),
                    f -> new DepartedFacility(f.requiredId("facilityId"), f.optionalText("laneId")))),
            Map.entry("OUT_FOR_DELIVERY", new TypeSpec(Set.of("facilityId", "routeId"),
                    f -> new OutForDelivery(f.requiredId("facilityId"), f.optionalText("routeId")))),
            Map.entry("DELIVERED", new TypeSpec(Set.of("receivedBy", "proofOfDeliveryRef"),
                    f -> new Delivered(f.optionalText("receivedBy"), f.optionalText("proofOfDeliveryRef")))),
            Map.entry("DELIVERY_ATTEMPT_FAILED", new TypeSpec(Set.of("reason"),
                    f -> new DeliveryAttemptFailed(f.requiredText("reason")))),
            Map.entry("DAMAGED", new TypeSpec(Set.of("facilityId", "description"),
                    f -> new Damaged(f.requiredId("facilityId"), f.optionalText("description")))),
            Map.entry("HELD", new TypeSpec(Set.of("reason"), f -> new Held(f.requiredText("reason")))),
            Map.entry("RELEASED", new TypeSpec(Set.of("reason"), f -> new Released(f.optionalText("reason")))),
            Map.entry("CANCELLED", new TypeSpec(Set.of("reason"), f -> new Cancelled(f.requiredText("reason")))),
            Map.entry("ADDRESS_CORRECTED", new TypeSpec(Set.of("destination"),
                    f -> new AddressCorrected(f.requiredId("destination")))));

    /** The event types of the public contract, sorted. */
    public static final List<String> EVENT_TYPES = TYPES.keySet().stream().sorted().toList();

    /** The default of {@code waybill.gateway.max-event-age}. */
    static final Duration DEFAULT_MAX_EVENT_AGE = Duration.ofDays(7);

    private final Clock clock;
    private final Duration maxEventAge;

    public EventParser(Clock clock) {
        this(clock, DEFAULT_MAX_EVENT_AGE);
    }

    /** @param maxEventAge an occurredAt further back than this is refused (a back-dated event would rewrite history) */
    public EventParser(Clock clock, Duration maxEventAge) {
        this.clock = clock;
        this.maxEventAge = maxEventAge;
    }

    /** The outcome of parsing: the events when there are no violations. */
    public record Parsed(List<ShipmentEvent> events, List<Violation> violations) {
        public boolean valid() {
            return violations.isEmpty();
        }
    }

    /**
     * Parses one event object or a batch {@code {"events": [...]}}. A batch is all or nothing: one
     * violation anywhere rejects every event in it.
     */
    public Parsed parse(JsonNode body, int maxBatchSize) {
        List<Violation> violations = new ArrayList<>();
        List<ShipmentEvent> events = new ArrayList<>();
        if (body == null || !body.isObject()) {
            violations.add(new Violation("$", "must be an event object or {\"events\": [...]}"));
        } else if (body.has("events")) {
            JsonNode list = body.get("events");
            if (!list.isArray()) {
                violations.add(new Violation("events", "must be an array"));
            } else if (list.isEmpty()) {
                violations.add(new Violation("events", "must contain at least one event"));
            } else if (list.size() > maxBatchSize) {
                violations.add(new Violation("events", "has " + list.size() + " events; at most " + maxBatchSize + " are allowed in one batch"));
            } else {
                Instant now = clock.instant();
                for (int i = 0; i < list.size(); i++) {
                    parseEvent(list.get(i), "events[" + i + "]", now, events, violations);
                }
                duplicateIds(events, violations);
            }
            body.fieldNames().forEachRemaining(name -> {
                if (!name.equals("events")) violations.add(new Violation(name, "unknown field"));
            });
        } else {
            parseEvent(body, "", clock.instant(), events, violations);
        }
        return violations.isEmpty() ? new Parsed(List.copyOf(events), List.of()) : new Parsed(List.of(), List.copyOf(violations));
    }

    private static void duplicateIds(List<ShipmentEvent> events, List<Violation> violations) {
        Map<String, Long> counts = events.stream().collect(Collectors.groupingBy(ShipmentEvent::getEventId, Collectors.counting()));
        counts.forEach((id, n) -> {
            if (n > 1) violations.add(new Violation("events", "eventId " + id + " appears " + n + " times in the batch"));
        });
    }

    private void parseEvent(JsonNode node, String path, Instant now, List<ShipmentEvent> events, List<Violation> violations) {
        if (node == null || !node.isObject()) {
            violations.add(new Violation(path.isEmpty() ? "$" : path, "must be an object"));
            return;
        }
        Fields envelope = new Fields(node, path, violations);
        int before = violations.size();
        String eventId = envelope.requiredText("eventId");
        if (eventId != null && !isUuid(eventId)) {
            violations.add(new Violation(envelope.at("eventId"), "must be a UUID, e.g. " + UUID.nameUUIDFromBytes(new byte[0])));
        }
        String shipmentId = envelope.requiredId("shipmentId");
        String source = envelope.requiredText("source");
        Instant occurredAt = envelope.requiredInstant("occurredAt");
        if (occurredAt != null && occurredAt.isAfter(now.plus(MAX_CLOCK_SKEW))) {
            violations.add(new Violation(envelope.at("occurredAt"), "is " + Duration.between(now, occurredAt).toMinutes()
                    + " minutes in the future; at most " + MAX_CLOCK_SKEW.toMinutes() + " minutes of clock skew are accepted"));
        }
        if (occurredAt != null && occurredAt.isBefore(now.minus(maxEventAge))) {
            violations.add(new Violation(envelope.at("occurredAt"), "is " + Duration.between(occurredAt, now).toHours()
                    + " hours in the past; events older than " + maxEventAge + " are refused (waybill.gateway.max-event-age)"));
        }
        envelope.rejectUnknown(ENVELOPE);

        String type = envelope.requiredText("type");
        TypeSpec spec = type == null ? null : TYPES.get(type);
        if (type != null && spec == null) {
            violations.add(new Violation(envelope.at("type"), "unknown event type '" + type + "'; expected one of " + EVENT_TYPES));
        }
        JsonNode data = node.get("data");
        Object payload = null;
        if (data == null || data.isNull()) {
            if (spec != null) violations.add(new Violation(envelope.at("data"), "is required"));
        } else if (!data.isObject()) {
            violations.add(new Violation(envelope.at("data"), "must be an object"));
        } else if (spec != null) {
            Fields fields = new Fields(data, envelope.at("data"), violations);
            payload = spec.build().apply(fields);
            fields.rejectUnknown(spec.fields());
        }
        if (violations.size() == before) {
            events.add(ShipmentEvent.newBuilder()
                    .setEventId(eventId)
                    .setShipmentId(shipmentId)
                    .setOccurredAt(occurredAt)
                    .setRecordedAt(now)
                    .setSource(source)
                    .setPayload(payload)
                    .build());
        }
    }

    private static boolean isUuid(String s) {
        try {
            return UUID.fromString(s).toString().equalsIgnoreCase(s);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Typed reads of one JSON object's fields, each recording a violation instead of throwing. */
    static final class Fields {
        private final JsonNode node;
        private final String path;
        private final List<Violation> violations;

        Fields(JsonNode node, String path, List<Violation> violations) {
            this.node = node;
            this.path = path;
            this.violations = violations;
        }

        String at(String field) {
            return path.isEmpty() ? field : path + "." + field;
        }

        private JsonNode present(String field) {
            JsonNode value = node.get(field);
            return value == null || value.isNull() ? null : value;
        }

        String requiredText(String field) {
            JsonNode value = present(field);
            if (value == null) {
                violations.add(new Violation(at(field), "is required"));
                return null;
            }
            return text(field, value);
        }

        String optionalText(String field) {
            JsonNode value = present(field);
            return value == null ? null : text(field, value);
        }

        private String text(String field, JsonNode value) {
            if (!value.isTextual()) {
                violations.add(new Violation(at(field), "must be a string"));
                return null;
            }
            String s = value.asText();
            if (s.isBlank()) {
                violations.add(new Violation(at(field), "must not be blank"));
                return null;
            }
            if (s.length() > 512) {
                violations.add(new Violation(at(field), "is longer than 512 characters"));
                return null;
            }
            return s;
        }

        String requiredId(String field) {
            String s = requiredText(field);
            if (s != null && !SHIPMENT_ID.matcher(s).matches()) {
                violations.add(new Violation(at(field), "must be 1-64 characters of letters, digits, '.', '_' or '-'"));
                return null;
            }
            return s;
        }

        Instant requiredInstant(String field) {
            String s = requiredText(field);
            return s == null ? null : instant(field, s);
        }

        Instant optionalInstant(String field) {
            String s = optionalText(field);
            return s == null ? null : instant(field, s);
        }

        private Instant instant(String field, String s) {
            try {
                Instant at = Instant.parse(s);
                if (at.isBefore(InputLimits.EARLIEST) || at.isAfter(InputLimits.LATEST)) {
                    violations.add(new Violation(at(field), "must lie between " + InputLimits.EARLIEST + " and " + InputLimits.LATEST));
                    return null;
                }
                return at;
            } catch (DateTimeParseException e) {
                violations.add(new Violation(at(field), "must be an ISO-8601 instant such as 2026-11-02T08:15:00Z"));
                return null;
            }
        }

        double requiredPositive(String field) {
            JsonNode value = present(field);
            if (value == null) {
                violations.add(new Violation(at(field), "is required"));
                return 0;
            }
            Double d = positive(field, value);
            return d == null ? 0 : d;
        }

        Double optionalPositive(String field) {
            JsonNode value = present(field);
            return value == null ? null : positive(field, value);
        }

        private Double positive(String field, JsonNode value) {
            if (!value.isNumber()) {
                violations.add(new Violation(at(field), "must be a number"));
                return null;
            }
            double d = value.asDouble();
            if (!(d > 0) || Double.isInfinite(d)) {
                violations.add(new Violation(at(field), "must be greater than 0"));
                return null;
            }
            return d;
        }

        <E extends Enum<E>> E requiredEnum(String field, Class<E> type, E readerDefault) {
            String s = requiredText(field);
            return s == null ? null : enumValue(at(field), s, type, readerDefault);
        }

        <E extends Enum<E>> List<E> enumList(String field, Class<E> type, E readerDefault) {
            JsonNode value = present(field);
            if (value == null) return List.of();
            if (!value.isArray()) {
                violations.add(new Violation(at(field), "must be an array"));
                return List.of();
            }
            List<E> out = new ArrayList<>();
            for (int i = 0; i < value.size(); i++) {
                JsonNode item = value.get(i);
                String itemPath = at(field) + "[" + i + "]";
                if (!item.isTextual()) {
                    violations.add(new Violation(itemPath, "must be a string"));
                    continue;
                }
                E e = enumValue(itemPath, item.asText(), type, readerDefault);
                if (e != null && !out.contains(e)) out.add(e);
            }
            return out;
        }

        /** The Avro reader default (OTHER) exists for schema evolution; clients must name a real value. */
        private <E extends Enum<E>> E enumValue(String fieldPath, String s, Class<E> type, E readerDefault) {
            List<String> allowed = Arrays.stream(type.getEnumConstants()).filter(e -> e != readerDefault).map(Enum::name).toList();
            if (!allowed.contains(s)) {
                violations.add(new Violation(fieldPath, "'" + s + "' is not one of " + allowed));
                return null;
            }
            return Enum.valueOf(type, s);
        }

        void rejectUnknown(Set<String> known) {
            Iterator<String> names = node.fieldNames();
            while (names.hasNext()) {
                String name = names.next();
                if (!known.contains(name)) violations.add(new Violation(at(name), "unknown field"));
            }
        }
    }
}
