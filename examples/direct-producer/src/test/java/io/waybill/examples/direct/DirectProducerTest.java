package io.waybill.examples.direct;

import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.waybill.contract.ShipmentEvent;
import io.waybill.contract.WaybillTopic;
import io.waybill.testkit.TestPlatform;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The example producer against a real 3-broker cluster (RF 3, min ISR 2) and a real Apicurio Registry. */
class DirectProducerTest {

    private static TestPlatform platform;

    @BeforeAll
    static void startPlatform() {
        // Broker processes bind 127.0.0.1 only (the in-JVM kit binds every interface), as the
        // Quarkus test resource does; -Dwaybill.test.kafka=in-jvm picks the faster kit.
        TestPlatform.Hosting hosting = "in-jvm".equals(System.getProperty("waybill.test.kafka"))
                ? TestPlatform.Hosting.IN_JVM : TestPlatform.Hosting.PROCESSES;
        platform = TestPlatform.start(3, hosting);
    }

    @AfterAll
    static void stopPlatform() {
        if (platform != null) platform.close();
    }

    @Test
    void the_example_publishes_the_contract_that_a_consumer_reads_back_in_order() throws Exception {
        // given the example's topic name is the catalogue's
        assertThat(DirectProducer.TOPIC).isEqualTo(WaybillTopic.SHIPMENT_EVENTS.topicName());
        String shipmentId = "DIRECT-" + UUID.randomUUID();
        List<ShipmentEvent> sent = DirectProducer.bookingAndArrival(shipmentId);

        // when the example producer sends a booking and an arrival
        List<RecordMetadata> written;
        try (DirectProducer wms = new DirectProducer(platform.kafka().bootstrapServers(), platform.registry().apiUrl())) {
            written = wms.sendAndWait(sent);
        }

        // then both are on one partition, in order, and read back as the same events
        assertThat(written).extracting(RecordMetadata::partition).containsOnly(written.get(0).partition());
        List<ConsumerRecord<String, byte[]>> raw = read(shipmentId, written.get(0).partition(), 2);
        assertThat(raw).extracting(ConsumerRecord::key).containsOnly(shipmentId);

        // and each value is in the Confluent wire format: magic byte 0, a 4-byte schema id, Avro binary, no headers
        for (ConsumerRecord<String, byte[]> record : raw) {
            assertThat(record.value()[0]).isZero();
            assertThat(ByteBuffer.wrap(record.value(), 1, 4).getInt()).isPositive();
            assertThat(record.headers().toArray()).isEmpty();
        }
        AvroKafkaDeserializer<ShipmentEvent> deserializer = new AvroKafkaDeserializer<>();
        Map<String, Object> config = new HashMap<>(DirectProducer.confluentWireFormat(platform.registry().apiUrl()));
        config.put("apicurio.registry.use-specific-avro-reader", "true");
        deserializer.configure(config, false);
        List<ShipmentEvent> received = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : raw) {
            received.add(deserializer.deserialize(record.topic(), record.headers(), record.value()));
        }
        assertThat(received).isEqualTo(sent);
    }

    /** The records of one shipment on its partition, read_committed, from the beginning. */
    private static List<ConsumerRecord<String, byte[]>> read(String shipmentId, int partition, int expected) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.kafka().bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (var consumer = new KafkaConsumer<>(config, new StringDeserializer(), new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(DirectProducer.TOPIC, partition);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            List<ConsumerRecord<String, byte[]>> found = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (found.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (shipmentId.equals(r.key())) found.add(r);
                });
            }
            return found;
        }
    }
}
