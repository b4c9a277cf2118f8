package io.waybill.systemtest;

import io.waybill.contract.ShipmentEvent;
import io.waybill.contract.WaybillTopic;
import io.waybill.topology.catalogue.WaybillSerdes;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every broker is down: the gateway keeps accepting into its spool, is restarted with a non-empty
 * spool, and once the brokers are back every accepted event reaches the topic exactly once, in
 * order per shipment; a gateway told to stop drains its spool before it exits.
 */
class GatewayOutageTest extends SystemTest {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayOutageTest.class);

    @Test
    void events_spooled_while_kafka_is_down_survive_a_gateway_restart_and_arrive_once_in_order() throws Exception {
        // given every broker is down
        for (int i = 0; i < 3; i++) system.kafka.stopBroker(i);

        // when warehouses post journeys for five shipments, the gateway spools them and says so
        Map<String, List<String>> accepted = spoolJourneys("SPOOL-", 5, 4);

        // and the gateway is restarted before Kafka comes back
        LOG.info("restarting the gateway with {} events in its spool", accepted.values().stream().mapToInt(List::size).sum());
        system.services.gateway().stop();
        system.services.gateway().start(Duration.ofSeconds(120), LOG::info);
        startBrokers();

        // then every accepted event is on the topic exactly once, in the order it was accepted per shipment
        assertThat(eventsOnTopic(accepted.keySet(), 20)).isEqualTo(accepted);
    }

    @Test
    void a_stopping_gateway_drains_its_spool_to_kafka_before_it_exits() throws Exception {
        // given every broker is down and the gateway has spooled journeys for three shipments
        for (int i = 0; i < 3; i++) system.kafka.stopBroker(i);
        Map<String, List<String>> accepted = spoolJourneys("DRAIN-", 3, 3);
        var gateway = system.services.gateway().process();
        try {
            // when the gateway is told to stop (SIGTERM, as Kubernetes does on a scale-in) and Kafka comes
            // back while it drains on its way out (waybill.gateway.shutdown-drain-timeout, 30 s)
            ProcessHandle process = ProcessHandle.of(gateway.pid().orElseThrow()).orElseThrow();
            gateway.signal("TERM");
            startBrokers();

            // then it exits by itself, having drained the whole spool first
            process.onExit().orTimeout(90, TimeUnit.SECONDS).join();
            assertThat(Files.readString(gateway.logFile())).contains("shutdown: 9 spooled event(s) drained, 0 left in the spool");
            // and every event is on the topic once, in order per shipment, before any new gateway ran
            assertThat(eventsOnTopic(accepted.keySet(), 9)).isEqualTo(accepted);
        } finally {
            system.services.gateway().stop();
            system.services.gateway().start(Duration.ofSeconds(120), LOG::info);
        }
    }

    /** Posts {@code steps} journey events for each of {@code shipments} shipments; every one must be spooled. */
    private Map<String, List<String>> spoolJourneys(String prefix, int shipments, int steps) {
        Map<String, List<String>> accepted = new LinkedHashMap<>();
        String gateway = system.services.gateway().url() + "/api/v1/events";
        for (int step = 0; step < steps; step++) {
            for (int s = 0; s < shipments; s++) {
                String shipmentId = prefix + s;
                String eventId = ShipmentJourneys.newEventId();
                Http.Response response = Http.postJson(gateway, ShipmentJourneys.event(eventId, shipmentId, step));
                assertThat(response.status()).as(response.body()).isEqualTo(202);
                assertThat(response.json().get("spooled").asBoolean()).isTrue();
                accepted.computeIfAbsent(shipmentId, k -> new ArrayList<>()).add(eventId);
            }
        }
        return accepted;
    }

    private void startBrokers() throws Exception {
        CompletableFuture.allOf(IntStream.range(0, 3)
                .mapToObj(i -> CompletableFuture.runAsync(() -> {
                    try {
                        system.kafka.startBroker(i);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                })).toArray(CompletableFuture[]::new)).get();
    }

    /** The event ids on the shipment-events topic (read_committed) of the given shipments, per shipment in topic order. */
    private Map<String, List<String>> eventsOnTopic(Set<String> shipments, int expected) {
        Map<String, List<String>> onTopic = new LinkedHashMap<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        var serde = WaybillSerdes.withRegistry(system.registry.apiUrl()).value(ShipmentEvent.class);
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, system.kafka.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), serde.deserializer())) {
            String topic = WaybillTopic.SHIPMENT_EVENTS.topicName();
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            java.util.function.Consumer<ConsumerRecords<String, ShipmentEvent>> collect = records -> records.forEach(r -> {
                if (shipments.contains(r.key())) onTopic.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r.value().getEventId());
            });
            while (System.nanoTime() < deadline && onTopic.values().stream().mapToInt(List::size).sum() < expected) {
                collect.accept(consumer.poll(Duration.ofMillis(300)));
            }
            // a little longer, so that a duplicate behind the expected count would show
            collect.accept(consumer.poll(Duration.ofSeconds(3)));
        }
        return onTopic;
    }
}
