package io.waybill.systemtest;

import com.fasterxml.jackson.databind.JsonNode;
import io.waybill.contract.ArrivedAtFacility;
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
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The engine is killed with SIGKILL in the middle of a stream of events (out of order, with
 * resends) and restarted. Afterwards every shipment's state is the reference model's, and its
 * history holds each event once plus exactly the resends that were sent: nothing lost, nothing
 * applied twice, no record processed twice.
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

        // when they are produced at a steady pace and the engine is killed a third of the way in, then restarted
        var serializer = WaybillSerdes.withRegistry(system.registry.apiUrl()).value(ShipmentEvent.class).serializer();
        CompletableFuture<Void> producing = CompletableFuture.runAsync(() -> {
            try (var producer = new KafkaProducer<>(Map.<String, Object>of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, system.kafka.bootstrapServers(),
                    ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
                    new StringSerializer(), serializer)) {
                for (ShipmentEvent e : stream) {
                    producer.send(new ProducerRecord<>(WaybillTopic.SHIPMENT_EVENTS.topicName(), e.getShipmentId(), e)).get();
                    Thread.sleep(20);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(stream.size() * 20L / 3);
        LOG.info("killing the engine with SIGKILL after about a third of {} events", stream.size());
        system.services.engine(0).kill();
        system.services.restartEngine(0);
        producing.get();

        // then every shipment converges to the reference model, with each resend recorded once as a duplicate
        String engine = system.services.engine(0).url();
        for (var entry : sent.entrySet()) {
            String shipmentId = entry.getKey();
            WorkflowReferenceModel.Result expected = WorkflowReferenceModel.run(entry.getValue());
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                Http.Response state = Http.get(engine + "/internal/shipments/" + shipmentId);
                assertThat(state.status()).as(state.body()).isEqualTo(200);
                JsonNode s = state.json();
                assertThat(s.get("eventsApplied").asLong() + s.get("eventsRejected").asLong())
                        .as(shipmentId + " events folded").isEqualTo(expected.applied() + expected.rejected());
                assertThat(s.get("status").asText()).as(shipmentId + " status").isEqualTo(expected.status());
                assertThat(s.get("eventsApplied").asLong()).as(shipmentId + " applied").isEqualTo(expected.applied());
            });
            JsonNode history = Http.get(engine + "/internal/shipments/" + shipmentId + "/history").json();
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
