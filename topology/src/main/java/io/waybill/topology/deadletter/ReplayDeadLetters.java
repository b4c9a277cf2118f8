package io.waybill.topology.deadletter;

import io.waybill.contract.DeadLetter;
import io.waybill.contract.PlannerCommand;
import io.waybill.contract.ShipmentEvent;
import io.waybill.contract.WaybillTopic;
import io.waybill.topology.DeadLetters;
import org.apache.avro.Schema;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import io.waybill.topology.catalogue.WaybillSerdes;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Replays dead letters after a fix: every dead letter written since {@code --since} is produced again
 * to its source topic with its original key, as the bytes that were on the wire or, for a record the
 * engine read and then refused (kept as Avro JSON), encoded again for its topic. Dead letters of the
 * engine's own timers and re-plans are not replayed: the engine retries those itself. The engine
 * deduplicates by eventId, so replaying twice is harmless.
 *
 * <pre>
 * replay-dead-letters --bootstrap-servers host:9092 --registry-url http://registry/apis/registry/v3
 *                     [--since 2026-11-29T00:00:00Z] [--source-topic waybill.shipment-events.v1] [--dry-run]
 * </pre>
 */
public final class ReplayDeadLetters {

    public static void main(String[] args) {
        String bootstrap = null;
        String registry = null;
        Instant since = Instant.EPOCH;
        String sourceTopic = null;
        boolean dryRun = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--bootstrap-servers" -> bootstrap = args[++i];
                case "--registry-url" -> registry = args[++i];
                case "--since" -> since = Instant.parse(args[++i]);
                case "--source-topic" -> sourceTopic = args[++i];
                case "--dry-run" -> dryRun = true;
                default -> {
                    System.err.println("unknown argument " + args[i]);
                    System.exit(2);
                }
            }
        }
        if (bootstrap == null || registry == null) {
            System.err.println("usage: replay-dead-letters --bootstrap-servers h:p --registry-url url [--since instant] [--source-topic t] [--dry-run]");
            System.exit(2);
        }
        WaybillSerdes serdes = WaybillSerdes.withRegistry(registry);
        var deserializer = serdes.value(DeadLetter.class).deserializer();
        String topic = WaybillTopic.DEAD_LETTERS.topicName();
        int replayed = 0;
        int skipped = 0;
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new ByteArrayDeserializer(), new ByteArrayDeserializer());
             var producer = new KafkaProducer<>(Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                     ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
                     new ByteArraySerializer(), new ByteArraySerializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (var record : consumer.poll(Duration.ofMillis(500))) {
                    DeadLetter letter = deserializer.deserialize(topic, record.headers(), record.value());
                    boolean matches = sourceTopic == null || sourceTopic.equals(letter.getSourceTopic());
                    if (DeadLetters.RETRIED_BY_ENGINE.equals(letter.getOriginalValueEncoding())) {
                        // A timer or re-plan that failed: the engine keeps it and tries again itself.
                        System.out.printf("not replayed (the engine retries it): %s for %s%n", letter.getFailedIn(), string(letter.getOriginalKey()));
                        skipped++;
                        continue;
                    }
                    byte[] value = originalBytes(letter, serdes);
                    if (value == null || !matches || letter.getFailedAt().isBefore(since) || letter.getSourceTopic() == null) {
                        skipped++;
                        continue;
                    }
                    System.out.printf("%s %s-%d@%d (%s: %s)%n", dryRun ? "would replay" : "replaying", letter.getSourceTopic(),
                            letter.getSourcePartition(), letter.getSourceOffset(), letter.getErrorClass(), letter.getErrorMessage());
                    if (!dryRun) {
                        producer.send(new ProducerRecord<>(letter.getSourceTopic(), bytes(letter.getOriginalKey()), value)).get();
                    }
                    replayed++;
                }
            }
        } catch (Exception e) {
            System.err.println("replay failed: " + e);
            System.exit(1);
        }
        System.out.printf("%d dead letter(s) %s, %d skipped%n", replayed, dryRun ? "would be replayed" : "replayed", skipped);
    }

    /**
     * The record as it is to be produced again: the bytes as they were on the wire, or, for a record the
     * engine had read and then refused (its dead letter holds it as Avro JSON), the record encoded again
     * for its topic. Null when there is nothing to replay (no value, an unknown encoding or topic).
     */
    static byte[] originalBytes(DeadLetter letter, WaybillSerdes serdes) {
        if (letter.getOriginalValue() == null) return null;
        byte[] original = bytes(letter.getOriginalValue());
        if ("kafka-wire".equals(letter.getOriginalValueEncoding())) return original;
        if (!"avro-json".equals(letter.getOriginalValueEncoding()) || letter.getSourceTopic() == null) return null;
        Class<? extends SpecificRecord> type = letter.getSourceTopic().equals(WaybillTopic.SHIPMENT_EVENTS.topicName()) ? ShipmentEvent.class
                : letter.getSourceTopic().equals(WaybillTopic.PLANNER_COMMANDS.topicName()) ? PlannerCommand.class : null;
        if (type == null) return null;
        return encode(type, original, letter.getSourceTopic(), serdes);
    }

    private static <T extends SpecificRecord> byte[] encode(Class<T> type, byte[] json, String topic, WaybillSerdes serdes) {
        try {
            Schema schema = SpecificData.get().getSchema(type);
            T record = new SpecificDatumReader<T>(schema).read(null, DecoderFactory.get().jsonDecoder(schema,
                    new String(json, java.nio.charset.StandardCharsets.UTF_8)));
            return serdes.value(type).serializer().serialize(topic, record);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("a dead letter's Avro JSON does not read as a " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    private static String string(ByteBuffer buffer) {
        return buffer == null ? null : new String(bytes(buffer), java.nio.charset.StandardCharsets.UTF_8);
    }

    private static byte[] bytes(ByteBuffer buffer) {
        if (buffer == null) return null;
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }
}
