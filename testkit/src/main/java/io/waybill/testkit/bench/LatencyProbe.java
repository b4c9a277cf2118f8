package io.waybill.testkit.bench;

import io.waybill.contract.ShipmentEvent;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * Event → output latency at a fixed rate: events are sent paced at {@code rate}/s while a
 * read_committed consumer on the output topic matches each output record to the event it answers
 * ({@code eventIdOf}: the state's lastEventId, or the passed-through event's id) and records the
 * time from just before {@code send()} to the consumer receiving it. Each eventId counts once.
 */
final class LatencyProbe {

    record Result(long sent, double sendSeconds, double achievedRate, long matched, long outputRecords, long[] micros) {
        /** Nearest-rank percentile of the sorted samples (microseconds). */
        long percentile(double p) {
            if (micros.length == 0) return 0;
            int rank = (int) Math.ceil(p / 100.0 * micros.length);
            return micros[Math.min(micros.length - 1, Math.max(0, rank - 1))];
        }

        String describe() {
            if (matched == 0) return String.format("sent %,d at %,.0f/s: nothing matched", sent, achievedRate);
            return String.format("sent %,d in %.1f s = %,.0f events/s achieved; matched %,d (%.1f %%) of %,d output records; "
                            + "latency p50 %.1f ms, p99 %.1f ms, p99.9 %.1f ms, max %.1f ms",
                    sent, sendSeconds, achievedRate, matched, 100.0 * matched / sent, outputRecords,
                    percentile(50) / 1000.0, percentile(99) / 1000.0, percentile(99.9) / 1000.0, micros[micros.length - 1] / 1000.0);
        }
    }

    static Result run(String bootstrap, Serializer<ShipmentEvent> serializer, String inputTopic, List<ShipmentEvent> events,
                      double rate, Duration period, String outputTopic, Function<byte[], String> eventIdOf) throws Exception {
        Map<String, Long> sentAt = new ConcurrentHashMap<>();
        long[][] samples = {new long[1 << 16]};
        int[] count = {0};
        Object lock = new Object();
        AtomicLong matched = new AtomicLong();
        AtomicLong outputs = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong lastOutputNanos = new AtomicLong(System.nanoTime());

        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.<String, Object>of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(outputTopic).stream()
                .map(p -> new TopicPartition(outputTopic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        for (TopicPartition p : partitions) consumer.position(p);
        Thread reader = new Thread(() -> {
            try (consumer) {
                while (!stop.get()) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                        long now = System.nanoTime();
                        if (r.value() == null) continue;
                        outputs.incrementAndGet();
                        lastOutputNanos.set(now);
                        String id = eventIdOf.apply(r.value());
                        Long t = id == null ? null : sentAt.remove(id);
                        if (t != null) {
                            synchronized (lock) {
                                if (count[0] == samples[0].length) samples[0] = java.util.Arrays.copyOf(samples[0], count[0] * 2);
                                samples[0][count[0]++] = Math.max(0, (now - t) / 1000);
                            }
                            matched.incrementAndGet();
                        }
                    }
                }
            }
        }, "latency-reader");
        reader.setDaemon(true);
        reader.start();

        long sent = 0;
        long t0;
        long sendNanos;
        AtomicLong failed = new AtomicLong();
        try (var producer = new KafkaProducer<>(Map.<String, Object>of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 1), new StringSerializer(), serializer)) {
            Set<String> seen = new HashSet<>();
            long periodNanos = period.toNanos();
            double interval = 1e9 / rate;
            t0 = System.nanoTime();
            for (ShipmentEvent e : events) {
                long due = t0 + (long) (sent * interval);
                if (due - t0 > periodNanos) break;
                long wait = due - System.nanoTime();
                if (wait > 200_000) LockSupport.parkNanos(wait);
                String id = e.getEventId();
                if (seen.add(id)) sentAt.put(id, System.nanoTime());
                producer.send(new ProducerRecord<>(inputTopic, e.getShipmentId(), e), (m, err) -> {
                    if (err != null) failed.incrementAndGet();
                });
                sent++;
            }
            sendNanos = System.nanoTime() - t0;
            producer.flush();
        }
        if (failed.get() > 0) throw new IllegalStateException(failed.get() + " latency-probe events were not produced");
        // The tail: until the output has been quiet for 3 s (what never matches: resends, late scans folded into the past), at most 30 s.
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline && System.nanoTime() - lastOutputNanos.get() < 3_000_000_000L) Thread.sleep(100);
        stop.set(true);
        reader.join(5_000);
        double seconds = sendNanos / 1e9;
        synchronized (lock) {
            long[] sorted = java.util.Arrays.copyOf(samples[0], count[0]);
            java.util.Arrays.sort(sorted);
            return new Result(sent, seconds, sent / seconds, matched.get(), outputs.get(), sorted);
        }
    }

    private LatencyProbe() {
    }
}
