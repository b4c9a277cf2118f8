package io.waybill.systemtest;

import io.waybill.contract.ShipmentEvent;
import io.waybill.contract.WaybillTopic;
import io.waybill.testkit.ManagedProcess;
import io.waybill.topology.catalogue.WaybillSerdes;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A broker dies with SIGKILL while warehouses post through the gateway and the simulator publishes
 * straight to Kafka. With RF 3 and min.insync.replicas 2 the system keeps accepting, and every
 * event the gateway acknowledged is on the topic and applied by the engine once the broker is back.
 */
class BrokerFailureTest extends SystemTest {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerFailureTest.class);
    private static final int WORKERS = 4;
    private static final int SHIPMENTS_PER_WORKER = 10;

    /** What the gateway said about each event: acknowledged (202) or not. */
    private final Map<String, Set<String>> acknowledged = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> unacknowledged = new ConcurrentHashMap<>();

    @Test
    void a_broker_killed_under_load_loses_no_acknowledged_event() throws Exception {
        // given load through the gateway and the simulator
        String gateway = system.services.gateway().url() + "/api/v1/events";
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger posts = new AtomicInteger();
        ExecutorService workers = Executors.newFixedThreadPool(WORKERS);
        for (int w = 0; w < WORKERS; w++) {
            int worker = w;
            workers.submit(() -> postUntilStopped(gateway, worker, running, posts));
        }
        ManagedProcess simulator = system.services.startSimulator(10, Duration.ofSeconds(40), 20_000);

        // when broker 2 is killed mid-stream and comes back later
        Thread.sleep(8_000);
        int before = posts.get();
        LOG.info("killing broker 2 with SIGKILL after {} posts", before);
        system.kafka.killBroker(1);
        Thread.sleep(12_000);
        int duringOutage = posts.get() - before;
        LOG.info("{} posts while broker 2 was down; restarting it", duringOutage);
        system.kafka.startBroker(1);
        Thread.sleep(8_000);
        running.set(false);
        workers.shutdown();
        assertThat(workers.awaitTermination(2, TimeUnit.MINUTES)).isTrue();
        await().atMost(Duration.ofSeconds(90)).until(() -> !simulator.isAlive());

        // then the system kept accepting while the broker was down
        int acked = acknowledged.values().stream().mapToInt(Set::size).sum();
        int notAcked = unacknowledged.values().stream().mapToInt(Set::size).sum();
        LOG.info("gateway acknowledged {} events, refused {}; {} while the broker was down", acked, notAcked, duringOutage);
        assertThat(duringOutage).as("posts answered while a broker was down").isGreaterThan(0);
        String simulatorLog = Files.readString(simulator.logFile());
        assertThat(simulatorLog).as("simulator").contains("simulator: done").contains(" 0 failed");

        // and every acknowledged event is on the topic (read_committed) ...
        Set<String> onTopic = eventIdsOnTopic();
        acknowledged.values().forEach(ids -> assertThat(onTopic).containsAll(ids));

        // ... and applied by the engine: nothing acknowledged is missing from the state
        for (var entry : acknowledged.entrySet()) {
            String shipmentId = entry.getKey();
            int ackedForShipment = entry.getValue().size();
            int maybe = unacknowledged.getOrDefault(shipmentId, Set.of()).size();
            // After a broker restart under load the engine's transactional producer can retry for a minute or more
            // (CONCURRENT_TRANSACTIONS, OUT_OF_ORDER_SEQUENCE_NUMBER on the restarted leaders) before it catches up:
            // late is allowed, lost is not.
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                Http.Response response = Http.get(system.services.plannerApi().url() + "/api/v1/shipments/" + shipmentId, system.services.token("viewer"));
                assertThat(response.status()).as(response.body()).isEqualTo(200);
                long applied = response.json().get("eventsApplied").asLong();
                assertThat(applied).as(shipmentId + " events applied").isBetween((long) ackedForShipment, (long) ackedForShipment + maybe);
            });
        }
    }

    private void postUntilStopped(String gateway, int worker, AtomicBoolean running, AtomicInteger posts) {
        int[] next = new int[SHIPMENTS_PER_WORKER];
        int round = 0;
        while (running.get()) {
            int s = round++ % SHIPMENTS_PER_WORKER;
            String shipmentId = "CHAOS-" + worker + "-" + s;
            String eventId = ShipmentJourneys.newEventId();
            Http.Response response = Http.postJson(gateway, ShipmentJourneys.event(eventId, shipmentId, next[s]));
            posts.incrementAndGet();
            if (response.status() == 202) {
                acknowledged.computeIfAbsent(shipmentId, k -> ConcurrentHashMap.newKeySet()).add(eventId);
            } else {
                // Not acknowledged: it may or may not have reached Kafka. The client moves on (no
                // resend), so the engine may count it or not, but must count every acknowledged one.
                LOG.warn("post for {} answered {}: {}", shipmentId, response.status(), response.body());
                unacknowledged.computeIfAbsent(shipmentId, k -> ConcurrentHashMap.newKeySet()).add(eventId);
            }
            next[s]++;
        }
    }

    private Set<String> eventIdsOnTopic() {
        Set<String> ids = new HashSet<>();
        TopicRecords.readToEnd(system.kafka.bootstrapServers(), WaybillTopic.SHIPMENT_EVENTS.topicName(), "read_committed",
                WaybillSerdes.withRegistry(system.registry.apiUrl()).value(ShipmentEvent.class).deserializer(), Duration.ofSeconds(60),
                r -> ids.add(r.value().getEventId()));
        return ids;
    }
}
