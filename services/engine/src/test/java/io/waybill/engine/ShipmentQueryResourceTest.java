package io.waybill.engine;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.waybill.contract.ArrivedAtFacility;
import io.waybill.contract.ServiceLevel;
import io.waybill.contract.ShipmentCreated;
import io.waybill.contract.ShipmentEvent;
import io.waybill.contract.WaybillTopic;
import io.waybill.testkit.WaybillTestResource;
import io.waybill.topology.catalogue.WaybillSerdes;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static io.waybill.engine.TestEvents.event;
import static io.waybill.engine.TestEvents.publish;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/** The engine on a real 3-broker cluster and a real registry: events in, queryable state out. */
@QuarkusTest
@QuarkusTestResource(WaybillTestResource.class)
class ShipmentQueryResourceTest {

    @BeforeAll
    static void authenticate() {
        ServiceToken.sendWithEveryRequest();
    }

    @Test
    void events_published_to_kafka_become_the_state_served_by_the_engine() throws Exception {
        // given a shipment booked and scanned at a hub, published the way a warehouse system does
        String shipmentId = "ENG-" + UUID.randomUUID();
        Instant t0 = Instant.parse("2026-11-02T08:00:00Z");
        publish(event(shipmentId, t0, ShipmentCreated.newBuilder().setOrigin("BER-HUB").setDestination("MUC-DEP")
                .setServiceLevel(ServiceLevel.EXPRESS).setWeightKg(1.2).setHandling(List.of()).build()));
        publish(event(shipmentId, t0.plusSeconds(3600), new ArrivedAtFacility("BER-HUB")));

        // when the engine has folded them, then its query API serves the state
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                given().get("/internal/shipments/{id}", shipmentId)
                        .then().statusCode(200)
                        .body("shipmentId", equalTo(shipmentId))
                        .body("status", equalTo("AT_FACILITY"))
                        .body("lastFacilityId", equalTo("BER-HUB"))
                        .body("serviceLevel", equalTo("EXPRESS"))
                        .body("eventsApplied", equalTo(2)));
    }

    @Test
    void the_history_and_the_status_index_are_served() throws Exception {
        // given a booked shipment that arrived at a hub
        String shipmentId = "HIS-" + UUID.randomUUID();
        Instant t0 = Instant.parse("2026-11-03T08:00:00Z");
        publish(event(shipmentId, t0, ShipmentCreated.newBuilder().setOrigin("BER-HUB").setDestination("MUC-DEP")
                .setServiceLevel(ServiceLevel.STANDARD).setWeightKg(1.0).setHandling(List.of()).build()));
        publish(event(shipmentId, t0.plusSeconds(600), new ArrivedAtFacility("HAM-HUB")));

        // then its history lists both entries with their outcome, in occurredAt order
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                given().get("/internal/shipments/{id}/history", shipmentId).then().statusCode(200)
                        .body("workflowName", equalTo("standard-parcel"))
                        .body("entries.findAll { it.kind != 'ROUTING' }.size()", equalTo(2))
                        .body("entries.findAll { it.kind != 'ROUTING' }[0].type", equalTo("SHIPMENT_CREATED"))
                        .body("entries.findAll { it.kind != 'ROUTING' }[1].outcome", equalTo("APPLIED"))
                        .body("entries.findAll { it.kind != 'ROUTING' }[1].facilityId", equalTo("HAM-HUB")));

        // and the facility list finds it
        given().queryParam("facility", "HAM-HUB").queryParam("limit", 50).get("/internal/shipments")
                .then().statusCode(200).body("items.shipmentId", org.hamcrest.Matchers.hasItem(shipmentId));
        given().queryParam("limit", 50).get("/internal/shipments").then().statusCode(400);
    }

    @Test
    void an_unknown_shipment_is_404() {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                given().get("/internal/shipments/{id}", "NO-SUCH-SHIPMENT").then().statusCode(404)
                        .body("error", equalTo("shipment NO-SUCH-SHIPMENT is unknown")));
    }

    @Test
    void health_and_metrics_are_served() {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200));
        given().get("/q/health/live").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200);
        given().get("/q/openapi").then().statusCode(200);
    }
}
