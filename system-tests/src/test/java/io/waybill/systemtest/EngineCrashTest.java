package io.waybill.systemtest;

import com.fasterxml.jackson.databind.JsonNode;
import io.waybill.contract.ArrivedAtFacility;
import io.waybill.contract.DeadLetter;
import io.waybill.contract.Delivered;
import io.waybill.contract.DepartedFacility;
import io.waybill.contract.Held;
import io.waybill.contract.OutForDelivery;
import io.waybill.contract.Released;
import io.waybill.contract.ServiceLevel;
import io.waybill.contract.ShipmentCreated;
import io.waybill.contract.ShipmentEvent;
import io.waybill.contract.WaybillTopic;
import io.waybill.topology.catalogue.WaybillSerdes;
import io.waybill.topology.shipment.WorkflowReferenceModel;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The engine is killed with SIGKILL in the middle of a stream of events (out of order, with
 * resends) and restarted. Afterwards every shipment's state is the reference model's, and its
 * history holds each event once plus exactly the resends that were sent: nothing lost, nothing
 * applied twice, no record processed twice; and each poison record among them has exactly one
 * dead letter for a read_committed reader (dead letters are written inside the transaction).
 */
class EngineCrashTest extends SystemTest {

    private static final Logger LOG = LoggerFactory.getLogger(EngineCrashTest.class);
    private static final int SHIPMENTS = 60;

