package io.waybill.systemtest;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** What a topic holds: every partition read from its start to the end offsets taken when the read begins. */
final class TopicRecords {

    private TopicRecords() {
    }

    /**
     * Hands each record to {@code each}, reading at {@code isolation} (read_committed or read_uncommitted);
     * gives up quietly after {@code within}, so a caller's own assertion says what was missing.
     */
    static <V> void readToEnd(String bootstrap, String topic, String isolation, Deserializer<V> values, Duration within,
                              Consumer<ConsumerRecord<String, V>> each) {
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation), new StringDeserializer(), values)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + within.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(300)).forEach(each);
            }
        }
    }
}
