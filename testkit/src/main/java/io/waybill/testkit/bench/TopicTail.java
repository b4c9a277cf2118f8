package io.waybill.testkit.bench;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * Reads one of the engine's output topics from the beginning, as a planner-facing consumer would
 * (read_committed: only what the engine's transactions committed), on a thread of its own, and hands
 * every record to a handler with the wall-clock time it arrived. The arrival time is what the
 * scenario benchmarks measure against: when a change became visible downstream.
 */
public final class TopicTail<V> implements AutoCloseable {

    /** One record as it arrived: key, value (null for a tombstone), record timestamp, arrival wall clock and nanoTime. */
    public record Seen<V>(String key, V value, long timestampMs, long receivedMs, long receivedNanos) {
    }

    public interface Handler<V> {
        void seen(Seen<V> record);
    }

    private final String topic;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Deserializer<V> deserializer;
    private final Handler<V> handler;
    private final Thread thread;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicLong records = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Map<TopicPartition, Long> positions = new ConcurrentHashMap<>();
    private final List<TopicPartition> partitions;

    public TopicTail(String bootstrap, String topic, Deserializer<V> deserializer, Handler<V> handler) {
        this.topic = topic;
        this.deserializer = deserializer;
        this.handler = handler;
        this.consumer = new KafkaConsumer<>(Map.<String, Object>of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2_000),
                new StringDeserializer(), new ByteArrayDeserializer());
        this.partitions = consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        this.thread = new Thread(this::loop, "tail-" + topic);
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        try (consumer) {
            while (!stop.get()) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                    long nanos = System.nanoTime();
                    long wall = System.currentTimeMillis();
                    V value = r.value() == null ? null : deserializer.deserialize(topic, r.headers(), r.value());
                    records.incrementAndGet();
                    handler.seen(new Seen<>(r.key(), value, r.timestamp(), wall, nanos));
                }
                for (TopicPartition p : consumer.assignment()) positions.put(p, consumer.position(p));
            }
        } catch (Throwable t) {
            if (!stop.get()) failure.set(t);
        }
    }

    public long records() {
        return records.get();
    }

    /** Waits until everything committed to the topic by now has been handed to the handler. */
    public void awaitCaughtUp(Admin admin, Duration timeout) throws Exception {
        // (the consumer belongs to the reader thread: only the partitions it was given are used here)
        Map<TopicPartition, Long> end = admin.listOffsets(partitions.stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest())),
                new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get().entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            check();
            if (end.entrySet().stream().allMatch(e -> e.getValue() == 0 || positions.getOrDefault(e.getKey(), 0L) >= e.getValue())) return;
            if (System.nanoTime() > deadline) throw new IllegalStateException("the tail of " + topic + " did not catch up in " + timeout);
            Thread.sleep(50);
        }
    }

    /** Throws what stopped the reader (a handler's or the consumer's exception), if anything did. */
    public void check() {
        Throwable t = failure.get();
        if (t != null) throw new IllegalStateException("reading " + topic + " failed: " + t, t);
    }

    @Override
    public void close() {
        stop.set(true);
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
