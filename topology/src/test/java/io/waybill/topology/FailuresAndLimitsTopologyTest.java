package io.waybill.topology;

import io.waybill.contract.DeadLetter;
import io.waybill.contract.ExceptionType;
import io.waybill.contract.FacilityStatus;
import io.waybill.contract.HistoryEntry;
import io.waybill.contract.PlannerCommand;
import io.waybill.contract.ShipmentEvent;
import io.waybill.contract.UpdatePromiseCommand;
import io.waybill.topology.routing.RoutingNetwork;
import io.waybill.topology.shipment.ShipmentCore;
import io.waybill.topology.shipment.ShipmentDecisions;
import io.waybill.topology.timer.ShipmentTimers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import static io.waybill.topology.EngineDriver.T0;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the engine does with input it must not take (instants out of range, unbounded text, a
 * shipment past its history limit) and with a decision that throws (an event, a timer, a re-plan):
 * nothing half-applied, a dead letter that says why, and nothing lost.
 */
class FailuresAndLimitsTopologyTest {

    private EngineDriver engine;

    @AfterEach
    void stop() {
        if (engine != null) engine.close();
    }

    /** Decisions that throw once for each id in {@code failOnce} (an event id, a timer name or "replan:" + shipment id). */
    private static java.util.function.UnaryOperator<ShipmentDecisions> failingOnceFor(Set<String> failOnce) {
        return real -> new ShipmentDecisions() {
            @Override
            public ShipmentCore.Effects onEntry(ShipmentCore.ShipmentRecord record, HistoryEntry entry, RoutingNetwork network, Instant now) {
                if (failOnce.remove(entry.getId())) throw new IllegalStateException("a bug deciding " + entry.getId());
                return real.onEntry(record, entry, network, now);
            }

            @Override
            public ShipmentCore.Effects onTimer(ShipmentCore.ShipmentRecord record, ShipmentTimers.Due timer, RoutingNetwork network, Instant now) {
                if (failOnce.remove(timer.name())) throw new IllegalStateException("a bug firing " + timer.name());
                return real.onTimer(record, timer, network, now);
            }

            @Override
            public ShipmentCore.Effects onNetworkChange(ShipmentCore.ShipmentRecord record, String reason, RoutingNetwork network, Instant now) {
                if (failOnce.remove("replan:" + record.shipmentId())) throw new IllegalStateException("a bug re-planning " + record.shipmentId());
                return real.onNetworkChange(record, reason, network, now);
            }
        };
    }

    @Test
    void an_event_dated_outside_2000_to_2199_goes_to_the_dead_letters_and_changes_nothing() {
        // given a booked shipment
        engine = new EngineDriver().withDiamondNetwork();
        Events s = new Events("R1", T0);
        engine.pipe(s.created("A", "B"));
        long applied = engine.state("R1").getEventsApplied();

        // when a promise update for the year 2300 arrives (its timer key would no longer sort)
        PlannerCommand late = PlannerCommand.newBuilder().setCommandId(UUID.randomUUID().toString()).setShipmentId("R1").setIssuedAt(T0)
                .setIssuedBy("planner-7").setPayload(new UpdatePromiseCommand(Instant.parse("2300-01-01T00:00:00Z"))).build();
        engine.command(late);

        // then it is dead-lettered with the field that is wrong, and the shipment is unchanged
        DeadLetter letter = engine.deadLetters.readValue();
        assertThat(letter.getErrorClass()).isEqualTo("InputOutOfBounds");
        assertThat(letter.getErrorMessage()).contains("payload.promisedDeliveryAt").contains("2300");
        assertThat(engine.state("R1").getEventsApplied()).isEqualTo(applied);
        assertThat(engine.state("R1").getPromisedDeliveryAt()).isBefore(Instant.parse("2200-01-01T00:00:00Z"));
    }

    @Test
    void a_reason_longer_than_512_characters_goes_to_the_dead_letters() {
        engine = new EngineDriver().withDiamondNetwork();
        Events s = new Events("R2", T0);
        engine.pipe(s.created("A", "B"));

        ShipmentEvent held = s.held("x".repeat(100_000));
        engine.pipe(held);

        DeadLetter letter = engine.deadLetters.readValue();
        assertThat(letter.getErrorMessage()).contains("payload.reason").contains("100000 characters");
        assertThat(engine.history("R2")).noneMatch(e -> e.getId().equals(held.getEventId()));
    }

