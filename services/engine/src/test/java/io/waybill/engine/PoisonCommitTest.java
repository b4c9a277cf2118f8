package io.waybill.engine;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.waybill.contract.DeadLetter;
import io.waybill.contract.PlannerCommand;
import io.waybill.contract.ServiceLevel;
import io.waybill.contract.ShipmentCreated;
import io.waybill.contract.ShipmentEvent;
import io.waybill.contract.UpdatePromiseCommand;
import io.waybill.contract.WaybillTopic;
import io.waybill.testkit.WaybillTestResource;
import io.waybill.topology.catalogue.WaybillSerdes;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Utils;
import jakarta.inject.Inject;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The dead letter of an undecodable record and the consumed offset of that record commit in one
 * transaction, even when the record is the first the task reads from its partition.
 *
 * <p>Regression test for the duplicate dead letter {@code EngineCrashTest} found in CI on cef7c83.
 * Kafka Streams skips a record its deserializer rejects before the task sees it, and commits a
 * partition's offset only once the task has processed a record of it. A dead letter returned by the
 * deserialization handler therefore committed with the thread's next transaction while its record's
 * offset did not, and a crash in between read the record again and dead-lettered it twice.
 *
 * <p>The test makes that window long and certain instead of waiting for a crash to hit it: with a
 * large {@code max.task.idle.ms}, the poison's task waits for data on its (empty) command partition
 * and does not process the good record behind the poison, while another task on the same thread
 * commits transactions. Invariant checked throughout: once the dead letter is visible read_committed,
 * the group's committed offset of its partition is past the poison.
 */
@QuarkusTest
@TestProfile(PoisonCommitTest.IdlingTasks.class)
@QuarkusTestResource(WaybillTestResource.class)
class PoisonCommitTest {

    static final String APPLICATION_ID = "waybill-engine-poison-commit-test";
    static final Duration TASK_IDLE = Duration.ofSeconds(25);

