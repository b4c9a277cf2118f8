package io.waybill.topology.deadletter;

import io.waybill.contract.DeadLetter;
import io.waybill.contract.FailureStage;
import io.waybill.contract.WaybillTopic;
import io.waybill.topology.catalogue.WaybillSerdes;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Writes records the engine could not read or process to the dead-letter topic, with the original
 * bytes (for replay) and headers saying what failed, where, when and why. Sends synchronously:
 * the engine only skips a record once its dead letter is durably written.
 *
 * <p>Dead letters go through a producer of their own, outside the Streams transaction, so a
 * crash between the dead letter and the commit can write a dead letter twice: at least once, by
 * design (replay is idempotent through eventId dedupe).
 */
final class DeadLetterPublisher implements AutoCloseable {

    /** Config key: a ready {@code Producer<byte[], byte[]>} (tests). */
    static final String PRODUCER = "waybill.dead-letter.producer";
    /** Config key: the registry URL for the DeadLetter schema. */
    static final String REGISTRY_URL = "waybill.registry.url";
    /** Config key: a {@link WaybillSerdes} instance (tests without a registry). */
    static final String SERDES = "waybill.dead-letter.serdes";

    private final Producer<byte[], byte[]> producer;
    private final Serializer<DeadLetter> serializer;
    private final String topic = WaybillTopic.DEAD_LETTERS.topicName();

    @SuppressWarnings("unchecked")
    DeadLetterPublisher(Map<String, ?> configs) {
        Object injected = configs.get(PRODUCER);
        if (injected instanceof Producer<?, ?> p) {
            producer = (Producer<byte[], byte[]>) p;
        } else {
            Map<String, Object> config = new HashMap<>();
            // The client settings of the Streams app (bootstrap, TLS, SASL) apply to this producer too.
            configs.forEach((k, v) -> {
                if (ProducerConfig.configNames().contains(k) && v != null) config.put(k, v);
            });
            config.put(ProducerConfig.ACKS_CONFIG, "all");
            config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            config.put(ProducerConfig.CLIENT_ID_CONFIG, "waybill-dead-letters-" + Thread.currentThread().getName());
            config.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
            producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
        }
        WaybillSerdes serdes = configs.get(SERDES) instanceof WaybillSerdes s ? s
                : WaybillSerdes.withRegistry(String.valueOf(configs.get(REGISTRY_URL)));
        serializer = serdes.value(DeadLetter.class).serializer();
    }

    /** Publishes one dead letter; returns false if it could not be written (the caller must then stop). */
    boolean publish(FailureStage stage, String sourceTopic, int partition, long offset, byte[] key, byte[] value,
                    Exception error, String failedIn) {
        Instant now = Instant.now();
        String message = error.getMessage() == null ? error.toString() : error.getMessage();
        DeadLetter letter = DeadLetter.newBuilder()
                .setStage(stage)
                .setSourceTopic(sourceTopic)
                .setSourcePartition(partition)
                .setSourceOffset(offset)
                .setOriginalKey(key == null ? null : ByteBuffer.wrap(key))
                .setOriginalValue(value == null ? null : ByteBuffer.wrap(value))
                .setOriginalValueEncoding("kafka-wire")
                .setErrorClass(error.getClass().getName())
                .setErrorMessage(message)
                .setFailedAt(now)
                .setFailedIn(failedIn)
                .build();
        RecordHeaders headers = new RecordHeaders();
        header(headers, "waybill.dlq.stage", stage.name());
        header(headers, "waybill.dlq.source.topic", sourceTopic);
        header(headers, "waybill.dlq.source.partition", Integer.toString(partition));
        header(headers, "waybill.dlq.source.offset", Long.toString(offset));
        header(headers, "waybill.dlq.error.class", error.getClass().getName());
        header(headers, "waybill.dlq.error.message", message.length() > 1000 ? message.substring(0, 1000) : message);
        header(headers, "waybill.dlq.failed.at", now.toString());
        header(headers, "waybill.dlq.failed.in", failedIn);
        try {
            producer.send(new ProducerRecord<>(topic, null, key, serializer.serialize(topic, letter), headers)).get(30, TimeUnit.SECONDS);
            return true;
        } catch (Exception e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void header(RecordHeaders headers, String name, String value) {
        if (value != null) headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        producer.close();
    }
}
