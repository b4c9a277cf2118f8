package io.waybill.gateway.epcis;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.waybill.contract.ArrivedAtFacility;
import io.waybill.contract.Damaged;
import io.waybill.contract.DepartedFacility;
import io.waybill.contract.Held;
import io.waybill.contract.ShipmentEvent;
import io.waybill.gateway.EventParser;
import io.waybill.gateway.Violation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** EPCIS 2.0 documents through the mapper and then the contract parser, as the endpoint does. */
class EpcisMapperTest {

    private static final Instant NOW = Instant.parse("2026-11-02T10:00:00Z");
    private static final String BER = "urn:epc:id:sgln:4012345.00001.0";
    private static final String EVENT_UUID = "6e0f3c5a-8d6b-4c9e-a1f2-3b4c5d6e7f80";
    private final ObjectMapper json = new ObjectMapper();
    private final EpcisMapper mapper = new EpcisMapper(Map.of(BER, "BER-HUB"));
    private final EventParser parser = new EventParser(Clock.fixed(NOW, ZoneOffset.UTC));

    /** An ObjectEvent with the given JSON members replacing or adding to a valid receiving event. */
    private static String objectEvent(String... members) {
        StringBuilder event = new StringBuilder("{\"type\":\"ObjectEvent\",\"eventID\":\"urn:uuid:" + EVENT_UUID + "\","
                + "\"eventTime\":\"2026-11-02T10:30:00.000+01:00\",\"eventTimeZoneOffset\":\"+01:00\","
                + "\"epcList\":[\"urn:epc:id:sscc:0614141.1234567890\"],\"action\":\"OBSERVE\",\"bizStep\":\"receiving\","
                + "\"readPoint\":{\"id\":\"" + BER + "\"}");
        for (String member : members) event.append(',').append(member);
        return event.append('}').toString();
    }

    private static String document(String... events) {
        return "{\"@context\":[\"https://ref.gs1.org/standards/epcis/epcis-context.jsonld\"],\"type\":\"EPCISDocument\","
                + "\"schemaVersion\":\"2.0\",\"creationDate\":\"2026-11-02T09:00:00Z\",\"epcisBody\":{\"eventList\":["
                + String.join(",", events) + "]}}";
    }

    private record Outcome(List<ShipmentEvent> events, List<Violation> violations) {
    }

    private Outcome capture(String body) throws Exception {
        EpcisMapper.Mapped mapped = mapper.map(json.readTree(body), "wms-epcis", 500);
        if (!mapped.valid()) return new Outcome(List.of(), mapped.violations());
        EventParser.Parsed parsed = parser.parse(mapped.batch(), 500);
        return new Outcome(parsed.events(), parsed.violations().stream()
                .map(v -> new Violation(mapped.originOf(v.field()), v.message())).toList());
    }

    @Test
    void a_receiving_object_event_becomes_an_arrival_at_the_mapped_facility() throws Exception {
        // when a document with one receiving event of one SSCC is captured
        Outcome outcome = capture(document(objectEvent()));

        // then it is one arrival of the shipment known by the 18-digit SSCC, at BER-HUB, at the instant it happened
        assertThat(outcome.violations()).isEmpty();
        ShipmentEvent event = outcome.events().get(0);
        assertThat(event.getShipmentId()).isEqualTo("106141412345678908");
        assertThat(event.getPayload()).isEqualTo(new ArrivedAtFacility("BER-HUB"));
        assertThat(event.getOccurredAt()).isEqualTo(Instant.parse("2026-11-02T09:30:00Z"));
        assertThat(event.getEventId()).isEqualTo(EVENT_UUID);
        assertThat(event.getSource()).isEqualTo("wms-epcis");
    }

