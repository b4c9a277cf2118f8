package io.waybill.engine;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.waybill.contract.ArrivedAtFacility;
import io.waybill.contract.Damaged;
import io.waybill.contract.ServiceLevel;
import io.waybill.contract.ShipmentCreated;
import io.waybill.contract.ShipmentEvent;
import io.waybill.contract.WaybillTopic;
import io.waybill.testkit.WaybillTestResource;
import io.waybill.topology.catalogue.WaybillSerdes;
import io.waybill.topology.routing.PublishNetwork;
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
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;

/**
 * Routing and exceptions through the engine's query API, on a real cluster with the seed network
 * published by the real {@code PublishNetwork} command.
 */
@QuarkusTest
@QuarkusTestResource(WaybillTestResource.class)
class RoutingAndExceptionsQueryTest {

    @BeforeAll
    static void authenticate() {
        ServiceToken.sendWithEveryRequest();
    }

    @BeforeAll
    static void publishTheSeedNetwork() {
        var platform = WaybillTestResource.platform();
        assertThat(PublishNetwork.run(new String[]{"--bootstrap-servers", platform.kafka().bootstrapServers(),
                "--registry-url", platform.registry().apiUrl()})).isZero();
    }

    @Test
    void a_booking_between_seed_depots_is_planned_and_served_with_its_plan_eta_and_sla() throws Exception {
        // given a shipment Berlin → Munich booked with a promise three days out
        String id = "RTE-" + UUID.randomUUID();
        Instant t0 = Instant.now();
        publish(event(id, t0, ShipmentCreated.newBuilder().setOrigin("DE-DEP-BER1").setDestination("DE-DEP-MUC1")
                .setServiceLevel(ServiceLevel.STANDARD).setWeightKg(3.0).setHandling(List.of())
                .setPromisedDeliveryAt(t0.plus(Duration.ofDays(3))).build()));

        // then the engine serves a route plan from origin to destination with an ETA before the promise
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                given().get("/internal/shipments/{id}", id).then().statusCode(200)
                        .body("routeStatus", equalTo("PLANNED"))
                        .body("routePlan.fromFacilityId", equalTo("DE-DEP-BER1"))
                        .body("routePlan.toFacilityId", equalTo("DE-DEP-MUC1"))
                        .body("routePlan.legs.size()", greaterThanOrEqualTo(1))
                        .body("eta", notNullValue())
                        .body("slaStatus", equalTo("ON_TIME")));
        // and the shipment is counted as expected inbound at its destination within the next three days
        given().queryParam("hours", 72).get("/internal/facilities/{id}/load", "DE-DEP-MUC1").then().statusCode(200)
                .body("expectedInbound", greaterThanOrEqualTo(1));
    }

    @Test
    void damage_is_an_open_exception_listed_by_facility_and_type_counted_and_shown_on_the_shipment() throws Exception {
        // given a shipment damaged at the Berlin depot
        String id = "EXC-" + UUID.randomUUID();
        Instant t0 = Instant.now();
        publish(event(id, t0, ShipmentCreated.newBuilder().setOrigin("DE-DEP-BER1").setDestination("DE-DEP-MUC1")
                .setServiceLevel(ServiceLevel.STANDARD).setWeightKg(3.0).setHandling(List.of()).build()));
        publish(event(id, t0.plusSeconds(60), new ArrivedAtFacility("DE-DEP-BER1")));
        publish(event(id, t0.plusSeconds(120), new Damaged("DE-DEP-BER1", "forklift")));

        // then the exception is listed, counted, and part of the shipment's answer
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                given().queryParam("facility", "DE-DEP-BER1").queryParam("type", "DAMAGED").get("/internal/exceptions")
                        .then().statusCode(200).body("items.exceptionId", hasItem(id + ":DAMAGED:1")));
        given().get("/internal/exceptions/counts").then().statusCode(200)
                .body("byType.DAMAGED", greaterThanOrEqualTo(1)).body("byFacility.DE-DEP-BER1", greaterThanOrEqualTo(1));
        given().get("/internal/shipments/{id}", id).then().statusCode(200)
                .body("exceptions.type", hasItem("DAMAGED"));
        given().get("/internal/facilities/{id}/load", "DE-DEP-BER1").then().statusCode(200)
                .body("onHand", greaterThanOrEqualTo(1)).body("openExceptions", greaterThanOrEqualTo(1));

        // and the open-exceptions gauge counts it for the alerts
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(given().get("/q/metrics").asString())
                .containsPattern("waybill_exceptions_open\\{[^}]*severity=\"high\"[^}]*\\} [1-9]"));

        // and bad filters are 400 with the reason
        given().queryParam("type", "NOT_A_TYPE").get("/internal/exceptions").then().statusCode(400);
        given().queryParam("olderThan", "two hours").get("/internal/exceptions").then().statusCode(400);
    }

    @Test
    void paging_with_the_cursor_lists_every_shipment_and_exception_once_and_in_order() throws Exception {
        // given 25 shipments booked, scanned in and damaged at the Hamburg depot (spread over the partitions)
        String run = "PAGE-" + UUID.randomUUID().toString().substring(0, 6) + "-";
        List<String> ids = java.util.stream.IntStream.range(0, 25).mapToObj(i -> run + String.format("%02d", i)).toList();
        Instant t0 = Instant.now();
        List<ShipmentEvent> events = new java.util.ArrayList<>();
        for (String id : ids) {
            events.add(event(id, t0, ShipmentCreated.newBuilder().setOrigin("DE-DEP-HAM1").setDestination("DE-DEP-MUC1")
                    .setServiceLevel(ServiceLevel.STANDARD).setWeightKg(2.0).setHandling(List.of()).build()));
            events.add(event(id, t0.plusSeconds(60), new ArrivedAtFacility("DE-DEP-HAM1")));
            events.add(event(id, t0.plusSeconds(120), new Damaged("DE-DEP-HAM1", "crushed")));
        }
        TestEvents.publishAll(events);
        List<String> exceptionIds = ids.stream().map(id -> id + ":DAMAGED:1").toList();
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            assertThat(given().queryParam("facility", "DE-DEP-HAM1").queryParam("limit", 500).get("/internal/shipments")
                    .then().statusCode(200).extract().jsonPath().getList("items.shipmentId", String.class)).containsAll(ids);
            assertThat(given().queryParam("facility", "DE-DEP-HAM1").queryParam("type", "DAMAGED").queryParam("limit", 500)
                    .get("/internal/exceptions").then().statusCode(200).extract().jsonPath().getList("items.exceptionId", String.class))
                    .containsAll(exceptionIds);
        });

        // when both lists are paged through a few at a time, each page asked with the cursor of the one before
        List<String> shipments = pages("/internal/shipments", Map.of("facility", "DE-DEP-HAM1", "limit", "4"), "shipmentId");
        List<String> exceptions = pages("/internal/exceptions", Map.of("facility", "DE-DEP-HAM1", "type", "DAMAGED", "limit", "3"),
                "exceptionId");

        // then each shipment comes once, in shipmentId order, and so does each exception (oldest first)
        assertThat(shipments).doesNotHaveDuplicates().isSorted().containsAll(ids);
        assertThat(exceptions).doesNotHaveDuplicates().containsAll(exceptionIds);
        // and a filter applied after the index (none of them is late) drops every one, page by page, to the end
        assertThat(pages("/internal/shipments", Map.of("facility", "DE-DEP-HAM1", "slaStatus", "LATE", "limit", "4"), "shipmentId"))
                .doesNotContainAnyElementsOf(ids);
    }

    /** Every item's {@code field} over all pages of a list, following nextCursor to the end. */
    private static List<String> pages(String path, Map<String, String> query, String field) {
        List<String> all = new java.util.ArrayList<>();
        String cursor = null;
        for (int page = 0; page < 200; page++) {
            var request = given().queryParams(query);
            if (cursor != null) request = request.queryParam("cursor", cursor);
            var body = request.get(path).then().statusCode(200).extract().jsonPath();
            assertThat(body.getList("unavailableInstances")).isEmpty();
            all.addAll(body.getList("items." + field, String.class));
            cursor = body.getString("nextCursor");
            if (cursor == null) return all;
        }
        throw new AssertionError("more than 200 pages of " + path + " " + query);
    }

    @Test
    void shipments_are_listed_by_sla_status_and_workflow() throws Exception {
        String id = "SLA-" + UUID.randomUUID();
        Instant t0 = Instant.now();
        publish(event(id, t0, ShipmentCreated.newBuilder().setOrigin("DE-DEP-BER1").setDestination("DE-DEP-MUC1")
                .setServiceLevel(ServiceLevel.EXPRESS).setWeightKg(1.0).setHandling(List.of())
                .setPromisedDeliveryAt(t0.plus(Duration.ofDays(5))).build()));
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                given().queryParam("workflow", "express").queryParam("slaStatus", "ON_TIME").queryParam("limit", 500)
                        .get("/internal/shipments").then().statusCode(200).body("items.shipmentId", hasItem(id)));
    }

    @Test
    void a_timer_that_fires_is_measured_in_the_lateness_histogram() throws Exception {
        // given the lateness histogram is exported before any timer fires, for every kind
        assertThat(given().get("/q/metrics").asString())
                .containsPattern("waybill_timer_lateness_seconds_bucket\\{[^}]*kind=\"sla_breached\"[^}]*le=\"10\\.0\"[^}]*\\}")
                .contains("waybill_replan_wait_seconds_bucket").contains("waybill_engine_tick_seconds_bucket");

        // when a shipment is booked with a promise that has already passed (its SLA_BREACHED timer is due at once)
        String id = "TIMER-" + UUID.randomUUID().toString().substring(0, 8);
        Instant t0 = Instant.now();
        publish(event(id, t0, ShipmentCreated.newBuilder().setOrigin("DE-DEP-BER1").setDestination("DE-DEP-MUC1")
                .setServiceLevel(ServiceLevel.STANDARD).setWeightKg(1.0).setHandling(List.of())
                .setPromisedDeliveryAt(t0.minusSeconds(60)).build()));

        // then the next tick fires it, and the histogram counts it a minute or more late
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            String metrics = given().get("/q/metrics").asString();
            assertThat(metrics).containsPattern("waybill_timer_lateness_seconds_count\\{[^}]*kind=\"sla_breached\"[^}]*\\} [1-9]");
            var sum = java.util.regex.Pattern.compile("waybill_timer_lateness_seconds_sum\\{[^}]*kind=\"sla_breached\"[^}]*\\} ([0-9.Ee+-]+)")
                    .matcher(metrics);
            assertThat(sum.find()).as("the histogram's sum").isTrue();
            assertThat(Double.parseDouble(sum.group(1))).isGreaterThanOrEqualTo(60.0);
        });
    }
}