    @Test
    void a_shipment_past_its_history_limit_dead_letters_new_events_but_still_knows_resends() {
        // given a limit of 4 history entries (events and the engine's own notes count alike)
        engine = new EngineDriver(TopologySettings.DEFAULTS.withMaxHistoryEntries(4)).withDiamondNetwork();
        Events s = new Events("R3", T0);
        ShipmentEvent first = s.created("A", "B");
        List<ShipmentEvent> journey = List.of(first, s.arrived("A"), s.departed("A", "A-H1"), s.arrived("H1"), s.departed("H1", "H1-B"),
                s.arrived("B"));

        // when the journey goes on past the limit
        ShipmentEvent refused = null;
        for (ShipmentEvent e : journey) {
            engine.pipe(e);
            if (!engine.deadLetters.isEmpty()) {
                refused = e;
                break;
            }
        }

        // then the event that would pass it is dead-lettered (replayable once the limit is raised), nothing of it kept
        assertThat(refused).as("an event past the limit").isNotNull();
        List<DeadLetter> letters = engine.deadLetters.readValuesToList();
        assertThat(letters).singleElement().satisfies(d -> {
            assertThat(d.getErrorClass()).isEqualTo("HistoryLimitReached");
            assertThat(d.getSourceOffset()).isNotNull();
        });
        String refusedId = refused.getEventId();
        assertThat(engine.history("R3")).hasSizeGreaterThanOrEqualTo(4).noneMatch(e -> e.getId().equals(refusedId));

        // and a resend of the first event is still recognised as a duplicate, not dead-lettered
        long applied = engine.state("R3").getEventsApplied();
        engine.pipe(Events.resend(first));
        assertThat(engine.deadLetters.isEmpty()).isTrue();
        assertThat(engine.state("R3").getEventsApplied()).isEqualTo(applied);
    }

    @Test
    void an_event_on_another_partition_than_its_key_hashes_to_is_dead_lettered() {
        // given an engine that knows its input has 12 partitions (the test driver delivers everything on partition 0)
        engine = new EngineDriver(TopologySettings.DEFAULTS.withInputPartitions(12)).withDiamondNetwork();
        String home = keyOnPartition(0, true);
        String elsewhere = keyOnPartition(0, false);

        // when a booking arrives for a key that belongs on partition 0, and one for a key that belongs elsewhere
        engine.pipe(new Events(home, T0).created("A", "B"));
        engine.pipe(new Events(elsewhere, T0).created("A", "B"));

        // then the first is applied and the second is kept aside, saying which partitioner to use
        assertThat(engine.state(home)).isNotNull();
        assertThat(engine.state(elsewhere)).isNull();
        DeadLetter letter = engine.deadLetters.readValue();
        assertThat(letter.getErrorClass()).isEqualTo("WrongPartition");
        assertThat(letter.getErrorMessage()).contains("murmur2").contains("came on partition 0");
    }

    @Test
    void an_undecodable_event_is_dead_lettered_by_the_shipment_processor_and_the_next_event_is_applied() {
        // given an engine with Streams' default deserialization handler, which fails the thread on what reaches it
        engine = new EngineDriver().withDiamondNetwork();
        var raw = engine.driver.createInputTopic(io.waybill.contract.WaybillTopic.SHIPMENT_EVENTS.topicName(),
                new org.apache.kafka.common.serialization.StringSerializer(), new org.apache.kafka.common.serialization.ByteArraySerializer());
        byte[] garbage = "not avro at all".getBytes(java.nio.charset.StandardCharsets.UTF_8);

        // when garbage bytes arrive for a shipment, then its booking
        raw.pipeInput("U1", garbage);
        engine.pipe(new Events("U1", T0).created("A", "B"));

        // then the garbage is a dead letter written by the processor, so in the transaction that consumes its
        // offset (the handler never saw it: it would have failed the test driver), with its bytes and where it was
        var letter = engine.deadLetters.readRecord();
        assertThat(letter.value().getStage()).isEqualTo(io.waybill.contract.FailureStage.DESERIALIZATION);
        assertThat(letter.value().getFailedIn()).isEqualTo("engine/decode");
        assertThat(letter.value().getSourceOffset()).isEqualTo(0L);
        assertThat(letter.value().getOriginalValueEncoding()).isEqualTo(DeadLetters.KAFKA_WIRE);
        assertThat(letter.value().getOriginalValue()).isEqualTo(java.nio.ByteBuffer.wrap(garbage));
        assertThat(letter.key()).isEqualTo("U1");
        assertThat(new String(letter.headers().lastHeader("waybill.dlq.stage").value())).isEqualTo("DESERIALIZATION");
        assertThat(new String(letter.headers().lastHeader("waybill.dlq.source.offset").value())).isEqualTo("0");
        // and the booking behind it is applied
        assertThat(engine.state("U1").getEventsApplied()).isEqualTo(1);
        assertThat(engine.deadLetters.isEmpty()).isTrue();
    }

    private static String keyOnPartition(int partition, boolean on) {
        for (int i = 0; ; i++) {
            String key = "P-" + i;
            int p = org.apache.kafka.common.utils.Utils.toPositive(org.apache.kafka.common.utils.Utils.murmur2(key.getBytes())) % 12;
            if ((p == partition) == on) return key;
        }
    }

