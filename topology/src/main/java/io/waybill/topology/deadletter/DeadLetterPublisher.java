package io.waybill.topology.deadletter;

import io.waybill.contract.DeadLetter;
import io.waybill.contract.FailureStage;
import io.waybill.contract.WaybillTopic;
import io.waybill.topology.DeadLetters;
import io.waybill.topology.catalogue.WaybillSerdes;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Builds the dead letter of a record the engine could not read, process or write: the original bytes
 * (for replay) and headers saying what failed, where, when and why.
 *
 * <p>A stream task's dead letter is handed back to Kafka Streams in the handler's response (KIP-1034,
 * Kafka 4.2+), which sends it with the task's own producer, inside the thread's exactly-once
 * transaction: written once, and visible only if that transaction commits. (For a processing or
 * production failure that transaction also consumes the record; for a deserialization failure it need
 * not, which is why the engine decodes its own inputs into values instead, see
 * {@link io.waybill.topology.catalogue.UndecodableInput}.) Kafka Streams 4.4
 * cannot send dead letters for global stores (it logs and drops them), so for the global thread
 * ({@link #forGlobalThread}) this class sends them itself with a producer of its own, synchronously:
 * at least once there, by design (replay is idempotent through eventId dedupe).
 */
final class DeadLetterPublisher implements AutoCloseable {

    /** Config key: a ready {@code Producer<byte[], byte[]>} (tests). */
    static final String PRODUCER = "waybill.dead-letter.producer";
    /** Config key: the registry URL for the DeadLetter schema. */
    static final String REGISTRY_URL = "waybill.registry.url";
    /** Config key: a {@link WaybillSerdes} instance (tests without a registry). */
    static final String SERDES = "waybill.dead-letter.serdes";

    /**
     * One publisher per client settings in the process: Kafka Streams makes an exception handler per
     * task (and again at every rebalance) and never closes it, so a producer per handler leaked one
     * producer, its buffers and its threads per task and rebalance. KafkaProducer is thread-safe.
     */
    private static final Map<Map<String, Object>, DeadLetterPublisher> SHARED = new java.util.concurrent.ConcurrentHashMap<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> SHARED.values().forEach(DeadLetterPublisher::close), "dead-letter-publishers"));
    }

    /** The process's publisher for these client settings; a producer given in the configs (tests) gets a publisher of its own. */
    static DeadLetterPublisher shared(Map<String, ?> configs) {
        if (configs.get(PRODUCER) instanceof Producer<?, ?>) return new DeadLetterPublisher(configs);
        Map<String, Object> key = new java.util.TreeMap<>();
        configs.forEach((k, v) -> {
            if (v != null && (ProducerConfig.configNames().contains(k) || k.equals(REGISTRY_URL) || k.equals(SERDES))) key.put(k, v);
        });
        return SHARED.computeIfAbsent(key, k -> new DeadLetterPublisher(configs));
    }

    /** Made on the first dead letter of a global store: stream tasks never need it. */
    private final java.util.function.Supplier<Producer<byte[], byte[]>> producer;
    private volatile Producer<byte[], byte[]> created;
    private final Serializer<DeadLetter> serializer;
    private final String topic = WaybillTopic.DEAD_LETTERS.topicName();

    @SuppressWarnings("unchecked")
    DeadLetterPublisher(Map<String, ?> configs) {
        Object injected = configs.get(PRODUCER);
        if (injected instanceof Producer<?, ?> p) {
            created = (Producer<byte[], byte[]>) p;
            producer = () -> created;
        } else {
            Map<String, Object> config = new HashMap<>();
            // The client settings of the Streams app (bootstrap, TLS, SASL) apply to this producer too.
            configs.forEach((k, v) -> {
                if (ProducerConfig.configNames().contains(k) && v != null) config.put(k, v);
            });
            config.put(ProducerConfig.ACKS_CONFIG, "all");
            config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            config.put(ProducerConfig.CLIENT_ID_CONFIG, "waybill-dead-letters-" + SHARED.size());
            config.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
            producer = () -> {
                synchronized (this) {
                    if (created == null) created = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
                    return created;
                }
            };
        }
        WaybillSerdes serdes = configs.get(SERDES) instanceof WaybillSerdes s ? s
                : WaybillSerdes.withRegistry(String.valueOf(configs.get(REGISTRY_URL)));
        serializer = serdes.value(DeadLetter.class).serializer();
    }

    /** Kafka Streams runs global stores on a thread whose task id is -1_-1, and drops dead letters returned there. */
    static boolean forGlobalThread(org.apache.kafka.streams.errors.ErrorHandlerContext context) {
        return context.taskId() != null && context.taskId().subtopology() < 0;
    }

    /**
     * The dead letters to return in a handler's response: for a stream task the letter itself (Streams
     * sends it in the task's transaction); for the global thread none, because it was sent here already.
     */
    java.util.List<ProducerRecord<byte[], byte[]>> deadLetters(org.apache.kafka.streams.errors.ErrorHandlerContext context, FailureStage stage,
                                                               String sourceTopic, int partition, long offset, byte[] key, byte[] value,
                                                               Exception error, String failedIn) {
        ProducerRecord<byte[], byte[]> letter = letter(stage, sourceTopic, partition, offset, key, value, error, failedIn);
        if (forGlobalThread(context)) {
            send(letter, sourceTopic, partition, offset);
            return java.util.List.of();
        }
        return java.util.List.of(letter);
    }

    /**
     * The dead letter could not be written (Kafka or the registry out of reach): the record must not be
     * skipped, so the stream thread fails with this, and the engine's thread-failure policy retries it
     * with a new thread once the cause (in the chain) says it was transient.
     */
    static final class DeadLetterNotWrittenException extends org.apache.kafka.common.errors.RetriableException {
        DeadLetterNotWrittenException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Sends one dead letter itself and waits for it, or throws {@link DeadLetterNotWrittenException} if it could not be written. */
    private void send(ProducerRecord<byte[], byte[]> letter, String sourceTopic, int partition, long offset) {
        try {
            producer.get().send(letter).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            throw new DeadLetterNotWrittenException("the dead letter for " + sourceTopic + "-" + partition + "@" + offset
                    + " could not be written; the record is not skipped", e);
        }
    }

    /**
     * The dead-letter record, serialised; throws {@link DeadLetterNotWrittenException} if the registry
     * cannot serve its schema (the record is then not skipped).
     */
    ProducerRecord<byte[], byte[]> letter(FailureStage stage, String sourceTopic, int partition, long offset, byte[] key, byte[] value,
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
                .setOriginalValueEncoding(DeadLetters.KAFKA_WIRE)
                .setErrorClass(error.getClass().getName())
                .setErrorMessage(message)
                .setFailedAt(now)
                .setFailedIn(failedIn)
                .build();
        try {
            return new ProducerRecord<>(topic, null, key, serializer.serialize(topic, letter), DeadLetters.headers(null, letter));
        } catch (RuntimeException e) {
            throw new DeadLetterNotWrittenException("the dead letter for " + sourceTopic + "-" + partition + "@" + offset
                    + " could not be serialised; the record is not skipped", e);
        }
    }

    @Override
    public synchronized void close() {
        if (created != null) created.close();
    }
}
