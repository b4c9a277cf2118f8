package io.waybill.gateway;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.waybill.contract.ShipmentEvent;
import io.waybill.contract.WaybillTopic;
import io.waybill.testkit.WaybillTestResource;
import io.waybill.topology.catalogue.WaybillSerdes;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
                  {"eventId":"%s","shipmentId":"%s","type":"ARRIVED_AT_FACILITY","occurredAt":"%s","source":"wms-test",
                   "data":{"facilityId":"BER-HUB"}}
                ]}""".formatted(first, shipmentId, Instant.now().minusSeconds(60), second, shipmentId, Instant.now());

        // when it is posted
        given().contentType(ContentType.JSON).body(body).post("/api/v1/events")
                .then().statusCode(202).body("count", equalTo(2)).body("accepted", hasItem(first));

        // then both events are on the topic, in order, under the shipment's key
        List<ShipmentEvent> found = readEventsOf(shipmentId, 2);
        assertThat(found).extracting(ShipmentEvent::getEventId).containsExactly(first, second);
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
        given().contentType(ContentType.JSON).body(body).post("/api/v1/events")
                .then().statusCode(400)
                .body("violations[0].field", equalTo("events[1].data.facilityId"))
                .body("violations[0].message", equalTo("is required"));

        // and nothing of it reached Kafka
        assertThat(readEventsOf(shipmentId, 0)).isEmpty();
    }

    @Test
    void malformed_json_gets_a_400_saying_where() {
        given().contentType(ContentType.JSON).body("{\"eventId\": ").post("/api/v1/events")
                .then().statusCode(400).body("error", containsString("malformed JSON at line 1"));
    }

    @Test
    void an_oversize_body_is_refused_before_it_is_read() {
        String huge = "{\"events\":[\"" + "x".repeat(1_100_000) + "\"]}";
        given().contentType(ContentType.JSON).body(huge).post("/api/v1/events").then().statusCode(413);
    }

    @Test
    void health_metrics_and_openapi_are_served() {
        given().get("/q/health/ready").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200);
        given().get("/q/openapi").then().statusCode(200).body(containsString("/api/v1/events"));
    }

    /** Reads the whole topic (read_committed) and returns the events of one shipment. */
    private static List<ShipmentEvent> readEventsOf(String shipmentId, int expected) {
        var platform = WaybillTestResource.platform();
        var serde = WaybillSerdes.withRegistry(platform.registry().apiUrl()).value(ShipmentEvent.class);
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.kafka().bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), serde.deserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(WaybillTopic.SHIPMENT_EVENTS.topicName()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ShipmentEvent> found = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (shipmentId.equals(r.key())) found.add(r.value());
                });
                boolean atEnd = partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p));
                if (atEnd && found.size() >= expected) break;
            }
            return found;
        }
    }
}