    @Test
    void an_event_whose_decision_throws_is_dead_lettered_whole_and_its_replay_applies_it() {
        // given a booked shipment and a decision that throws on its next event
        ShipmentEvent[] arrival = new ShipmentEvent[1];
        Set<String> failOnce = ConcurrentHashMap.newKeySet();
        engine = new EngineDriver(TopologySettings.DEFAULTS, EngineMeters.NONE, failingOnceFor(failOnce)).withDiamondNetwork();
        Events s = new Events("R4", T0);
        engine.pipe(s.created("A", "B"));
        arrival[0] = s.arrived("A");
        failOnce.add(arrival[0].getEventId());

        // when the event arrives and its decision throws
        engine.pipe(arrival[0]);

        // then it is dead-lettered, and nothing of it was written (no history entry, no count)
        DeadLetter letter = engine.deadLetters.readValue();
        assertThat(letter.getErrorMessage()).contains("a bug deciding");
        assertThat(engine.history("R4")).noneMatch(e -> e.getId().equals(arrival[0].getEventId()));
        assertThat(engine.state("R4").getEventsApplied()).isEqualTo(1);

        // and when it is replayed after the fix (the same event, the same id), it is applied, not taken for a duplicate
        engine.pipe(Events.resend(arrival[0]));
        assertThat(engine.state("R4").getEventsApplied()).isEqualTo(2);
        assertThat(engine.state("R4").getCurrentFacilityId()).isEqualTo("A");
    }

    @Test
    void a_timer_whose_decision_throws_is_dead_lettered_and_fires_once_at_its_retry() {
        // given a shipment whose SLA is breached at its promise, and the first attempt to fire it throws
        Set<String> failOnce = ConcurrentHashMap.newKeySet();
        failOnce.add(ShipmentTimers.SLA_BREACHED);
        engine = new EngineDriver(TopologySettings.DEFAULTS, EngineMeters.NONE, failingOnceFor(failOnce)).withDiamondNetwork();
        Events s = new Events("R5", T0);
        Instant promise = T0.plus(Duration.ofHours(1));
        engine.pipe(s.created("A", "B", promise));

        // when the promise passes
        engine.advanceTo(promise.plusSeconds(2));

        // then a dead letter names the shipment and says when the engine tries again; nothing is raised yet
        DeadLetter letter = engine.deadLetters.readValue();
        assertThat(new String(letter.getOriginalKey().array())).isEqualTo("R5");
        assertThat(letter.getFailedIn()).isEqualTo("engine/timer/SLA_BREACHED");
        assertThat(letter.getOriginalValueEncoding()).isEqualTo(DeadLetters.RETRIED_BY_ENGINE);
        assertThat(engine.exception("R5", ExceptionType.SLA_BREACHED)).isNull();

        // and when the retry interval has passed, the timer fires, once
        engine.advance(TopologySettings.DEFAULT_FAILED_TIMER_RETRY.plusSeconds(2));
        engine.advance(Duration.ofMinutes(1));
        assertThat(engine.published(ExceptionType.SLA_BREACHED)).hasSize(1);
        assertThat(engine.deadLetters.isEmpty()).isTrue();
    }

    @Test
    void a_re_plan_whose_decision_throws_is_dead_lettered_and_retried_later() {
        // given a shipment planned through H1, and the first re-plan of it throws
        Set<String> failOnce = ConcurrentHashMap.newKeySet();
        failOnce.add("replan:R6");
        engine = new EngineDriver(TopologySettings.DEFAULTS, EngineMeters.NONE, failingOnceFor(failOnce)).withDiamondNetwork();
        Events s = new Events("R6", T0);
        engine.pipe(s.created("A", "B"));
        engine.pipe(s.arrived("A"));
        assertThat(engine.state("R6").getRoutePlan().getLegs().get(0).getToFacilityId()).isEqualTo("H1");

        // when H1 closes
        engine.facility("H1", FacilityStatus.CLOSED);
        engine.advance(Duration.ofSeconds(2));

        // then the failure is dead-lettered and the plan still goes through H1
        assertThat(engine.deadLetters.readValue().getFailedIn()).isEqualTo("engine/replan");
        assertThat(engine.state("R6").getRoutePlan().getLegs().get(0).getToFacilityId()).isEqualTo("H1");

        // and after the retry interval the shipment is re-planned around H1
        engine.advance(TopologySettings.DEFAULT_FAILED_TIMER_RETRY.plusSeconds(2));
        engine.advance(Duration.ofSeconds(2));
        assertThat(engine.state("R6").getRoutePlan().getLegs().get(0).getToFacilityId()).isEqualTo("H2");
        assertThat(engine.deadLetters.isEmpty()).isTrue();
    }
}
