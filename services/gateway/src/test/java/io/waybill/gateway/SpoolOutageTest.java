package io.waybill.gateway;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.waybill.contract.ShipmentEvent;
import io.waybill.testkit.KafkaCluster;
import io.waybill.testkit.WaybillTestResource;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

/**
 * Every broker of the (shared) cluster goes away: the gateway keeps accepting into its spool, refuses
 * with 503 once the spool is full, and publishes every accepted event exactly once and in order per
 * shipment when the brokers are back. It stops the cluster the other test classes share: Quarkus
 * runs the tests with a profile after those without, and the brokers are started again in any case.
 */
@QuarkusTest
@QuarkusTestResource(WaybillTestResource.class)
@TestProfile(SpoolOutageTest.SmallSpool.class)
class SpoolOutageTest {

    private static final Logger LOG = LoggerFactory.getLogger(SpoolOutageTest.class);
    private static final String SPOOL = "checks.find { it.name == 'gateway-spool' }";

    /** A 32 KiB spool in a directory of its own, and short fault-tolerance timings. */
    public static class SmallSpool implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            String deliver = "quarkus.fault-tolerance.\"io.waybill.gateway.ShipmentEventPublisher/deliver\".";
            return Map.of(
                    "waybill.gateway.spool-dir", "target/gateway-spool-outage-" + System.currentTimeMillis(),
                    "waybill.gateway.spool-max-bytes", "32K",
                    deliver + "timeout.value", "1500",
                    deliver + "circuit-breaker.delay", "2000");
        }
    }

    private interface BrokerAction {
        void apply(int broker) throws Exception;
    }

    /**
     * All brokers at once: a starting broker waits until the whole cluster is up again, so they
     * cannot be started one after another.
     */
    private static void onEveryBroker(KafkaCluster kafka, BrokerAction action) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(kafka.brokerCount());
        try {
            List<Future<?>> all = new ArrayList<>();
            for (int i = 0; i < kafka.brokerCount(); i++) {
                int broker = i;
                all.add(pool.submit(() -> {
                    action.apply(broker);
                    return null;
                }));
            }
            for (Future<?> f : all) f.get(3, TimeUnit.MINUTES);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void accepted_events_survive_a_kafka_outage_in_the_spool_and_arrive_once_in_order() throws Exception {
        KafkaCluster kafka = WaybillTestResource.platform().kafka();
        String run = UUID.randomUUID().toString().substring(0, 8);
        Map<String, List<String>> acceptedByShipment = new LinkedHashMap<>();
        long started = System.nanoTime();
        try {
            // given no broker is reachable
            onEveryBroker(kafka, kafka::stopBroker);
            LOG.info("all brokers stopped");

            // when warehouses keep reporting, one event at a time per shipment
            List<Long> latenciesMs = new ArrayList<>();
            for (int n = 0; n < 4; n++) {
                for (int s = 0; s < 3; s++) {
                    String shipmentId = "OUT-" + run + "-" + s;
                    String eventId = UUID.randomUUID().toString();
                    long t0 = System.nanoTime();
                    EventResourceTest.asWmsTest().body(EventResourceTest.arrival(eventId, shipmentId, n % 2 == 0 ? "BER-HUB" : "MUC-DEP"))
                            .post("/api/v1/events")
                            // then each is accepted into the spool
                            .then().statusCode(202).body("spooled", equalTo(true));
                    latenciesMs.add((System.nanoTime() - t0) / 1_000_000);
                    acceptedByShipment.computeIfAbsent(shipmentId, k -> new ArrayList<>()).add(eventId);
                }
            }
            LOG.info("12 events spooled, answer times in ms: {}", latenciesMs);

            // and the gateway stays ready, reporting the spool's depth
            given().get("/q/health/ready").then().statusCode(200)
                    .body(SPOOL + ".data.mode", equalTo("spooling while Kafka catches up")).body(SPOOL + ".data.depthEvents", equalTo(12));

            // and a resend of a spooled event is a duplicate, not spooled again
            String firstShipment = acceptedByShipment.keySet().iterator().next();
            String resent = acceptedByShipment.get(firstShipment).get(0);
            EventResourceTest.asWmsTest().body(EventResourceTest.arrival(resent, firstShipment, "BER-HUB")).post("/api/v1/events")
                    .then().statusCode(202).body("duplicates", hasItem(resent));

            // and a batch the spool has no room for is refused with Retry-After, never dropped silently
            String bigShipment = "OUT-" + run + "-big";
            List<String> big = new ArrayList<>();
            for (int i = 0; i < 400; i++) big.add(EventResourceTest.arrival(UUID.randomUUID().toString(), bigShipment, "BER-HUB"));
            Response refused = EventResourceTest.asWmsTest().body("{\"events\":[" + String.join(",", big) + "]}").post("/api/v1/events");
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.header("Retry-After")).isNotBlank();
            assertThat(refused.jsonPath().getString("error")).contains("spool is full");
            // while it is full, readiness is DOWN so a load balancer sends traffic elsewhere
            given().get("/q/health/ready").then().statusCode(503).body(SPOOL + ".status", equalTo("DOWN"));
        } finally {
            // when the brokers come back
            onEveryBroker(kafka, kafka::startBroker);
            LOG.info("all brokers started again");
        }

        // then the spool drains
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                given().get("/q/health/ready").then().statusCode(200).body(SPOOL + ".data.depthEvents", equalTo(0)));
        LOG.info("spool drained {} s after the outage began", (System.nanoTime() - started) / 1_000_000_000);

        // and every accepted event is on the topic exactly once, in the order it was accepted per shipment
        List<ShipmentEvent> onTopic = TopicReader.eventsWithKey(k -> k.startsWith("OUT-" + run), 12, Duration.ofSeconds(30));
        Map<String, List<String>> topicByShipment = onTopic.stream().collect(Collectors.groupingBy(ShipmentEvent::getShipmentId,
                LinkedHashMap::new, Collectors.mapping(ShipmentEvent::getEventId, Collectors.toList())));
        assertThat(topicByShipment).isEqualTo(acceptedByShipment);

        // and with the spool empty, new events are published straight away again
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                EventResourceTest.asWmsTest().body(EventResourceTest.arrival(UUID.randomUUID().toString(), "OUT-" + run + "-after", "BER-HUB"))
                        .post("/api/v1/events").then().statusCode(202).body("spooled", equalTo(false)));
    }
}
