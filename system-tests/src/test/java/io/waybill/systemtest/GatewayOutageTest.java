package io.waybill.systemtest;

import io.waybill.contract.ShipmentEvent;
import io.waybill.contract.WaybillTopic;
import io.waybill.topology.catalogue.WaybillSerdes;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every broker is down: the gateway keeps accepting into its spool, is restarted with a non-empty
 * spool, and once the brokers are back every accepted event reaches the topic exactly once, in
 * order per shipment.
 */
class GatewayOutageTest extends SystemTest {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayOutageTest.class);

    @Test
    void events_spooled_while_kafka_is_down_survive_a_gateway_restart_and_arrive_once_in_order() throws Exception {
        // given every broker is down
        for (int i = 0; i < 3; i++) system.kafka.stopBroker(i);

        // when warehouses post journeys for five shipments, the gateway spools them and says so
        Map<String, List<String>> accepted = new LinkedHashMap<>();
        String gateway = system.services.gateway().url() + "/api/v1/events";
        for (int step = 0; step < 4; step++) {
            for (int s = 0; s < 5; s++) {
                String shipmentId = "SPOOL-" + s;
                String eventId = ShipmentJourneys.newEventId();
                Http.Response response = Http.postJson(gateway, ShipmentJourneys.event(eventId, shipmentId, step));
                assertThat(response.status()).as(response.body()).isEqualTo(202);
                assertThat(response.json().get("spooled").asBoolean()).isTrue();
                accepted.computeIfAbsent(shipmentId, k -> new ArrayList<>()).add(eventId);
            }
        }

        // and the gateway is restarted before Kafka comes back
        LOG.info("restarting the gateway with {} events in its spool", accepted.values().stream().mapToInt(List::size).sum());
        system.services.gateway().stop();
        system.services.gateway().start(Duration.ofSeconds(120), LOG::info);
        CompletableFuture.allOf(IntStream.range(0, 3)
                .mapToObj(i -> CompletableFuture.runAsync(() -> {
                    try {
                        system.kafka.startBroker(i);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                })).toArray(CompletableFuture[]::new)).get();

        // then every accepted event is on the topic exactly once, in the order it was accepted per shipment
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
            while (System.nanoTime() < deadline && onTopic.values().stream().mapToInt(List::size).sum() < 20) {
                consumer.poll(Duration.ofMillis(300)).forEach(r ->
                        onTopic.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r.value().getEventId()));
            }
            consumer.poll(Duration.ofSeconds(3)).forEach(r -> onTopic.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r.value().getEventId()));
        }
        assertThat(onTopic).isEqualTo(accepted);
    }
}
