package io.waybill.engine;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.waybill.contract.DeadLetter;
import io.waybill.contract.FailureStage;
import io.waybill.contract.ServiceLevel;
import io.waybill.contract.ShipmentCreated;
import io.waybill.contract.ShipmentEvent;
import io.waybill.contract.WaybillTopic;
import io.waybill.testkit.WaybillTestResource;
import io.waybill.topology.catalogue.WaybillSerdes;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/** Poison input on the real cluster: it lands in the dead letters and the engine keeps going. */
@QuarkusTest
@QuarkusTestResource(WaybillTestResource.class)
class PoisonInputTest {

    @BeforeAll
    static void authenticate() {
        ServiceToken.sendWithEveryRequest();
    }

    @Test
    void garbage_and_an_unknown_schema_id_go_to_the_dead_letters_and_the_next_good_event_is_processed() throws Exception {
        // given a shipment key, garbage bytes, and a Confluent-framed record with a schema id the registry never issued
        String shipmentId = "POISON-" + UUID.randomUUID().toString().substring(0, 8);
        byte[] garbage = "not avro at all".getBytes(StandardCharsets.UTF_8);
        byte[] unknownSchema = {0, 0x7f, 0x7f, 0x7f, 0x7f, 2, 4, 6};
        var platform = WaybillTestResource.platform();
        String events = WaybillTopic.SHIPMENT_EVENTS.topicName();

        // when both are published, followed by a valid booking of the same shipment
        ShipmentEvent booking = ShipmentEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setShipmentId(shipmentId)
                .setOccurredAt(Instant.now()).setRecordedAt(Instant.now()).setSource("poison-test")
                .setPayload(ShipmentCreated.newBuilder().setOrigin("BER-HUB").setDestination("MUC-DEP")
                        .setServiceLevel(ServiceLevel.STANDARD).setWeightKg(1).setHandling(List.of()).build())
                .build();
        byte[] good = WaybillSerdes.withRegistry(platform.registry().apiUrl()).value(ShipmentEvent.class).serializer().serialize(events, booking);
        try (var producer = new KafkaProducer<>(Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.kafka().bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer())) {
            byte[] key = shipmentId.getBytes(StandardCharsets.UTF_8);
            producer.send(new ProducerRecord<>(events, key, garbage)).get();
            producer.send(new ProducerRecord<>(events, key, unknownSchema)).get();
            producer.send(new ProducerRecord<>(events, key, good)).get();
        }

        // then the booking is applied ...
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                given().get("/internal/shipments/{id}", shipmentId).then().statusCode(200)
                        .body("status", equalTo("BOOKED")).body("eventsApplied", equalTo(1)));
        given().get("/q/health/live").then().statusCode(200);

        // ... and both poison records are dead letters with their bytes, the reason and where they came from
        List<ConsumerRecord<byte[], byte[]>> letters = deadLettersFor(shipmentId, 2);
        var deserializer = WaybillSerdes.withRegistry(platform.registry().apiUrl()).value(DeadLetter.class).deserializer();
        List<byte[]> originals = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        for (var record : letters) {
            DeadLetter letter = deserializer.deserialize(record.topic(), record.headers(), record.value());
            assertThat(letter.getStage()).isEqualTo(FailureStage.DESERIALIZATION);
            assertThat(letter.getSourceTopic()).isEqualTo(events);
            assertThat(letter.getSourceOffset()).isNotNull();
            reasons.add(letter.getErrorMessage());
            assertThat(new String(record.headers().lastHeader("waybill.dlq.source.topic").value(), StandardCharsets.UTF_8)).isEqualTo(events);
            assertThat(record.headers().lastHeader("waybill.dlq.error.class")).isNotNull();
            assertThat(record.headers().lastHeader("waybill.dlq.failed.at")).isNotNull();
            byte[] original = new byte[letter.getOriginalValue().remaining()];
            letter.getOriginalValue().get(original);
            originals.add(original);
        }
        // ... saying what is wrong in words a producer's owner can act on
        assertThat(reasons).anySatisfy(r -> assertThat(r).startsWith("not in the Confluent wire format").contains("first byte is 0x6e"))
                .anySatisfy(r -> assertThat(r).startsWith("the registry has no schema with id " + 0x7f7f7f7f));
        assertThat(originals).anySatisfy(o -> assertThat(Arrays.equals(o, garbage)).isTrue())
                .anySatisfy(o -> assertThat(Arrays.equals(o, unknownSchema)).isTrue());
    }

    private static List<ConsumerRecord<byte[], byte[]>> deadLettersFor(String shipmentId, int expected) {
        var platform = WaybillTestResource.platform();
        List<ConsumerRecord<byte[], byte[]>> found = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.kafka().bootstrapServers()),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            String topic = WaybillTopic.DEAD_LETTERS.topicName();
            var partitions = consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (found.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(300)).forEach(r -> {
                    if (r.key() != null && new String(r.key(), StandardCharsets.UTF_8).equals(shipmentId)) found.add(r);
                });
            }
        }
        assertThat(found).hasSize(expected);
        return found;
    }
}
