package io.waybill.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.waybill.contract.ServiceLevel;
import io.waybill.contract.ShipmentCreated;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class EventParserTest {

    private static final Instant NOW = Instant.parse("2026-11-02T10:00:00Z");
    private static final String ID = "7b0d6a4e-2f5c-4f51-9d8e-2b1d3c4e5f60";
    private final ObjectMapper json = new ObjectMapper();
    private final EventParser parser = new EventParser(Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void a_valid_booking_becomes_an_avro_event_recorded_now() throws Exception {
        // given
        String body = """
                {"eventId":"%s","shipmentId":"S-1","type":"SHIPMENT_CREATED","occurredAt":"2026-11-02T09:59:00Z",
                 "source":"wms-berlin","data":{"origin":"BER-HUB","destination":"MUC-DEP","serviceLevel":"EXPRESS",
                 "weightKg":2.5,"handling":["FRAGILE","COLD_CHAIN"],"promisedDeliveryAt":"2026-11-04T18:00:00Z"}}
                """.formatted(ID);

        // when
        var parsed = parser.parse(json.readTree(body), 10);

        // then
        assertThat(parsed.violations()).isEmpty();
        var event = parsed.events().get(0);
        assertThat(event.getRecordedAt()).isEqualTo(NOW);
        assertThat(event.getOccurredAt()).isEqualTo(Instant.parse("2026-11-02T09:59:00Z"));
        ShipmentCreated created = (ShipmentCreated) event.getPayload();
        assertThat(created.getServiceLevel()).isEqualTo(ServiceLevel.EXPRESS);
        assertThat(created.getHandling()).hasSize(2);
        assertThat(created.getPromisedDeliveryAt()).isEqualTo(Instant.parse("2026-11-04T18:00:00Z"));
    }

    static Stream<Arguments> malformed() {
        String ok = "\"eventId\":\"" + ID + "\",\"shipmentId\":\"S-1\",\"occurredAt\":\"2026-11-02T09:00:00Z\",\"source\":\"wms\"";
        return Stream.of(
                Arguments.of("missing eventId", "{\"shipmentId\":\"S-1\",\"type\":\"RELEASED\",\"occurredAt\":\"2026-11-02T09:00:00Z\",\"source\":\"wms\",\"data\":{}}",
                        "eventId", "is required"),
                Arguments.of("eventId not a UUID", "{" + ok.replace(ID, "abc") + ",\"type\":\"RELEASED\",\"data\":{}}",
                        "eventId", "must be a UUID"),
                Arguments.of("unknown type", "{" + ok + ",\"type\":\"TELEPORTED\",\"data\":{}}",
                        "type", "unknown event type 'TELEPORTED'"),
                Arguments.of("missing data field", "{" + ok + ",\"type\":\"ARRIVED_AT_FACILITY\",\"data\":{}}",
                        "data.facilityId", "is required"),
                Arguments.of("wrong type of field", "{" + ok + ",\"type\":\"ARRIVED_AT_FACILITY\",\"data\":{\"facilityId\":42}}",
                        "data.facilityId", "must be a string"),
                Arguments.of("unknown enum value", "{" + ok + ",\"type\":\"SHIPMENT_CREATED\",\"data\":{\"origin\":\"A\",\"destination\":\"B\",\"serviceLevel\":\"WARP\",\"weightKg\":1}}",
                        "data.serviceLevel", "'WARP' is not one of [STANDARD, EXPRESS, SAME_DAY, ECONOMY]"),
                Arguments.of("reader default enum value is not for clients", "{" + ok + ",\"type\":\"SHIPMENT_CREATED\",\"data\":{\"origin\":\"A\",\"destination\":\"B\",\"serviceLevel\":\"OTHER\",\"weightKg\":1}}",
                        "data.serviceLevel", "'OTHER' is not one of"),
                Arguments.of("negative weight", "{" + ok + ",\"type\":\"SHIPMENT_CREATED\",\"data\":{\"origin\":\"A\",\"destination\":\"B\",\"serviceLevel\":\"STANDARD\",\"weightKg\":-1}}",
                        "data.weightKg", "must be greater than 0"),
                Arguments.of("bad handling flag", "{" + ok + ",\"type\":\"SHIPMENT_CREATED\",\"data\":{\"origin\":\"A\",\"destination\":\"B\",\"serviceLevel\":\"STANDARD\",\"weightKg\":1,\"handling\":[\"RADIOACTIVE\"]}}",
                        "data.handling[0]", "'RADIOACTIVE' is not one of"),
                Arguments.of("bad timestamp", "{" + ok.replace("2026-11-02T09:00:00Z", "yesterday") + ",\"type\":\"RELEASED\",\"data\":{}}",
                        "occurredAt", "must be an ISO-8601 instant"),
                Arguments.of("far in the future", "{" + ok.replace("2026-11-02T09:00:00Z", "2026-11-03T09:00:00Z") + ",\"type\":\"RELEASED\",\"data\":{}}",
                        "occurredAt", "minutes in the future"),
                Arguments.of("back-dated past the max event age", "{" + ok.replace("2026-11-02T09:00:00Z", "2026-10-20T09:00:00Z") + ",\"type\":\"RELEASED\",\"data\":{}}",
                        "occurredAt", "events older than PT168H are refused"),
                Arguments.of("a promise in the year 2300", "{" + ok + ",\"type\":\"SHIPMENT_CREATED\",\"data\":{\"origin\":\"A\",\"destination\":\"B\",\"serviceLevel\":\"STANDARD\",\"weightKg\":1,\"promisedDeliveryAt\":\"2300-01-01T00:00:00Z\"}}",
                        "data.promisedDeliveryAt", "must lie between 2000-01-01T00:00:00Z and 2199-12-31T23:59:59.999Z"),
                Arguments.of("unknown data field", "{" + ok + ",\"type\":\"RELEASED\",\"data\":{\"reasn\":\"typo\"}}",
                        "data.reasn", "unknown field"),
                Arguments.of("unknown envelope field", "{" + ok + ",\"type\":\"RELEASED\",\"data\":{},\"priority\":1}",
                        "priority", "unknown field"),
                Arguments.of("bad shipment id", "{" + ok.replace("S-1", "S 1/2") + ",\"type\":\"RELEASED\",\"data\":{}}",
                        "shipmentId", "must be 1-64 characters"),
                Arguments.of("data not an object", "{" + ok + ",\"type\":\"RELEASED\",\"data\":[]}",
                        "data", "must be an object"),
                Arguments.of("not an object", "[1,2]", "$", "must be an event object"),
                Arguments.of("events not an array", "{\"events\":{}}", "events", "must be an array"),
                Arguments.of("empty batch", "{\"events\":[]}", "events", "must contain at least one event"),
                Arguments.of("oversize batch", "{\"events\":[" + String.join(",", java.util.Collections.nCopies(11, "{}")) + "]}",
                        "events", "has 11 events; at most 10"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void a_malformed_event_is_rejected_with_the_field_and_the_reason(String name, String body, String field, String message) throws Exception {
        // when
        var parsed = parser.parse(json.readTree(body), 10);

        // then
        assertThat(parsed.valid()).isFalse();
        assertThat(parsed.events()).isEmpty();
        assertThat(parsed.violations()).anySatisfy(v -> {
            assertThat(v.field()).isEqualTo(field);
            assertThat(v.message()).contains(message);
        });
    }

    @Test
    void one_bad_event_rejects_the_whole_batch_and_every_violation_is_reported() throws Exception {
        // given a batch with one good event and one with two mistakes
        String body = """
                {"events":[
                  {"eventId":"%s","shipmentId":"S-1","type":"ARRIVED_AT_FACILITY","occurredAt":"2026-11-02T09:00:00Z","source":"wms","data":{"facilityId":"BER-HUB"}},
                  {"eventId":"%s","shipmentId":"S-2","type":"SHIPMENT_CREATED","occurredAt":"2026-11-02T09:00:00Z","source":"wms","data":{"serviceLevel":"STANDARD","weightKg":1}}
                ]}""".formatted(ID, "1b0d6a4e-2f5c-4f51-9d8e-2b1d3c4e5f61");

        // when
        var parsed = parser.parse(json.readTree(body), 10);

        // then nothing is accepted and both missing fields are named
        assertThat(parsed.events()).isEmpty();
        assertThat(parsed.violations()).extracting(Violation::field)
                .containsExactlyInAnyOrder("events[1].data.origin", "events[1].data.destination");
    }

    @Test
    void the_same_event_id_twice_in_one_batch_is_rejected() throws Exception {
        String event = "{\"eventId\":\"" + ID + "\",\"shipmentId\":\"S-1\",\"type\":\"RELEASED\",\"occurredAt\":\"2026-11-02T09:00:00Z\",\"source\":\"wms\",\"data\":{}}";
        var parsed = parser.parse(json.readTree("{\"events\":[" + event + "," + event + "]}"), 10);
        assertThat(parsed.violations()).extracting(Violation::message).anySatisfy(m -> assertThat(m).contains("appears 2 times"));
    }
}
