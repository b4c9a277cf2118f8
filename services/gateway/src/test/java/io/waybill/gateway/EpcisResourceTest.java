package io.waybill.gateway;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.waybill.contract.ArrivedAtFacility;
import io.waybill.contract.ShipmentEvent;
import io.waybill.testkit.WaybillTestResource;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/** EPCIS capture end to end: JSON-LD in, Avro events on the topic. */
@QuarkusTest
@QuarkusTestResource(WaybillTestResource.class)
class EpcisResourceTest {

    private static String receivingDocument(String serialReference, String location) {
        return """
                {"@context":["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"],
                 "type":"EPCISDocument","schemaVersion":"2.0","creationDate":"%1$s",
                 "epcisBody":{"eventList":[
                   {"type":"ObjectEvent","eventID":"urn:uuid:%2$s","eventTime":"%1$s","eventTimeZoneOffset":"+00:00",
                    "epcList":["urn:epc:id:sscc:4012345.%3$s"],"action":"OBSERVE",
                    "bizStep":"https://ref.gs1.org/cbv/BizStep-receiving",
                    "readPoint":{"id":"%4$s"},"bizLocation":{"id":"%4$s"}}]}}"""
                .formatted(Instant.now().minusSeconds(30), UUID.randomUUID(), serialReference, location);
    }

    private static String randomSerialReference() {
        return String.format("%010d", ThreadLocalRandom.current().nextLong(1_000_000_000L));
    }

    @Test
    void an_epcis_receiving_event_arrives_on_the_topic_as_an_arrival_of_the_sscc() {
        // given a receiving ObjectEvent at the location mapped to BER-HUB
        String serial = randomSerialReference();
        String sscc = serial.charAt(0) + "4012345" + serial.substring(1);

        // when the warehouse's EPCIS software captures it
        EventResourceTest.asWmsTest().contentType("application/ld+json").body(receivingDocument(serial, "urn:epc:id:sgln:4012345.00001.0"))
                .post("/api/v1/epcis/events")
                .then().statusCode(202).body("count", equalTo(1));

        // then the shipment (its 18-digit SSCC) arrived at BER-HUB
        var events = TopicReader.eventsWithKey(k -> k.startsWith(sscc), 1, java.time.Duration.ofSeconds(20));
        assertThat(events).extracting(ShipmentEvent::getPayload).containsExactly(new ArrivedAtFacility("BER-HUB"));
        assertThat(events.get(0).getShipmentId()).hasSize(18);
    }

    @Test
    void an_unmappable_location_is_a_400_naming_the_epcis_field() {
        EventResourceTest.asWmsTest().body(receivingDocument(randomSerialReference(), "urn:epc:id:sgln:7777777.00001.0"))
                .post("/api/v1/epcis/events")
                .then().statusCode(400)
                .body("violations[0].field", equalTo("epcisBody.eventList[0].bizLocation.id"))
                .body("violations[0].message", containsString("is not mapped to a facility"));
    }

    @Test
    void a_location_of_a_facility_the_source_is_not_registered_for_is_403() {
        // HAM-HUB is mapped, but wms-test may only report for BER-HUB and MUC-DEP
        EventResourceTest.asWmsTest().body(receivingDocument(randomSerialReference(), "urn:epc:id:sgln:4012345.00009.0"))
                .post("/api/v1/epcis/events")
                .then().statusCode(403)
                .body("violations[0].field", equalTo("epcisBody.eventList[0].bizLocation"))
                .body("violations[0].message", containsString("not registered for facility 'HAM-HUB'"));
    }
}
