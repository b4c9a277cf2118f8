package io.waybill.simulator;

import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;
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
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The simulator against a real cluster and registry: it publishes Avro events a consumer can read. */
@QuarkusMainTest
class SimulatorCommandTest {

    @Test
    void a_short_run_publishes_readable_events_for_several_shipments(QuarkusMainLauncher launcher) {
        // given a real platform
        var platform = WaybillTestResource.platform();

        // when the simulator books 20 shipments at high speed and lets their journeys finish
        // (bounded by count, not by wall clock, so a slow machine only makes it slower)
        var result = launcher.launch("--bootstrap-servers", platform.kafka().bootstrapServers(),
                "--registry-url", platform.registry().apiUrl(), "--rate", "50", "--shipments", "20", "--duration", "PT2M",
                "--speedup", "200000", "--seed", "7", "--progress-every", "PT1S");

        // then it exits cleanly having delivered all 20, and their events are on the topic
        assertThat(result.exitCode()).as(result.getOutput()).isZero();
        assertThat(result.getOutput()).contains("20 shipments booked, 20 delivered").contains("0 failed");
        Set<String> shipments = new HashSet<>();
        var serde = WaybillSerdes.withRegistry(platform.registry().apiUrl()).value(ShipmentEvent.class);
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.kafka().bootstrapServers()),
                new StringDeserializer(), serde.deserializer())) {
            var partitions = consumer.partitionsFor(WaybillTopic.SHIPMENT_EVENTS.topicName()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (shipments.size() < 20 && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    assertThat(r.value().getShipmentId()).isEqualTo(r.key());
                    shipments.add(r.key());
                });
            }
        }
        assertThat(shipments).hasSizeGreaterThanOrEqualTo(20);
    }
}