    @Test
    void each_epc_becomes_its_own_event_with_a_stable_derived_event_id() throws Exception {
        // given one shipping event for two EPCs (an SSCC as Digital Link and a plain shipment id)
        String body = document(objectEvent("\"bizStep\":\"https://ref.gs1.org/cbv/BizStep-shipping\"",
                "\"eventID\":\"ni:///sha-256;df7bb3c352fef055578554f09f5e2aa41782150ced7bd0b8af24dd3ccb30ba69?ver=CBV2.0\"",
                "\"epcList\":[\"https://id.gs1.org/00/106141412345678908\",\"DEMO-7\"]")
                .replace("\"bizStep\":\"receiving\",", "")
                .replace("\"eventID\":\"urn:uuid:" + EVENT_UUID + "\",", "")
                .replace("\"epcList\":[\"urn:epc:id:sscc:0614141.1234567890\"],", ""));

        // when it is captured twice
        Outcome first = capture(body);
        Outcome again = capture(body);

        // then there are two departures, and a resend derives the same eventIds (so it dedupes)
        assertThat(first.violations()).isEmpty();
        assertThat(first.events()).extracting(ShipmentEvent::getShipmentId).containsExactly("106141412345678908", "DEMO-7");
        assertThat(first.events()).allSatisfy(e -> assertThat(e.getPayload()).isEqualTo(new DepartedFacility("BER-HUB", null)));
        assertThat(first.events()).extracting(ShipmentEvent::getEventId)
                .doesNotHaveDuplicates()
                .containsExactlyElementsOf(again.events().stream().map(ShipmentEvent::getEventId).toList())
                .allSatisfy(id -> assertThat(UUID.fromString(id).version()).isEqualTo(5));
    }

    @Test
    void bizsteps_in_every_form_and_the_damaged_disposition_map_to_waybill_types() throws Exception {
        Outcome outcome = capture(document(
                objectEvent("\"bizStep\":\"urn:epcglobal:cbv:bizstep:departing\"", "\"eventID\":\"e-1\"").replace("\"bizStep\":\"receiving\",", "").replace("\"eventID\":\"urn:uuid:" + EVENT_UUID + "\",", ""),
                objectEvent("\"bizStep\":\"holding\"", "\"eventID\":\"e-2\"").replace("\"bizStep\":\"receiving\",", "").replace("\"eventID\":\"urn:uuid:" + EVENT_UUID + "\",", ""),
                objectEvent("\"disposition\":\"urn:epcglobal:cbv:disp:damaged\"", "\"bizStep\":\"inspecting\"", "\"eventID\":\"e-3\"").replace("\"bizStep\":\"receiving\",", "").replace("\"eventID\":\"urn:uuid:" + EVENT_UUID + "\",", "")));

        assertThat(outcome.violations()).isEmpty();
        assertThat(outcome.events().get(0).getPayload()).isInstanceOf(DepartedFacility.class);
        assertThat(outcome.events().get(1).getPayload()).isInstanceOf(Held.class);
        assertThat(outcome.events().get(2).getPayload()).isInstanceOfSatisfying(Damaged.class,
                d -> assertThat(d.getFacilityId()).isEqualTo("BER-HUB"));
    }

    @Test
    void a_single_object_event_without_a_document_is_accepted_and_a_local_time_takes_the_zone_offset() throws Exception {
        Outcome outcome = capture(objectEvent("\"eventTime\":\"2026-11-02T10:30:00\"").replace("\"eventTime\":\"2026-11-02T10:30:00.000+01:00\",", ""));
        assertThat(outcome.violations()).isEmpty();
        assertThat(outcome.events().get(0).getOccurredAt()).isEqualTo(Instant.parse("2026-11-02T09:30:00Z"));
    }

