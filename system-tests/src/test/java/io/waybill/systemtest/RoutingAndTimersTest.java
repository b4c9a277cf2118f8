package io.waybill.systemtest;

import com.fasterxml.jackson.databind.JsonNode;
import io.waybill.contract.ExceptionStatus;
import io.waybill.contract.ExceptionType;
import io.waybill.contract.PlannerCommand;
import io.waybill.contract.ServiceLevel;
import io.waybill.contract.ShipmentCreated;
import io.waybill.contract.ShipmentEvent;
import io.waybill.contract.ShipmentException;
import io.waybill.contract.UpdatePromiseCommand;
import io.waybill.contract.WaybillTopic;
import io.waybill.topology.catalogue.WaybillSerdes;
import io.waybill.topology.routing.NetworkAdmin;
import io.waybill.topology.routing.PublishNetwork;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Routing and timers on the real system (three brokers, registry, two engines): closing a hub
 * re-plans every in-flight shipment whose remaining route uses it and no other; timers pending
 * when an engine is killed fire once, on the other instance or after the restart.
 */
class RoutingAndTimersTest extends SystemTest {

    private static final Logger LOG = LoggerFactory.getLogger(RoutingAndTimersTest.class);

    @Override
    protected int engines() {
        return 2;
    }

    @BeforeAll
    void publishTheSeedNetwork() {
        assertThat(PublishNetwork.run(new String[]{"--bootstrap-servers", system.kafka.bootstrapServers(),
                "--registry-url", system.registry.apiUrl()})).isZero();
    }

    @Test
    void closing_a_hub_re_plans_every_affected_shipment_and_no_other() throws Exception {
        // given shipments between German, Dutch and Polish depots, planned by the engine
        List<String> depots = List.of("DE-DEP-BER1", "DE-DEP-MUC1", "DE-DEP-CGN1", "DE-DEP-STR1", "DE-DEP-HAM1", "NL-DEP-RTM1");
        List<String> ids = new ArrayList<>();
        Instant now = Instant.now();
        try (var producer = producer()) {
            int n = 0;
            for (String from : depots) {
                for (String to : depots) {
                    if (from.equals(to)) continue;
                    String id = "HUB-" + (n++) + "-" + UUID.randomUUID().toString().substring(0, 6);
                    ids.add(id);
                    producer.send(new ProducerRecord<>(WaybillTopic.SHIPMENT_EVENTS.topicName(), id, booking(id, from, to, now, null))).get();
                }
            }
        }
        Map<String, JsonNode> planned = new HashMap<>();
        for (String id : ids) planned.put(id, awaitShipment(id, s -> s.path("routeStatus").asText().equals("PLANNED")));
        // the hub most of them pass through
        Map<String, Integer> uses = new HashMap<>();
        planned.values().forEach(s -> hubsOf(s).forEach(h -> uses.merge(h, 1, Integer::sum)));
        String hub = uses.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        List<String> affected = ids.stream().filter(id -> hubsOf(planned.get(id)).contains(hub)).toList();
        List<String> unaffected = ids.stream().filter(id -> !affected.contains(id)).toList();
        LOG.info("closing {}: {} of {} shipments route through it", hub, affected.size(), ids.size());
        assertThat(affected).isNotEmpty();
        assertThat(unaffected).isNotEmpty();

        // when an admin closes the hub with the documented command
        assertThat(NetworkAdmin.run(new String[]{"--bootstrap-servers", system.kafka.bootstrapServers(),
                "--registry-url", system.registry.apiUrl(), "set-facility-status", hub, "CLOSED"})).isZero();

        // then every affected shipment is re-planned around it, with the reason, and the others keep their plan
        for (String id : affected) {
            JsonNode s = awaitShipment(id, j -> j.path("routePlan").path("revision").asInt() >= 2 || j.path("routeStatus").asText().equals("NO_ROUTE"));
            if (s.path("routeStatus").asText().equals("PLANNED")) {
                assertThat(hubsOf(s)).as(id).doesNotContain(hub);
                assertThat(s.path("routePlan").path("reason").asText()).as(id).isEqualTo("FACILITY_CLOSED " + hub);
            }
        }
        Thread.sleep(3_000); // a few more ticks: nothing else may change
        for (String id : unaffected) {
            assertThat(awaitShipment(id, j -> true).path("routePlan").path("revision").asInt()).as(id + " untouched").isEqualTo(1);
        }
    }

