package io.waybill.planner;

import io.waybill.contract.WaybillTopic;
import io.waybill.testkit.WaybillTestResource;
import io.waybill.topology.catalogue.WaybillSerdes;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;

/** Writes records to and reads them from the topics of the test cluster, in the registry's wire format. */
final class TestTopics {

    private static KafkaProducer<String, SpecificRecord> producer;

    private TestTopics() {
    }

    /** Produces one record (acks=all) and waits until it is written. */
    static synchronized void produce(WaybillTopic topic, String key, SpecificRecord value) {
        var platform = WaybillTestResource.platform();
        if (producer == null) {
            producer = new KafkaProducer<>(Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.kafka().bootstrapServers(),
                    ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(),
                    WaybillSerdes.withRegistry(platform.registry().apiUrl()).value(SpecificRecord.class).serializer());
        }
        try {
            producer.send(new ProducerRecord<>(topic.topicName(), key, value)).get();
        } catch (Exception e) {
            throw new AssertionError("cannot produce to " + topic.topicName(), e);
        }
    }

    /** The first record on the topic (from the beginning) whose value matches; fails after 20 s. */
    static <T extends SpecificRecord> Keyed<T> await(WaybillTopic topic, Class<T> type, Predicate<T> matches) {
        var platform = WaybillTestResource.platform();
        var serde = WaybillSerdes.withRegistry(platform.registry().apiUrl()).value(type);
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.kafka().bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), serde.deserializer())) {
            var partitions = consumer.partitionsFor(topic.topicName()).stream().map(p -> new TopicPartition(topic.topicName(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < deadline) {
                for (var record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.value() != null && matches.test(record.value())) return new Keyed<>(record.key(), record.value());
                }
            }
        }
        throw new AssertionError("no matching record on " + topic.topicName());
    }

    record Keyed<T>(String key, T value) {
    }
}
