package io.waybill.topology.routing;

import io.waybill.contract.Facility;
import io.waybill.contract.FacilityStatus;
import io.waybill.contract.Lane;
import io.waybill.contract.WaybillTopic;
import io.waybill.topology.catalogue.WaybillSerdes;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Changes one facility's status or one lane's disruption on the compacted network topics: reads
 * the key's current record (from the beginning to the end offsets, read_committed), changes the
 * field, sets updatedAt to now and publishes it. Planners react to the new record like to any
 * other network change.
 *
 * <pre>
 * network-admin --bootstrap-servers host:9092 --registry-url http://.../apis/registry/v3 set-facility-status FACILITY OPEN|CONGESTED|CLOSED
 * network-admin --bootstrap-servers host:9092 --registry-url http://.../apis/registry/v3 set-lane-disrupted LANE true|false
 * </pre>
 */
public final class NetworkAdmin {

    private static final String USAGE = """
            usage: network-admin --bootstrap-servers h:p --registry-url url set-facility-status FACILITY OPEN|CONGESTED|CLOSED
                   network-admin --bootstrap-servers h:p --registry-url url set-lane-disrupted LANE true|false""";

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String[] args) {
        String bootstrap = null;
        String registry = null;
        List<String> command = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--bootstrap-servers" -> bootstrap = i + 1 < args.length ? args[++i] : null;
                case "--registry-url" -> registry = i + 1 < args.length ? args[++i] : null;
                default -> command.add(args[i]);
            }
        }
        if (bootstrap == null || registry == null || command.size() != 3) {
            System.err.println(USAGE);
            return 2;
        }
        String key = command.get(1);
        String value = command.get(2);
        WaybillSerdes serdes = WaybillSerdes.withRegistry(registry);
        try {
            switch (command.get(0)) {
                case "set-facility-status" -> {
                    FacilityStatus status = facilityStatus(value);
                    if (status == null) {
                        System.err.println("status must be OPEN, CONGESTED or CLOSED, not " + value);
                        return 2;
                    }
                    String topic = WaybillTopic.FACILITIES.topicName();
                    Facility current = latest(bootstrap, topic, key, serdes.value(Facility.class));
                    if (current == null) {
                        System.err.println("no facility " + key + " on " + topic);
                        return 1;
                    }
                    publish(bootstrap, topic, key, withStatus(current, status, Instant.now()), serdes.value(Facility.class));
                    System.out.printf("facility %s: %s -> %s%n", key, current.getStatus(), status);
                }
                case "set-lane-disrupted" -> {
                    Boolean disrupted = "true".equalsIgnoreCase(value) ? Boolean.TRUE : "false".equalsIgnoreCase(value) ? Boolean.FALSE : null;
                    if (disrupted == null) {
                        System.err.println("disrupted must be true or false, not " + value);
                        return 2;
                    }
                    String topic = WaybillTopic.LANES.topicName();
                    Lane current = latest(bootstrap, topic, key, serdes.value(Lane.class));
                    if (current == null) {
                        System.err.println("no lane " + key + " on " + topic);
                        return 1;
                    }
                    publish(bootstrap, topic, key, withDisrupted(current, disrupted, Instant.now()), serdes.value(Lane.class));
                    System.out.printf("lane %s: disrupted %s -> %s%n", key, current.getDisrupted(), disrupted);
                }
                default -> {
                    System.err.println("unknown command " + command.get(0) + "\n" + USAGE);
                    return 2;
                }
            }
        } catch (Exception e) {
            System.err.println("failed: " + e);
            return 2;
        }
        return 0;
    }

    /** OPEN, CONGESTED or CLOSED (any case); null for anything else, UNKNOWN included. */
    static FacilityStatus facilityStatus(String value) {
        return switch (value.toUpperCase(Locale.ROOT)) {
            case "OPEN" -> FacilityStatus.OPEN;
            case "CONGESTED" -> FacilityStatus.CONGESTED;
            case "CLOSED" -> FacilityStatus.CLOSED;
            default -> null;
        };
    }

    static Facility withStatus(Facility current, FacilityStatus status, Instant now) {
        return Facility.newBuilder(current).setStatus(status).setUpdatedAt(now).build();
    }

    static Lane withDisrupted(Lane current, boolean disrupted, Instant now) {
        return Lane.newBuilder(current).setDisrupted(disrupted).setUpdatedAt(now).build();
    }

    /** The key's latest value on a compacted topic (null if absent or deleted). Only that record is deserialized. */
    private static <T extends SpecificRecord> T latest(String bootstrap, String topic, String key, Serde<T> serde) {
        ConsumerRecord<String, byte[]> last = null;
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (key.equals(record.key())) last = record;
                }
            }
        }
        if (last == null || last.value() == null) return null;
        return serde.deserializer().deserialize(topic, last.headers(), last.value());
    }

    private static <T> void publish(String bootstrap, String topic, String key, T value, Serde<T> serde) throws Exception {
        try (var producer = new KafkaProducer<>(Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true), new StringSerializer(), serde.serializer())) {
            producer.send(new ProducerRecord<>(topic, key, value)).get();
        }
    }
}