    @Test
    void timers_pending_when_an_engine_is_killed_fire_exactly_once() throws Exception {
        // given shipments whose promise passes in about 40 seconds
        Instant now = Instant.now();
        Instant promise = now.plusSeconds(40);
        List<String> ids = new ArrayList<>();
        try (var producer = producer()) {
            for (int i = 0; i < 30; i++) {
                String id = "TMR-" + i + "-" + UUID.randomUUID().toString().substring(0, 6);
                ids.add(id);
                producer.send(new ProducerRecord<>(WaybillTopic.SHIPMENT_EVENTS.topicName(), id,
                        booking(id, "DE-DEP-BER1", "DE-DEP-MUC1", now, promise))).get();
            }
        }
        for (String id : ids) awaitShipment(id, s -> s.path("timers").has("SLA_BREACHED"));

        // when one engine is killed before they are due and restarted after
        system.services.engine(0).kill();
        LOG.info("engine 0 killed with {} pending SLA_BREACHED timers due at {}", ids.size(), promise);
        while (Instant.now().isBefore(promise.plusSeconds(5))) Thread.sleep(500);
        system.services.restartEngine(0);

        // then each shipment's breach is published exactly once
        Map<String, Integer> opened = new HashMap<>();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            opened.clear();
            readExceptions().stream().filter(e -> e.getType() == ExceptionType.SLA_BREACHED && e.getStatus() == ExceptionStatus.OPEN
                    && e.getEscalationLevel() == 0 && ids.contains(e.getShipmentId())).forEach(e -> opened.merge(e.getShipmentId(), 1, Integer::sum));
            assertThat(opened.keySet()).containsExactlyInAnyOrderElementsOf(ids);
        });
        Thread.sleep(5_000); // more ticks on both instances
        opened.clear();
        readExceptions().stream().filter(e -> e.getType() == ExceptionType.SLA_BREACHED && e.getStatus() == ExceptionStatus.OPEN
                && e.getEscalationLevel() == 0 && ids.contains(e.getShipmentId())).forEach(e -> opened.merge(e.getShipmentId(), 1, Integer::sum));
        assertThat(opened.values()).as("publications per shipment").containsOnly(1);
    }

    @Test
    void an_engine_killed_in_the_middle_of_a_timer_burst_leaves_each_timer_fired_exactly_once() throws Exception {
        // given 1,000 shipments booked and planned (promised far out, so nothing is due yet)
        Instant now = Instant.now();
        List<String> ids = new ArrayList<>();
        try (var producer = producer()) {
            for (int i = 0; i < 1_000; i++) {
                String id = "BURST-" + i + "-" + UUID.randomUUID().toString().substring(0, 6);
                ids.add(id);
                producer.send(new ProducerRecord<>(WaybillTopic.SHIPMENT_EVENTS.topicName(), id,
                        booking(id, "DE-DEP-BER1", "DE-DEP-MUC1", now, now.plus(Duration.ofDays(5)))));
            }
            producer.flush();
        }
        java.util.Set<String> burst = new java.util.HashSet<>(ids);
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                assertThat(shipments("standard-parcel", s -> burst.contains(s.path("shipmentId").asText())
                        && s.path("timers").has("SLA_BREACHED"))).hasSize(ids.size()));
        Duration booking = Duration.between(now, Instant.now());

        // and a planner moving all their promises to one instant, after the engines can have applied the
        // commands (a command costs about what a booking did): a burst due at once
        Instant promise = Instant.now().plus(booking).plusSeconds(20);
        try (var producer = commandProducer()) {
            for (String id : ids) {
                producer.send(new ProducerRecord<>(WaybillTopic.PLANNER_COMMANDS.topicName(), id, PlannerCommand.newBuilder()
                        .setCommandId(UUID.randomUUID().toString()).setShipmentId(id).setIssuedAt(Instant.now()).setIssuedBy("system-test")
                        .setPayload(UpdatePromiseCommand.newBuilder().setPromisedDeliveryAt(promise).build()).build()));
            }
            producer.flush();
        }
        LOG.info("{} bookings took {}; their promises move to {}", ids.size(), booking, promise);

        // when engine 0 is killed (SIGKILL) once the first breaches are published and before the last
        int firedAtKill;
        try (var watch = exceptionsFromNow()) {
            java.util.Set<String> fired = new java.util.HashSet<>();
            long deadline = System.currentTimeMillis() + 180_000;
            while (fired.size() < 50 && System.currentTimeMillis() < deadline) {
                watch.poll(Duration.ofMillis(100)).forEach(r -> {
                    ShipmentException e = r.value();
                    if (e.getType() == ExceptionType.SLA_BREACHED && burst.contains(e.getShipmentId())) fired.add(e.getShipmentId());
                });
            }
            system.services.engine(0).kill();
            firedAtKill = fired.size();
        }
        LOG.info("engine 0 killed with {} of {} burst timers published", firedAtKill, ids.size());
        assertThat(firedAtKill).as("killed in the middle of the burst").isBetween(50, ids.size() - 1);
        Thread.sleep(5_000);
        system.services.restartEngine(0);

        // then every breach is published, each exactly once (the killed engine's open transactions were aborted)
        Map<String, Integer> opened = new HashMap<>();
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(3)).untilAsserted(() -> {
            opened.clear();
            readExceptions().stream().filter(e -> e.getType() == ExceptionType.SLA_BREACHED && e.getStatus() == ExceptionStatus.OPEN
                    && e.getEscalationLevel() == 0 && burst.contains(e.getShipmentId())).forEach(e -> opened.merge(e.getShipmentId(), 1, Integer::sum));
            assertThat(opened).hasSize(ids.size());
        });
        assertThat(opened.values()).as("publications per shipment").containsOnly(1);
    }

    /** The ids of a workflow's shipments that match, from the engine's list query (every page, every instance). */
    private java.util.Set<String> shipments(String workflow, java.util.function.Predicate<JsonNode> matching) throws Exception {
        java.util.Set<String> found = new java.util.HashSet<>();
        String cursor = null;
        do {
            Http.Response r = Http.engine(system.services.engine(1).url() + "/internal/shipments?workflow=" + workflow + "&limit=500"
                    + (cursor == null ? "" : "&cursor=" + java.net.URLEncoder.encode(cursor, java.nio.charset.StandardCharsets.UTF_8)),
                    system.services);
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            for (JsonNode s : r.json().path("items")) if (matching.test(s)) found.add(s.path("shipmentId").asText());
            cursor = r.json().path("nextCursor").isTextual() ? r.json().path("nextCursor").asText() : null;
        } while (cursor != null);
        return found;
    }

    private KafkaProducer<String, PlannerCommand> commandProducer() {
        return new KafkaProducer<>(Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, system.kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
                new StringSerializer(), WaybillSerdes.withRegistry(system.registry.apiUrl()).value(PlannerCommand.class).serializer());
    }

    /** A read_committed consumer of the exceptions topic from its current end. */
    private KafkaConsumer<String, ShipmentException> exceptionsFromNow() {
        var consumer = new KafkaConsumer<>(Map.<String, Object>of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, system.kafka.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(),
                WaybillSerdes.withRegistry(system.registry.apiUrl()).value(ShipmentException.class).deserializer());
        String topic = WaybillTopic.SHIPMENT_EXCEPTIONS.topicName();
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
        return consumer;
    }

    private static List<String> hubsOf(JsonNode shipment) {
        List<String> hubs = new ArrayList<>();
        for (JsonNode leg : shipment.path("routePlan").path("legs")) {
            String to = leg.path("toFacilityId").asText();
            if (to.contains("-HUB-")) hubs.add(to);
        }
        return hubs;
    }

    private JsonNode awaitShipment(String id, java.util.function.Predicate<JsonNode> condition) {
        JsonNode[] found = new JsonNode[1];
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            Http.Response r = Http.engine(system.services.engine(1).url() + "/internal/shipments/" + id, system.services);
            assertThat(r.status()).as(id + ": " + r.body()).isEqualTo(200);
            assertThat(condition.test(r.json())).as(id + ": " + r.body()).isTrue();
            found[0] = r.json();
        });
        return found[0];
    }

    private ShipmentEvent booking(String id, String from, String to, Instant at, Instant promise) {
        return ShipmentEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setShipmentId(id).setOccurredAt(at).setRecordedAt(at)
                .setSource("system-test").setPayload(ShipmentCreated.newBuilder().setOrigin(from).setDestination(to)
                        .setServiceLevel(ServiceLevel.STANDARD).setWeightKg(2).setHandling(List.of()).setPromisedDeliveryAt(promise).build())
                .build();
    }

    private KafkaProducer<String, ShipmentEvent> producer() {
        return new KafkaProducer<>(Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, system.kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
                new StringSerializer(), WaybillSerdes.withRegistry(system.registry.apiUrl()).value(ShipmentEvent.class).serializer());
    }

    /** Everything committed on the exceptions topic so far. */
    private List<ShipmentException> readExceptions() {
        List<ShipmentException> all = new ArrayList<>();
        TopicRecords.readToEnd(system.kafka.bootstrapServers(), WaybillTopic.SHIPMENT_EXCEPTIONS.topicName(), "read_committed",
                WaybillSerdes.withRegistry(system.registry.apiUrl()).value(ShipmentException.class).deserializer(), Duration.ofSeconds(30),
                r -> all.add(r.value()));
        return all;
    }
}
