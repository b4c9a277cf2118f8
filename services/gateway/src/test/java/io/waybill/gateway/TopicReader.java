package io.waybill.gateway;

import io.waybill.contract.ShipmentEvent;
import io.waybill.contract.WaybillTopic;
import io.waybill.testkit.WaybillTestResource;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.io.IOException;
import java.io.UncheckedIOException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Reads the shipment-events topic of the shared test platform from the start, read_committed.
 *
 * <p>Values are decoded with the contract's own schema (the writer in these tests) after checking
 * the Confluent wire-format header, not through the registry: Apicurio's Vert.x client in the
 * test JVM was seen to hang forever on a schema lookup, which would stall a test without a
 * failure. The registry path is covered by the gateway's own serializer and by the
 * direct-producer example's test.
 */
public final class TopicReader {

    /** The events whose key matches, in partition order, once at least {@code expected} are found or the time is up. */
    public static List<ShipmentEvent> eventsWithKey(Predicate<String> key, int expected, Duration within) {
        var platform = WaybillTestResource.platform();
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.kafka().bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(WaybillTopic.SHIPMENT_EVENTS.topicName()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            List<ShipmentEvent> found = new ArrayList<>();
            long deadline = System.nanoTime() + within.toNanos();
            Map<TopicPartition, Long> end = new java.util.HashMap<>(consumer.endOffsets(partitions));
            while (System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (key.test(r.key())) found.add(decode(r.value()));
                });
                boolean atEnd = partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p));
                if (atEnd) {
                    if (found.size() >= expected) break;
                    end.putAll(consumer.endOffsets(partitions));
                }
            }
            return found;
        }
    }

    /** Confluent wire format: magic byte 0, 4-byte schema id, Avro binary. */
    static ShipmentEvent decode(byte[] value) {
        if (value.length < 5 || value[0] != 0) throw new IllegalStateException("not in the Confluent wire format");
        try {
            var decoder = DecoderFactory.get().binaryDecoder(value, 5, value.length - 5, null);
            return new SpecificDatumReader<>(ShipmentEvent.class).read(null, decoder);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static List<ShipmentEvent> eventsOf(String shipmentId, int expected) {
        return eventsWithKey(shipmentId::equals, expected, Duration.ofSeconds(20));
    }

    private TopicReader() {
    }
}