    static Stream<Arguments> unmappable() {
        String receiving = "\"bizStep\":\"receiving\",";
        return Stream.of(
                Arguments.of("not an object", "[]", "$", "must be an EPCISDocument or one EPCIS event"),
                Arguments.of("no type", "{\"epcisBody\":{}}", "type", "is required: EPCISDocument"),
                Arguments.of("unknown document type", "{\"type\":\"Invoice\"}", "type", "'Invoice' is not an EPCIS document or event type"),
                Arguments.of("no event list", "{\"type\":\"EPCISDocument\",\"epcisBody\":{}}", "epcisBody.eventList", "must be an array of EPCIS events"),
                Arguments.of("empty event list", document(), "epcisBody.eventList", "must contain at least one event"),
                Arguments.of("aggregation event", document("{\"type\":\"AggregationEvent\",\"parentID\":\"urn:epc:id:sscc:0614141.1234567890\"}"),
                        "epcisBody.eventList[0].type", "'AggregationEvent' is not mapped; only ObjectEvent is"),
                Arguments.of("unmapped bizStep", document(objectEvent().replace(receiving, "\"bizStep\":\"picking\",")),
                        "epcisBody.eventList[0].bizStep", "'picking' has no Waybill event; mapped business steps: [accepting, arriving, departing, holding, loading, receiving, shipping, storing, unloading]"),
                Arguments.of("no bizStep", document(objectEvent().replace(receiving, "")),
                        "epcisBody.eventList[0].bizStep", "is required"),
                Arguments.of("action DELETE", document(objectEvent().replace("\"action\":\"OBSERVE\"", "\"action\":\"DELETE\"")),
                        "epcisBody.eventList[0].action", "'DELETE' is not mapped"),
                Arguments.of("unmapped location", document(objectEvent().replace(BER, "urn:epc:id:sgln:9999999.00001.0")),
                        "epcisBody.eventList[0].readPoint.id", "'urn:epc:id:sgln:9999999.00001.0' is not mapped to a facility"),
                Arguments.of("no location", document(objectEvent().replace(",\"readPoint\":{\"id\":\"" + BER + "\"}", "")),
                        "epcisBody.eventList[0].bizLocation", "is required (or readPoint)"),
                Arguments.of("a trade item, not a shipment", document(objectEvent().replace("urn:epc:id:sscc:0614141.1234567890", "urn:epc:id:sgtin:0614141.107346.2017")),
                        "epcisBody.eventList[0].epcList[0]", "'urn:epc:id:sgtin:0614141.107346.2017' is not a shipment"),
                Arguments.of("SSCC of the wrong length", document(objectEvent().replace("0614141.1234567890", "0614141.12345")),
                        "epcisBody.eventList[0].epcList[0]", "company prefix and serial reference must have 17 digits"),
                Arguments.of("SSCC digital link with a wrong check digit", document(objectEvent().replace("urn:epc:id:sscc:0614141.1234567890", "https://id.gs1.org/00/106141412345678907")),
                        "epcisBody.eventList[0].epcList[0]", "wrong SSCC check digit"),
                Arguments.of("quantities only", document(objectEvent().replace("\"epcList\":[\"urn:epc:id:sscc:0614141.1234567890\"],", "\"quantityList\":[{\"epcClass\":\"urn:epc:class:lgtin:4012345.012345.998877\",\"quantity\":200}],")),
                        "epcisBody.eventList[0].epcList", "class-level quantities (quantityList) cannot be mapped"),
                Arguments.of("no eventID", document(objectEvent().replace("\"eventID\":\"urn:uuid:" + EVENT_UUID + "\",", "")),
                        "epcisBody.eventList[0].eventID", "is required: Waybill recognises a resent event by it"),
                Arguments.of("eventTime without offset or zone", document(objectEvent().replace("2026-11-02T10:30:00.000+01:00", "2026-11-02T10:30:00").replace(",\"eventTimeZoneOffset\":\"+01:00\"", "")),
                        "epcisBody.eventList[0].eventTime", "must be an ISO-8601 date-time with an offset"),
                // Checks of the shared contract parser, reported at the EPCIS field they came from.
                Arguments.of("eventTime in the future", document(objectEvent().replace("2026-11-02T10:30:00.000+01:00", "2026-11-03T10:30:00.000+01:00")),
                        "epcisBody.eventList[0].eventTime", "minutes in the future"),
                Arguments.of("facility id the contract refuses", document(objectEvent().replace(BER, "BER HUB")),
                        "epcisBody.eventList[0].readPoint.id", "'BER HUB' is not mapped to a facility"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unmappable")
    void an_unmappable_epcis_request_is_rejected_with_the_field_and_the_reason(String name, String body, String field, String message) throws Exception {
        // when
        Outcome outcome = capture(body);

        // then
        assertThat(outcome.events()).isEmpty();
        assertThat(outcome.violations()).anySatisfy(v -> {
            assertThat(v.field()).isEqualTo(field);
            assertThat(v.message()).contains(message);
        });
    }

    @Test
    void a_document_mapping_to_more_events_than_a_batch_allows_is_rejected() throws Exception {
        EpcisMapper.Mapped mapped = mapper.map(json.readTree(document(objectEvent("\"epcList\":[\"A-1\",\"A-2\",\"A-3\"]")
                .replace("\"epcList\":[\"urn:epc:id:sscc:0614141.1234567890\"],", ""))), "wms", 2);
        assertThat(mapped.violations()).singleElement().satisfies(v -> {
            assertThat(v.field()).isEqualTo("epcisBody.eventList");
            assertThat(v.message()).contains("maps to 3 Waybill events (one per EPC); at most 2");
        });
    }

    @Test
    void sscc_check_digits_follow_gs1() {
        // the examples of the GS1 General Specifications and the EPC Tag Data Standard
        assertThat(EpcisMapper.checkDigit("10614141234567890")).isEqualTo(8);
        assertThat(EpcisMapper.checkDigit("10614141123456789")).isEqualTo(7);
    }
}
