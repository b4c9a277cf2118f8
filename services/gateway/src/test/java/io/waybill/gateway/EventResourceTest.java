package io.waybill.gateway;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import io.waybill.contract.ShipmentEvent;
import io.waybill.testkit.WaybillTestResource;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

/** The gateway against a real 3-broker cluster and a real registry. */
@QuarkusTest
@QuarkusTestResource(WaybillTestResource.class)
class EventResourceTest {

    /** The test source (application.properties): registered for BER-HUB and MUC-DEP. */
    static RequestSpecification asWmsTest() {
        return given().header("X-Api-Key", "test-key-wms").contentType(ContentType.JSON);
    }

    static String arrival(String eventId, String shipmentId, String facilityId) {
        return """
                {"eventId":"%s","shipmentId":"%s","type":"ARRIVED_AT_FACILITY","occurredAt":"%s","source":"wms-test",
                 "data":{"facilityId":"%s"}}""".formatted(eventId, shipmentId, Instant.now(), facilityId);
    }

    @Test
    void an_accepted_batch_is_on_the_topic_keyed_by_shipment_before_the_202() {
        // given a batch of two events for one shipment
        String shipmentId = "GW-" + UUID.randomUUID();
        String first = UUID.randomUUID().toString();
        String second = UUID.randomUUID().toString();
        String body = """
                {"events":[
                  {"eventId":"%s","shipmentId":"%s","type":"SHIPMENT_CREATED","occurredAt":"%s","source":"wms-test",
                   "data":{"origin":"BER-HUB","destination":"MUC-DEP","serviceLevel":"STANDARD","weightKg":3.0}},
                  %s
                ]}""".formatted(first, shipmentId, Instant.now().minusSeconds(60), arrival(second, shipmentId, "BER-HUB"));

        // when it is posted
        asWmsTest().body(body).post("/api/v1/events")
                .then().statusCode(202).body("count", equalTo(2)).body("accepted", hasItem(first)).body("spooled", equalTo(false));

        // then both events are on the topic, in order, under the shipment's key
        List<ShipmentEvent> found = TopicReader.eventsOf(shipmentId, 2);
        assertThat(found).extracting(ShipmentEvent::getEventId).containsExactly(first, second);
    }

    @Test
    void a_resent_event_id_is_accepted_but_published_once() {
        // given an event that was accepted
        String shipmentId = "GW-" + UUID.randomUUID();
        String eventId = UUID.randomUUID().toString();
        String event = arrival(eventId, shipmentId, "BER-HUB");
        asWmsTest().body(event).post("/api/v1/events").then().statusCode(202).body("duplicates.size()", equalTo(0));

        // when the warehouse sends it again (say its answer got lost), alone and inside a batch
        asWmsTest().body(event).post("/api/v1/events")
                .then().statusCode(202).body("accepted", hasItem(eventId)).body("duplicates", hasItem(eventId));
        String next = UUID.randomUUID().toString();
        asWmsTest().body("{\"events\":[" + event + "," + arrival(next, shipmentId, "MUC-DEP") + "]}").post("/api/v1/events")
                .then().statusCode(202).body("count", equalTo(2)).body("duplicates", equalTo(List.of(eventId)));

        // then the topic holds it once, followed by the new one
        assertThat(TopicReader.eventsOf(shipmentId, 2)).extracting(ShipmentEvent::getEventId).containsExactly(eventId, next);
    }

    @Test
    void a_rejected_batch_publishes_nothing() {
        // given a batch whose second event has no facility
        String shipmentId = "GW-" + UUID.randomUUID();
        String body = """
                {"events":[
                  {"eventId":"%s","shipmentId":"%s","type":"HELD","occurredAt":"%s","source":"wms-test","data":{"reason":"customs"}},
                  {"eventId":"%s","shipmentId":"%s","type":"ARRIVED_AT_FACILITY","occurredAt":"%s","source":"wms-test","data":{}}
                ]}""".formatted(UUID.randomUUID(), shipmentId, Instant.now(), UUID.randomUUID(), shipmentId, Instant.now());

        // when it is posted, then it is rejected with the field
        asWmsTest().body(body).post("/api/v1/events")
                .then().statusCode(400)
                .body("violations[0].field", equalTo("events[1].data.facilityId"))
                .body("violations[0].message", equalTo("is required"));

        // and nothing of it reached Kafka
        assertThat(TopicReader.eventsOf(shipmentId, 0)).isEmpty();
    }

    @Test
    void malformed_json_gets_a_400_saying_where() {
        asWmsTest().body("{\"eventId\": ").post("/api/v1/events")
                .then().statusCode(400).body("error", containsString("malformed JSON at line 1"));
    }

    @Test
    void an_oversize_body_is_refused_before_it_is_read() {
        String huge = "{\"events\":[\"" + "x".repeat(1_100_000) + "\"]}";
        asWmsTest().body(huge).post("/api/v1/events").then().statusCode(413);
    }

    @Test
    void health_metrics_and_openapi_are_served() {
        given().get("/q/health/ready").then().statusCode(200)
                .body(containsString("gateway-spool")).body(containsString("depthEvents"));
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("waybill_gateway_spool_depth")).body(containsString("waybill_gateway_spool_bytes"));
        given().get("/q/openapi").then().statusCode(200).body(containsString("/api/v1/events")).body(containsString("/api/v1/epcis/events"));
    }
}