    /** A consumer group of its own (the other tests' engine has committed far ahead) and tasks that wait for all their inputs. */
    public static class IdlingTasks implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.kafka-streams.application-id", APPLICATION_ID,
                    "kafka-streams.max.task.idle.ms", Long.toString(TASK_IDLE.toMillis()),
                    "kafka-streams.num.stream.threads", "1",
                    // from the end, so the poison is the first record its task reads, whatever earlier tests left
                    "kafka-streams.consumer.auto.offset.reset", "latest");
        }
    }

    @Inject
    KafkaStreams streams;

    @BeforeAll
    static void authenticate() {
        ServiceToken.sendWithEveryRequest();
    }

    @Test
    void a_dead_letter_commits_with_the_offset_of_its_record_when_the_record_is_the_first_of_its_partition() throws Exception {
        var platform = WaybillTestResource.platform();
        String events = WaybillTopic.SHIPMENT_EVENTS.topicName();
        String commands = WaybillTopic.PLANNER_COMMANDS.topicName();
        WaybillSerdes serdes = WaybillSerdes.withRegistry(platform.registry().apiUrl());
        Map<String, Object> client = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.kafka().bootstrapServers());

        // given two shipments on different partitions: P, whose task will idle, and Q, whose task has an event and a command
        int partitions;
        try (var consumer = new KafkaConsumer<>(client, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            partitions = consumer.partitionsFor(events).size();
        }
        String idling = shipmentOn(partitions, -1);
        int idlingPartition = partitionOf(idling, partitions);
        String busy = shipmentOn(partitions, idlingPartition);

        // and an engine whose tasks are assigned and have looked up their (latest) positions
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(90)).until(() -> streams.state() == KafkaStreams.State.RUNNING);
        Thread.sleep(3_000);

        // when a poison and a good booking of P are published, then an event and a command of Q
        long poisonOffset;
        Map<String, Object> producerConfig = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.kafka().bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all");
        try (var producer = new KafkaProducer<>(producerConfig, new ByteArraySerializer(), new ByteArraySerializer())) {
            poisonOffset = producer.send(new ProducerRecord<>(events, bytes(idling), bytes("not avro at all"))).get().offset();
            producer.send(new ProducerRecord<>(events, bytes(idling), serdes.value(ShipmentEvent.class).serializer()
                    .serialize(events, booking(idling)))).get();
            producer.send(new ProducerRecord<>(events, bytes(busy), serdes.value(ShipmentEvent.class).serializer()
                    .serialize(events, booking(busy)))).get();
            producer.send(new ProducerRecord<>(commands, bytes(busy), serdes.value(PlannerCommand.class).serializer()
                    .serialize(commands, promise(busy)))).get();
        }
        TopicPartition poisoned = new TopicPartition(events, idlingPartition);

        // then whenever the dead letter is visible, the offset of the poison is committed with it, until P is booked
        var letters = serdes.value(DeadLetter.class).deserializer();
        try (var deadLetters = new KafkaConsumer<>(Map.<String, Object>of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                platform.kafka().bootstrapServers(), ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, platform.kafka().bootstrapServers()))) {
            String dlq = WaybillTopic.DEAD_LETTERS.topicName();
            var dlqPartitions = deadLetters.partitionsFor(dlq).stream().map(p -> new TopicPartition(dlq, p.partition())).toList();
            deadLetters.assign(dlqPartitions);
            deadLetters.seekToBeginning(dlqPartitions);
            Instant deadline = Instant.now().plus(TASK_IDLE).plusSeconds(60);
            Instant letterSeen = null;
            boolean booked = false;
            while (!booked) {
                if (Instant.now().isAfter(deadline)) fail("shipment " + idling + " was not booked in time");
                for (var record : deadLetters.poll(Duration.ofMillis(200))) {
                    DeadLetter letter = letters.deserialize(dlq, record.headers(), record.value());
                    if (events.equals(letter.getSourceTopic()) && letter.getSourcePartition() == idlingPartition
                            && letter.getSourceOffset() == poisonOffset) {
                        assertThat(letterSeen).as("the poison has one dead letter").isNull();
                        letterSeen = Instant.now();
                    }
                }
                if (letterSeen != null) {
                    // the dead letter's transaction wrote the offset too; its marker may reach the group coordinator a moment later
                    OffsetAndMetadata committed = admin.listConsumerGroupOffsets(APPLICATION_ID).partitionsToOffsetAndMetadata().get()
                            .get(poisoned);
                    if (committed == null || committed.offset() <= poisonOffset) {
                        assertThat(Duration.between(letterSeen, Instant.now()))
                                .as("time the dead letter of %s@%d is visible while the group's offset there is %s", poisoned, poisonOffset, committed)
                                .isLessThan(Duration.ofSeconds(5));
                    }
                }
                booked = given().get("/internal/shipments/{id}", idling).statusCode() == 200 && letterSeen != null;
            }
            // and the booking behind the poison commits too
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                OffsetAndMetadata committed = admin.listConsumerGroupOffsets(APPLICATION_ID).partitionsToOffsetAndMetadata().get().get(poisoned);
                assertThat(committed).isNotNull();
                assertThat(committed.offset()).isGreaterThan(poisonOffset + 1);
            });
        }
    }

    private static ShipmentEvent booking(String shipmentId) {
        return TestEvents.event(shipmentId, Instant.now(), ShipmentCreated.newBuilder().setOrigin("BER-HUB").setDestination("MUC-DEP")
                .setServiceLevel(ServiceLevel.STANDARD).setWeightKg(1).setHandling(List.of()).build());
    }

    private static PlannerCommand promise(String shipmentId) {
        return PlannerCommand.newBuilder().setCommandId(UUID.randomUUID().toString()).setShipmentId(shipmentId).setIssuedAt(Instant.now())
                .setIssuedBy("poison-commit-test").setPayload(UpdatePromiseCommand.newBuilder()
                        .setPromisedDeliveryAt(Instant.now().plus(Duration.ofDays(2))).build()).build();
    }

    /** A fresh shipment id the default partitioner puts on any partition but {@code not}. */
    private static String shipmentOn(int partitions, int not) {
        while (true) {
            String id = "POISON-COMMIT-" + UUID.randomUUID().toString().substring(0, 8);
            if (partitionOf(id, partitions) != not) return id;
        }
    }

    private static int partitionOf(String key, int partitions) {
        return Utils.toPositive(Utils.murmur2(bytes(key))) % partitions;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
