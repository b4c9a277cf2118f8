package io.waybill.gateway.epcis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waybill.gateway.Violation;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps GS1 EPCIS 2.0 JSON / JSON-LD ObjectEvents to events of the gateway's public JSON contract,
 * which then go through the same {@code EventParser} validation as posted events.
 *
 * <ul>
 *   <li>one Waybill event per EPC in {@code epcList}; SSCCs ({@code urn:epc:id:sscc:...} or a GS1
 *       Digital Link {@code .../00/<18 digits>}) become the 18-digit SSCC, plain ids stay as they are;</li>
 *   <li>the type from {@code disposition} damaged, else from {@code bizStep} (short name, CBV URN or
 *       {@code https://ref.gs1.org/cbv/BizStep-} URI), see {@link #BIZ_STEPS};</li>
 *   <li>the facility from {@code bizLocation.id}, else {@code readPoint.id}, through the configured
 *       location map; a location that is already a plain facility id is used as is;</li>
 *   <li>{@code eventTime} (with {@code eventTimeZoneOffset} when the time has no offset) to occurredAt;</li>
 *   <li>{@code eventID} to eventId: a UUID ({@code urn:uuid:...} too) for a single EPC is used as is,
 *       otherwise a name-based UUID (v5) of eventID and EPC, so a resent document dedupes.</li>
 * </ul>
 */
public final class EpcisMapper {

    /** CBV business steps with a Waybill meaning. Everything else is refused with the list of these. */
    public static final Map<String, String> BIZ_STEPS = new TreeMap<>(Map.of(
            "arriving", "ARRIVED_AT_FACILITY",
            "receiving", "ARRIVED_AT_FACILITY",
            "accepting", "ARRIVED_AT_FACILITY",
            "unloading", "ARRIVED_AT_FACILITY",
            "storing", "ARRIVED_AT_FACILITY",
            "departing", "DEPARTED_FACILITY",
            "shipping", "DEPARTED_FACILITY",
            "loading", "DEPARTED_FACILITY",
            "holding", "HELD"));

    private static final Set<String> EVENT_TYPES = Set.of("ObjectEvent", "AggregationEvent", "TransactionEvent",
            "TransformationEvent", "AssociationEvent");
    private static final Pattern MAPPED_PATH = Pattern.compile("events\\[(\\d+)](?:\\.(.*))?");
    private static final Pattern PLAIN_ID = Pattern.compile("[A-Za-z0-9._\\-]{1,64}");
    private static final Pattern SSCC_URN = Pattern.compile("urn:epc:id:sscc:(\\d+)\\.(\\d+)");
    private static final Pattern SSCC_DIGITAL_LINK = Pattern.compile("https?://[^/]+/00/(\\d{18})");
    private static final Pattern UUID_TEXT = Pattern.compile("(?:urn:uuid:)?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})");
    /** Namespace of the name-based eventIds derived from EPCIS eventIDs (fixed forever: changing it breaks dedupe). */
    static final UUID EVENT_ID_NAMESPACE = UUID.fromString("6f1c8a52-3d0e-5b7a-9c4e-2a8d1f0b7e31");

    private final Map<String, String> locations;

    public EpcisMapper(Map<String, String> locations) {
        this.locations = Map.copyOf(locations);
    }

    /**
     * The mapped events as a batch {@code {"events": [...]}} of the public contract, the EPCIS path
     * each came from (same index), and every reason something could not be mapped.
     */
    public record Mapped(ObjectNode batch, List<Origin> origins, List<Violation> violations) {
        public boolean valid() {
            return violations.isEmpty();
        }

        /** Rewrites a path of the mapped batch ({@code events[3].data.facilityId}) to the EPCIS field it came from. */
        public String originOf(String mappedPath) {
            Matcher m = MAPPED_PATH.matcher(mappedPath);
            if (!m.matches()) return mappedPath;
            int index = Integer.parseInt(m.group(1));
            if (index >= origins.size()) return mappedPath;
            Origin origin = origins.get(index);
            String field = m.group(2);
            if (field == null || field.equals("shipmentId")) return origin.epc();
            String epcisField = switch (field) {
                case "occurredAt" -> "eventTime";
                case "eventId" -> "eventID";
                case "type" -> "bizStep";
                case "data.facilityId", "data.origin", "data.destination" -> "bizLocation";
                default -> field;
            };
            return at(origin.event(), epcisField);
        }
    }

    /** Where a mapped event came from: its EPCIS event and the EPC in its epcList. */
    public record Origin(String event, String epc) {
    }

    public Mapped map(JsonNode document, String source, int maxEvents) {
        List<Violation> violations = new ArrayList<>();
        List<Origin> origins = new ArrayList<>();
        ObjectNode batch = JsonNodeFactory.instance.objectNode();
        var events = batch.putArray("events");
        if (document == null || !document.isObject()) {
            violations.add(new Violation("$", "must be an EPCISDocument or one EPCIS event (JSON object)"));
            return new Mapped(batch, origins, violations);
        }
        String type = text(document, "type");
        JsonNode list;
        String listPath;
        if ("EPCISDocument".equals(type)) {
            listPath = "epcisBody.eventList";
            list = document.path("epcisBody").path("eventList");
        } else if ("EPCISQueryDocument".equals(type)) {
            listPath = "epcisBody.queryResults.resultsBody.eventList";
            list = document.path("epcisBody").path("queryResults").path("resultsBody").path("eventList");
        } else if (type != null && EVENT_TYPES.contains(type)) {
            listPath = null;
            list = JsonNodeFactory.instance.arrayNode().add(document);
        } else {
            violations.add(new Violation("type", type == null
                    ? "is required: EPCISDocument, EPCISQueryDocument or ObjectEvent"
                    : "'" + type + "' is not an EPCIS document or event type; expected EPCISDocument or ObjectEvent"));
            return new Mapped(batch, origins, violations);
        }
        if (!list.isArray()) {
            violations.add(new Violation(listPath, "must be an array of EPCIS events"));
            return new Mapped(batch, origins, violations);
        }
        if (list.isEmpty()) {
            violations.add(new Violation(listPath, "must contain at least one event"));
            return new Mapped(batch, origins, violations);
        }
        for (int i = 0; i < list.size(); i++) {
            String path = listPath == null ? "" : listPath + "[" + i + "]";
            mapEvent(list.get(i), path, source, events, origins, violations);
        }
        if (violations.isEmpty() && events.size() > maxEvents) {
            violations.add(new Violation(listPath == null ? "epcList" : listPath, "maps to " + events.size()
                    + " Waybill events (one per EPC); at most " + maxEvents + " are allowed in one request"));
        }
        return new Mapped(batch, origins, violations);
    }

    private void mapEvent(JsonNode event, String path, String source, com.fasterxml.jackson.databind.node.ArrayNode out,
                          List<Origin> origins, List<Violation> violations) {
        if (!event.isObject()) {
            violations.add(new Violation(path.isEmpty() ? "$" : path, "must be an EPCIS event object"));
            return;
        }
        int before = violations.size();
        String eventType = text(event, "type");
        if (!"ObjectEvent".equals(eventType)) {
            violations.add(new Violation(at(path, "type"), eventType == null ? "is required (ObjectEvent)"
                    : "'" + eventType + "' is not mapped; only ObjectEvent is (report each pallet or parcel with its own ObjectEvent)"));
            return;
        }
        String action = text(event, "action");
        if (action == null) {
            violations.add(new Violation(at(path, "action"), "is required (OBSERVE or ADD)"));
        } else if (!action.equals("OBSERVE") && !action.equals("ADD")) {
            violations.add(new Violation(at(path, "action"), "'" + action + "' is not mapped; OBSERVE and ADD are (DELETE ends an EPC's life, not a movement)"));
        }
        String disposition = shortName(text(event, "disposition"), "urn:epcglobal:cbv:disp:", "Disp-");
        String bizStep = shortName(text(event, "bizStep"), "urn:epcglobal:cbv:bizstep:", "BizStep-");
        String waybillType;
        if ("damaged".equals(disposition)) {
            waybillType = "DAMAGED";
        } else if (bizStep == null) {
            violations.add(new Violation(at(path, "bizStep"), "is required; mapped business steps: " + BIZ_STEPS.keySet()));
            waybillType = null;
        } else {
            waybillType = BIZ_STEPS.get(bizStep);
            if (waybillType == null) {
                violations.add(new Violation(at(path, "bizStep"), "'" + text(event, "bizStep") + "' has no Waybill event; mapped business steps: "
                        + BIZ_STEPS.keySet() + " (and disposition damaged)"));
            }
        }
        String facility = null;
        if (waybillType != null && !waybillType.equals("HELD")) {
            facility = facility(event, path, violations);
        }
        String occurredAt = eventTime(event, path, violations);
        String eventId = text(event, "eventID");
        if (eventId == null) {
            violations.add(new Violation(at(path, "eventID"), "is required: Waybill recognises a resent event by it"));
        }
        JsonNode epcs = event.get("epcList");
        if (epcs == null || !epcs.isArray() || epcs.isEmpty()) {
            violations.add(new Violation(at(path, "epcList"), event.has("quantityList")
                    ? "is required: class-level quantities (quantityList) cannot be mapped to shipments"
                    : "is required: one or more SSCCs or shipment ids"));
            return;
        }
        List<String> shipmentIds = new ArrayList<>();
        for (int j = 0; j < epcs.size(); j++) {
            String epcPath = at(path, "epcList[" + j + "]");
            JsonNode epc = epcs.get(j);
            if (!epc.isTextual()) {
                violations.add(new Violation(epcPath, "must be a string"));
                continue;
            }
            String shipmentId = shipmentId(epc.asText(), epcPath, violations);
            if (shipmentId != null) shipmentIds.add(shipmentId);
        }
        if (violations.size() > before) return;
        for (int j = 0; j < epcs.size(); j++) {
            ObjectNode mapped = out.addObject();
            mapped.put("eventId", eventIdFor(eventId, epcs.get(j).asText(), epcs.size()));
            mapped.put("shipmentId", shipmentIds.get(j));
            mapped.put("type", waybillType);
            mapped.put("occurredAt", occurredAt);
            mapped.put("source", source);
            ObjectNode data = mapped.putObject("data");
            if (waybillType.equals("HELD")) {
                data.put("reason", "EPCIS holding" + (disposition == null ? "" : " (" + disposition + ")"));
            } else {
                data.put("facilityId", facility);
                if (waybillType.equals("DAMAGED")) data.put("description", "EPCIS disposition damaged" + (bizStep == null ? "" : " while " + bizStep));
            }
            origins.add(new Origin(path, at(path, "epcList[" + j + "]")));
        }
    }

    private String facility(JsonNode event, String path, List<Violation> violations) {
        String field = event.path("bizLocation").hasNonNull("id") ? "bizLocation" : event.path("readPoint").hasNonNull("id") ? "readPoint" : null;
        if (field == null) {
            violations.add(new Violation(at(path, "bizLocation"), "is required (or readPoint): the facility where it happened"));
            return null;
        }
        String location = event.path(field).path("id").asText();
        String facility = locations.get(location);
        if (facility != null) return facility;
        if (!location.contains(":") && PLAIN_ID.matcher(location).matches()) return location;
        violations.add(new Violation(at(path, field + ".id"), "'" + location + "' is not mapped to a facility; add waybill.gateway.epcis.locations.\""
                + location + "\"=<facility id>"));
        return null;
    }

    private static String eventTime(JsonNode event, String path, List<Violation> violations) {
        String time = text(event, "eventTime");
        if (time == null) {
            violations.add(new Violation(at(path, "eventTime"), "is required"));
            return null;
        }
        try {
            return OffsetDateTime.parse(time).toInstant().toString();
        } catch (DateTimeParseException withoutOffset) {
            String offset = text(event, "eventTimeZoneOffset");
            try {
                if (offset != null) return LocalDateTime.parse(time).toInstant(ZoneOffset.of(offset)).toString();
            } catch (java.time.DateTimeException ignored) {
                // reported below
            }
            violations.add(new Violation(at(path, "eventTime"), "'" + time + "' must be an ISO-8601 date-time with an offset, e.g. 2026-11-29T08:00:00.000+01:00"
                    + " (or without one, plus eventTimeZoneOffset)"));
            return null;
        }
    }

    /** An EPC to the shipment id Waybill knows the shipment by. */
    static String shipmentId(String epc, String path, List<Violation> violations) {
        Matcher urn = SSCC_URN.matcher(epc);
        if (urn.matches()) {
            String companyPrefix = urn.group(1);
            String serial = urn.group(2);
            if (companyPrefix.length() + serial.length() != 17 || serial.isEmpty()) {
                violations.add(new Violation(path, "'" + epc + "' is not a valid SSCC EPC URI: company prefix and serial reference must have 17 digits together"));
                return null;
            }
            // SSCC = extension digit, company prefix, rest of the serial reference, check digit.
            String digits = serial.charAt(0) + companyPrefix + serial.substring(1);
            return digits + checkDigit(digits);
        }
        Matcher link = SSCC_DIGITAL_LINK.matcher(epc);
        if (link.matches()) {
            String sscc = link.group(1);
            if (checkDigit(sscc.substring(0, 17)) != sscc.charAt(17) - '0') {
                violations.add(new Violation(path, "'" + epc + "' has a wrong SSCC check digit"));
                return null;
            }
            return sscc;
        }
        if (!epc.contains(":") && PLAIN_ID.matcher(epc).matches()) return epc;
        violations.add(new Violation(path, "'" + epc + "' is not a shipment: use an SSCC (urn:epc:id:sscc:... or a GS1 Digital Link .../00/...) or the shipment id itself"));
        return null;
    }

    /** GS1 mod-10 check digit: weights 3 and 1 alternating from the rightmost digit. */
    static int checkDigit(String digits) {
        int sum = 0;
        for (int i = 0; i < digits.length(); i++) {
            int d = digits.charAt(digits.length() - 1 - i) - '0';
            sum += (i % 2 == 0) ? d * 3 : d;
        }
        return (10 - sum % 10) % 10;
    }

    static String eventIdFor(String epcisEventId, String epc, int epcCount) {
        Matcher uuid = UUID_TEXT.matcher(epcisEventId);
        if (epcCount == 1 && uuid.matches()) return uuid.group(1).toLowerCase();
        return nameBasedUuid(EVENT_ID_NAMESPACE, epcisEventId + "#" + epc).toString();
    }

    /** RFC 4122 version 5 (SHA-1) UUID of a name in a namespace. */
    static UUID nameBasedUuid(UUID namespace, String name) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            sha1.update(ByteBuffer.allocate(16).putLong(namespace.getMostSignificantBits()).putLong(namespace.getLeastSignificantBits()).array());
            byte[] hash = sha1.digest(name.getBytes(StandardCharsets.UTF_8));
            hash[6] = (byte) ((hash[6] & 0x0f) | 0x50);
            hash[8] = (byte) ((hash[8] & 0x3f) | 0x80);
            ByteBuffer bytes = ByteBuffer.wrap(hash, 0, 16);
            return new UUID(bytes.getLong(), bytes.getLong());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code urn:epcglobal:cbv:bizstep:receiving}, {@code https://ref.gs1.org/cbv/BizStep-receiving} or {@code receiving} to {@code receiving}. */
    static String shortName(String value, String urnPrefix, String webVocPrefix) {
        if (value == null) return null;
        if (value.startsWith(urnPrefix)) return value.substring(urnPrefix.length());
        int web = value.indexOf("/" + webVocPrefix);
        if (value.startsWith("http") && web >= 0) return value.substring(web + webVocPrefix.length() + 1);
        return value;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || !value.isTextual() || value.asText().isBlank() ? null : value.asText();
    }

    private static String at(String path, String field) {
        return path.isEmpty() ? field : path + "." + field;
    }
}