    @Test
    void every_event_is_applied_exactly_once_across_an_engine_crash() throws Exception {
        // given journeys for many shipments, each sent out of order with a few resends
        Random random = new Random(20261129);
        Map<String, List<ShipmentEvent>> sent = new LinkedHashMap<>();
        Map<String, Integer> resends = new LinkedHashMap<>();
        List<ShipmentEvent> stream = new ArrayList<>();
        for (int s = 0; s < SHIPMENTS; s++) {
            String shipmentId = "CRASH-" + s + "-" + UUID.randomUUID().toString().substring(0, 4);
            List<ShipmentEvent> arrivals = arrivals(shipmentId, random);
            sent.put(shipmentId, arrivals);
            resends.put(shipmentId, arrivals.size() - (int) arrivals.stream().map(ShipmentEvent::getEventId).distinct().count());
        }
        // interleave the shipments as warehouses would, keeping each shipment's own order
        List<List<ShipmentEvent>> queues = new ArrayList<>();
        sent.values().forEach(list -> queues.add(new ArrayList<>(list)));
        while (queues.stream().anyMatch(q -> !q.isEmpty())) {
            List<ShipmentEvent> q = queues.get(random.nextInt(queues.size()));
            if (!q.isEmpty()) stream.add(q.remove(0));
        }

        // and among them, every fifth record a poison: bytes that are no event, or an event under another
        // shipment's key, each of which the engine must dead-letter once, inside the transaction that skips it
        String topic = WaybillTopic.SHIPMENT_EVENTS.topicName();
        var serializer = WaybillSerdes.withRegistry(system.registry.apiUrl()).value(ShipmentEvent.class).serializer();
        List<Outgoing> outgoing = new ArrayList<>();
        for (ShipmentEvent e : stream) {
            outgoing.add(new Outgoing(e.getShipmentId(), serializer.serialize(topic, e), null));
            if (outgoing.size() % 5 == 4) outgoing.add(poison(outgoing.size(), topic, serializer));
        }
        Map<String, String> poisons = new ConcurrentHashMap<>(); // topic-partition@offset -> why

        // when they are produced at a steady pace and the engine is killed a third of the way in, then restarted
        CompletableFuture<Void> producing = CompletableFuture.runAsync(() -> {
            try (var producer = new KafkaProducer<>(Map.<String, Object>of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, system.kafka.bootstrapServers(),
                    ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
                    new StringSerializer(), new ByteArraySerializer())) {
                for (Outgoing o : outgoing) {
                    RecordMetadata m = producer.send(new ProducerRecord<>(topic, o.key(), o.value())).get();
                    if (o.poison() != null) poisons.put(m.topic() + "-" + m.partition() + "@" + m.offset(), o.poison());
                    Thread.sleep(20);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(outgoing.size() * 20L / 3);
        LOG.info("killing the engine with SIGKILL after about a third of {} records ({} events)", outgoing.size(), stream.size());
        system.services.engine(0).kill();
        system.services.restartEngine(0);
        producing.get();

        // then every shipment converges to the reference model, with each resend recorded once as a duplicate
        String engine = system.services.engine(0).url();
        for (var entry : sent.entrySet()) {
            String shipmentId = entry.getKey();
            WorkflowReferenceModel.Result expected = WorkflowReferenceModel.run(entry.getValue());
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                Http.Response state = Http.engine(engine + "/internal/shipments/" + shipmentId, system.services);
                assertThat(state.status()).as(state.body()).isEqualTo(200);
                JsonNode s = state.json();
                assertThat(s.get("eventsApplied").asLong() + s.get("eventsRejected").asLong())
                        .as(shipmentId + " events folded").isEqualTo(expected.applied() + expected.rejected());
                assertThat(s.get("status").asText()).as(shipmentId + " status").isEqualTo(expected.status());
                assertThat(s.get("eventsApplied").asLong()).as(shipmentId + " applied").isEqualTo(expected.applied());
            });
            JsonNode history = Http.engine(engine + "/internal/shipments/" + shipmentId + "/history", system.services).json();
            long duplicates = 0;
            List<String> folded = new ArrayList<>();
            for (JsonNode e : history.get("entries")) {
                if (e.get("kind").asText().equals("ROUTING")) continue; // the engine's routing decisions, not received events
                if (e.get("outcome").asText().equals("DUPLICATE")) duplicates++;
                else folded.add(e.get("id").asText());
            }
            assertThat(folded).as(shipmentId + " each event once").doesNotHaveDuplicates()
                    .hasSize((int) (expected.applied() + expected.rejected()));
            assertThat(duplicates).as(shipmentId + " duplicates recorded = resends sent").isEqualTo((long) resends.get(shipmentId));
        }

        // and every poison is dead-lettered exactly once for a read_committed reader; an aborted copy
        // (the killed engine's open transaction) may be in the log but is never visible
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() ->
                assertThat(deadLetters("read_committed").keySet()).containsAll(poisons.keySet()));
        Map<String, Integer> committed = deadLetters("read_committed");
        Map<String, Integer> uncommitted = deadLetters("read_uncommitted");
        committed.keySet().retainAll(poisons.keySet());
        assertThat(committed).as("dead letters per poison record (read_committed)").hasSize(poisons.size())
                .allSatisfy((where, n) -> assertThat(n).as(where + " (" + poisons.get(where) + ")").isEqualTo(1));
        long aborted = poisons.keySet().stream().mapToInt(where -> uncommitted.getOrDefault(where, 0) - 1).sum();
        LOG.info("{} poison records, each dead-lettered once (read_committed); {} aborted copies in the log (read_uncommitted)",
                poisons.size(), aborted);
    }

    /** A record the engine must refuse: bytes that are no event, or an event under another shipment's key. */
    private static Outgoing poison(int n, String topic, Serializer<ShipmentEvent> serializer) {
        if (n % 2 == 0) return new Outgoing("CRASH-POISON-" + n, ("not an event " + n).getBytes(StandardCharsets.UTF_8), "not deserialisable");
        Instant at = Instant.parse("2026-11-29T06:00:00Z");
        ShipmentEvent mismatched = ShipmentEvent.newBuilder().setEventId(UUID.randomUUID().toString())
                .setShipmentId("CRASH-MISMATCH-" + n).setOccurredAt(at).setRecordedAt(at).setSource("crash-test")
                .setPayload(new ArrivedAtFacility("BER-DEP-1")).build();
        return new Outgoing("CRASH-WRONG-KEY-" + n, serializer.serialize(topic, mismatched), "key is not the shipmentId");
    }

    /** How many dead letters name each source record (topic-partition@offset), read from the start at {@code isolation}. */
    private Map<String, Integer> deadLetters(String isolation) {
        Map<String, Integer> found = new HashMap<>();
        TopicRecords.readToEnd(system.kafka.bootstrapServers(), WaybillTopic.DEAD_LETTERS.topicName(), isolation,
                WaybillSerdes.withRegistry(system.registry.apiUrl()).value(DeadLetter.class).deserializer(), Duration.ofSeconds(30),
                r -> found.merge(r.value().getSourceTopic() + "-" + r.value().getSourcePartition() + "@" + r.value().getSourceOffset(), 1, Integer::sum));
        return found;
    }

    /** A record to produce: its key, its bytes, and why the engine must refuse it (null for a real event). */
    private record Outgoing(String key, byte[] value, String poison) {
    }

    /** A delivered journey with a hold, sent with two neighbouring scans swapped and up to two resends. */
    private static List<ShipmentEvent> arrivals(String shipmentId, Random random) {
        Instant t0 = Instant.parse("2026-11-29T06:00:00Z");
        List<Object> payloads = List.of(
                ShipmentCreated.newBuilder().setOrigin("BER-DEP-1").setDestination("MUC-DEP-1")
                        .setServiceLevel(ServiceLevel.STANDARD).setWeightKg(2).setHandling(List.of()).build(),
                new ArrivedAtFacility("BER-DEP-1"), new DepartedFacility("BER-DEP-1", null),
                new ArrivedAtFacility("BER-HUB"), new Held("inspection"), new Released(null),
                new DepartedFacility("BER-HUB", null), new ArrivedAtFacility("MUC-DEP-1"),
                new OutForDelivery("MUC-DEP-1", null), new Delivered("recipient", null));
        int length = 3 + random.nextInt(payloads.size() - 2);
        List<ShipmentEvent> events = new ArrayList<>();
        for (int i = 0; i < length; i++) {
            Instant at = t0.plus(Duration.ofMinutes(30L * i));
            events.add(ShipmentEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setShipmentId(shipmentId)
                    .setOccurredAt(at).setRecordedAt(at).setSource("crash-test").setPayload(payloads.get(i)).build());
        }
        List<ShipmentEvent> arrivals = new ArrayList<>(events);
        int swap = 1 + random.nextInt(arrivals.size() - 1);
        Collections.swap(arrivals, swap - 1, swap);
        for (int r = random.nextInt(3); r > 0; r--) {
            arrivals.add(1 + random.nextInt(arrivals.size() - 1), events.get(random.nextInt(events.size())));
        }
        return arrivals;
    }
}
