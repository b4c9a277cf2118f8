package io.waybill.topology;

import io.waybill.contract.AcknowledgeExceptionCommand;
import io.waybill.contract.ExceptionStatus;
import io.waybill.contract.ExceptionType;
import io.waybill.contract.FacilityStatus;
import io.waybill.contract.HoldCommand;
import io.waybill.contract.Notification;
import io.waybill.contract.PlannerCommand;
import io.waybill.contract.ReleaseCommand;
import io.waybill.contract.ResolveExceptionCommand;
import io.waybill.contract.RouteLeg;
import io.waybill.contract.Severity;
import io.waybill.contract.ShipmentException;
import io.waybill.contract.ShipmentStatus;
import io.waybill.contract.SlaStatus;
import io.waybill.contract.SnoozeExceptionCommand;
import io.waybill.contract.StartReturnCommand;
import io.waybill.topology.catalogue.WaybillStores;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static io.waybill.topology.EngineDriver.T0;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Durable timers driven by the test driver's wall clock, each exception type they raise, escalation,
 * automatic resolution and actions, and the one-open-exception-per-type rule.
 */
class TimersAndExceptionsTopologyTest {

    private EngineDriver engine;

    @BeforeEach
    void start() {
        engine = new EngineDriver().withDiamondNetwork();
    }

    @AfterEach
    void stop() {
        engine.close();
    }

    private Events inTransitToH1(String id) {
        Events s = new Events(id, T0);
        engine.pipe(s.created("A", "B"));
        engine.pipe(s.arrived("A"));
        engine.pipe(s.departed("A", "A-H1"));
        return s;
    }

    private PlannerCommand command(String shipmentId, Object payload, Instant at) {
        PlannerCommand c = PlannerCommand.newBuilder().setCommandId(UUID.randomUUID().toString()).setShipmentId(shipmentId)
                .setIssuedAt(at).setIssuedBy("planner-7").setPayload(payload).build();
        engine.command(c);
        return c;
    }

    @Test
    void a_scan_that_does_not_come_raises_missed_scan_once_and_the_late_scan_resolves_it() {
        // given a shipment that left A on the lane to H1 (planned arrival 60 min after departure)
        Events s = inTransitToH1("T1");
        RouteLeg leg = engine.state("T1").getRoutePlan().getLegs().get(0);
        Instant due = leg.getPlannedArrival().plus(Duration.ofHours(2)); // standard-parcel's missedScanGrace

        // when the wall clock passes just before the deadline, nothing happens
        engine.advanceTo(due.minusSeconds(5));
        assertThat(engine.exception("T1", ExceptionType.MISSED_SCAN)).isNull();

        // when it passes the deadline and keeps going, MISSED_SCAN is raised once at H1
        engine.advanceTo(due.plusSeconds(2));
        engine.advance(Duration.ofMinutes(10));
        List<ShipmentException> raised = engine.published(ExceptionType.MISSED_SCAN);
        assertThat(raised).singleElement().satisfies(e -> {
            assertThat(e.getStatus()).isEqualTo(ExceptionStatus.OPEN);
            assertThat(e.getFacilityId()).isEqualTo("H1");
            assertThat(e.getSeverity()).isEqualTo(Severity.MEDIUM);
        });

        // and when the late scan arrives, it resolves itself
        engine.pipe(s.arrived("H1"));
        ShipmentException resolved = engine.exception("T1", ExceptionType.MISSED_SCAN);
        assertThat(resolved.getStatus()).isEqualTo(ExceptionStatus.AUTO_RESOLVED);
        assertThat(resolved.getNote()).contains("arrival scan at H1");
    }

    @Test
    void an_unacknowledged_exception_escalates_and_notifies_until_acknowledged() {
        Events s = inTransitToH1("T2");
        Instant missed = engine.state("T2").getRoutePlan().getLegs().get(0).getPlannedArrival().plus(Duration.ofHours(2));
        engine.advanceTo(missed.plusSeconds(2));
        ShipmentException open = ShipmentStateAssert.open(engine.exception("T2", ExceptionType.MISSED_SCAN));

        // when nobody acknowledges it within the policy's 2 hours
        engine.advanceTo(open.getEscalateAt().plusSeconds(2));

        // then it rises to HIGH and the hub-ops audience is notified, once
        ShipmentException escalated = engine.exception("T2", ExceptionType.MISSED_SCAN);
        assertThat(escalated.getSeverity()).isEqualTo(Severity.HIGH);
        assertThat(escalated.getEscalationLevel()).isEqualTo(1);
        Notification note = engine.notifications.readValue();
        assertThat(note.getAudience()).isEqualTo("hub-ops");
        assertThat(note.getNotificationId()).isEqualTo(open.getExceptionId() + "#1");
        assertThat(engine.notifications.isEmpty()).isTrue();

        // when a planner acknowledges it, it stops escalating
        command("T2", new AcknowledgeExceptionCommand(open.getExceptionId(), "driver called"), missed.plusSeconds(3 * 3600));
        assertThat(engine.exception("T2", ExceptionType.MISSED_SCAN).getStatus()).isEqualTo(ExceptionStatus.ACKNOWLEDGED);
        assertThat(engine.exception("T2", ExceptionType.MISSED_SCAN).getAcknowledgedBy()).isEqualTo("planner-7");
        engine.advance(Duration.ofHours(10));
        assertThat(engine.notifications.isEmpty()).isTrue();
        assertThat(engine.state("T2").getLastCommandId()).isNotNull();
    }

    @Test
    void snoozing_postpones_escalation_and_resolving_closes_with_the_note() {
        Events s = inTransitToH1("T3");
        Instant missed = engine.state("T3").getRoutePlan().getLegs().get(0).getPlannedArrival().plus(Duration.ofHours(2));
        engine.advanceTo(missed.plusSeconds(2));
        ShipmentException open = engine.exception("T3", ExceptionType.MISSED_SCAN);

        // when snoozed for six hours, it does not escalate after two
        Instant until = missed.plus(Duration.ofHours(6));
        command("T3", new SnoozeExceptionCommand(open.getExceptionId(), until, "truck breakdown, ETA evening"), missed.plusSeconds(60));
        engine.advanceTo(missed.plus(Duration.ofHours(3)));
        assertThat(engine.notifications.isEmpty()).isTrue();
        // but it does once the snooze is over
        engine.advanceTo(until.plusSeconds(2));
        assertThat(engine.notifications.readValuesToList()).hasSize(1);

        // when resolved with a note, it is closed by that planner
        command("T3", new ResolveExceptionCommand(open.getExceptionId(), "found on the dock"), until.plusSeconds(60));
        ShipmentException resolved = engine.exception("T3", ExceptionType.MISSED_SCAN);
        assertThat(resolved.getStatus()).isEqualTo(ExceptionStatus.RESOLVED);
        assertThat(resolved.getResolvedBy()).isEqualTo("planner-7");
        assertThat(resolved.getNote()).isEqualTo("found on the dock");
    }

    @Test
    void a_command_on_an_unknown_or_closed_exception_is_rejected_in_the_history() {
        Events s = new Events("T4", T0);
        engine.pipe(s.created("A", "B"));
        command("T4", new AcknowledgeExceptionCommand("T4:MISSED_SCAN:1", null), T0.plusSeconds(900));
        assertThat(engine.history("T4")).last().satisfies(e -> {
            assertThat(e.getOutcome().name()).isEqualTo("REJECTED");
            assertThat(e.getReason()).contains("has no exception T4:MISSED_SCAN:1");
        });
    }

    @Test
    void a_shipment_sitting_too_long_raises_dwell_exceeded_and_moving_on_resolves_it() {
        Events s = new Events("T5", T0);
        engine.pipe(s.created("A", "B"));
        var arrival = s.arrived("A");
        engine.pipe(arrival);

        engine.advanceTo(arrival.getOccurredAt().plus(Duration.ofHours(24)).plusSeconds(2)); // AT_FACILITY: PT24H
        ShipmentException dwell = ShipmentStateAssert.open(engine.exception("T5", ExceptionType.DWELL_EXCEEDED));
        assertThat(dwell.getCause()).contains("AT_FACILITY").contains("PT24H");

        engine.pipe(s.after(24 * 60 + 30).departed("A", "A-H1"));
        assertThat(engine.exception("T5", ExceptionType.DWELL_EXCEEDED).getStatus()).isEqualTo(ExceptionStatus.AUTO_RESOLVED);
    }

    @Test
    void a_hold_past_its_end_raises_hold_expired_and_the_release_resolves_it() {
        Events s = new Events("T6", T0);
        engine.pipe(s.created("A", "B"));
        engine.pipe(s.arrived("A"));
        Instant until = T0.plus(Duration.ofHours(2));
        command("T6", new HoldCommand("customs", until), T0.plusSeconds(1800));

        engine.advanceTo(until.plusSeconds(2));
        ShipmentStateAssert.open(engine.exception("T6", ExceptionType.HOLD_EXPIRED));

        command("T6", new ReleaseCommand("cleared"), until.plusSeconds(600));
        assertThat(engine.exception("T6", ExceptionType.HOLD_EXPIRED).getStatus()).isEqualTo(ExceptionStatus.AUTO_RESOLVED);
    }

    @Test
    void the_promise_raises_sla_at_risk_before_it_and_sla_breached_when_it_passes() {
        // given a shipment that is on time when booked, promised 20 hours out, and then sits at A
        Events s = new Events("T7", T0);
        Instant promise = T0.plus(Duration.ofHours(20));
        engine.pipe(s.created("A", "B", promise));
        assertThat(engine.state("T7").getSlaStatus()).isEqualTo(SlaStatus.ON_TIME);

        // when the clock reaches the at-risk margin (4 h before the promise)
        engine.advanceTo(promise.minus(Duration.ofHours(4)).plusSeconds(2));
        ShipmentStateAssert.open(engine.exception("T7", ExceptionType.SLA_AT_RISK));
        assertThat(engine.state("T7").getSlaStatus()).isEqualTo(SlaStatus.AT_RISK);

        // and when the promise passes undelivered
        engine.advanceTo(promise.plusSeconds(2));
        ShipmentException breached = ShipmentStateAssert.open(engine.exception("T7", ExceptionType.SLA_BREACHED));
        assertThat(breached.getSeverity()).isEqualTo(Severity.HIGH);
        assertThat(engine.state("T7").getSlaStatus()).isEqualTo(SlaStatus.LATE);
    }

    @Test
    void the_same_problem_twice_is_one_open_exception_counted_twice() {
        Events s = new Events("T8", T0);
        engine.pipe(s.created("A", "B"));
        engine.pipe(s.arrived("A"));
        engine.pipe(s.damaged("A"));
        engine.pipe(s.damaged("A"));

        assertThat(engine.published(ExceptionType.DAMAGED)).hasSize(1);
        ShipmentException damaged = engine.exception("T8", ExceptionType.DAMAGED);
        assertThat(damaged.getOccurrences()).isEqualTo(2);
        assertThat(damaged.getExceptionId()).isEqualTo("T8:DAMAGED:1");
    }

    @Test
    void the_third_failed_delivery_attempt_starts_the_return_to_the_sender() {
        // given a way back from B to A
        engine.lane("B-A", "B", "A", 180, 10);
        Events s = new Events("T9", T0);
        engine.pipe(s.created("A", "B"));
        engine.pipe(s.arrived("A"));
        engine.pipe(s.departed("A", "A-H1"));
        engine.pipe(s.arrived("H1"));
        engine.pipe(s.departed("H1", "H1-B"));
        engine.pipe(s.arrived("B"));

        // when delivery fails three times
        for (int attempt = 1; attempt <= 3; attempt++) {
            engine.pipe(s.outForDelivery("B"));
            engine.pipe(s.deliveryFailed("nobody home"));
        }

        // then the engine issued one return command, which it then applied: back to A
        List<PlannerCommand> issued = new ArrayList<>();
        engine.engineCommands.readValuesToList().forEach(issued::add);
        assertThat(issued).singleElement().satisfies(c -> {
            assertThat(c.getPayload()).isInstanceOf(StartReturnCommand.class);
            assertThat(c.getIssuedBy()).isEqualTo("waybill-engine");
        });
        var state = engine.state("T9");
        assertThat(state.getStatus()).isEqualTo(ShipmentStatus.RETURNING);
        assertThat(state.getDestination()).isEqualTo("A");
        assertThat(state.getRoutePlan().getLegs()).extracting(RouteLeg::getLaneId).containsExactly("B-A");
        assertThat(engine.exception("T9", ExceptionType.DELIVERY_FAILED).getActions()).anySatisfy(a -> assertThat(a).startsWith("RETURN_TO_SENDER"));
    }

    @Test
    void a_missed_scan_at_a_closed_facility_reroutes_the_shipment_around_it() {
        Events s = inTransitToH1("T10");
        engine.facility("H1", FacilityStatus.CLOSED);
        engine.advance(Duration.ofSeconds(2));
        Instant missed = engine.state("T10").getRoutePlan().getLegs().get(0).getPlannedArrival().plus(Duration.ofHours(2));

        engine.advanceTo(missed.plusSeconds(2));

        ShipmentException e = engine.exception("T10", ExceptionType.MISSED_SCAN);
        assertThat(e.getActions()).anySatisfy(a -> assertThat(a).startsWith("REROUTED from A avoiding H1"));
        assertThat(engine.state("T10").getRoutePlan().getLegs()).extracting(RouteLeg::getLaneId).containsExactly("A-H2", "H2-B");
    }

    @Test
    void every_pending_timer_is_in_the_due_ordered_store_and_nothing_else() {
        inTransitToH1("T11");
        var state = engine.state("T11");
        KeyValueStore<String, String> timers = engine.driver.getKeyValueStore(WaybillStores.TIMERS);
        List<String> keys = new ArrayList<>();
        try (var it = timers.all()) {
            it.forEachRemaining(kv -> keys.add(kv.key));
        }
        assertThat(keys).hasSize(state.getTimers().size()).isSorted();
        state.getTimers().forEach((name, due) -> assertThat(keys).contains(String.format("%013d", due.toEpochMilli()) + "|T11|" + name));
    }

    @Test
    void a_finished_shipment_is_purged_after_its_retention_with_a_tombstone() {
        // given a delivered shipment with an exception
        Events s = new Events("T12", T0);
        engine.pipe(s.created("A", "B"));
        engine.pipe(s.arrived("A"));
        engine.pipe(s.damaged("A"));
        var delivered = s.delivered("front desk");
        engine.pipe(delivered);
        assertThat(engine.state("T12").getTimers()).containsKey("PURGE");

        // when its retention (30 days) has passed
        engine.advanceTo(delivered.getOccurredAt().plus(Duration.ofDays(30)).plusSeconds(2));

        // then nothing is left of it, and the state topic got a tombstone
        assertThat(engine.state("T12")).isNull();
        assertThat(engine.history("T12")).isEmpty();
        assertThat(engine.exception("T12", ExceptionType.DAMAGED)).isNull();
        var states = engine.driver.createOutputTopic(io.waybill.contract.WaybillTopic.SHIPMENT_STATE.topicName(),
                engine.serdes.key().deserializer(), engine.serdes.value(io.waybill.contract.ShipmentState.class).deserializer());
        assertThat(states.readKeyValuesToList()).last().satisfies(kv -> {
            assertThat(kv.key).isEqualTo("T12");
            assertThat(kv.value).isNull();
        });
    }

    @Test
    void each_fired_timer_reports_its_kind_and_how_late_it_fired() {
        // given an engine whose meters record what fired, and a shipment promised 20 hours out
        engine.close();
        java.util.Map<String, Long> lateness = new java.util.LinkedHashMap<>();
        engine = new EngineDriver(TopologySettings.DEFAULTS, new EngineMeters() {
            @Override
            public void timerFired(String kind, long latenessMillis) {
                lateness.put(kind, latenessMillis);
            }
        }).withDiamondNetwork();
        Events s = new Events("T40", T0);
        Instant promise = T0.plus(Duration.ofHours(20));
        engine.pipe(s.created("A", "B", promise));

        // when the engine's clock first passes the promise two seconds after it
        engine.advanceTo(promise.plusSeconds(2));

        // then SLA_BREACHED reports about two seconds of lateness (plus the tick's own time)
        assertThat(lateness).containsKey("SLA_BREACHED");
        assertThat(lateness.get("SLA_BREACHED")).isBetween(2_000L, 2_000L + TopologySettings.DEFAULTS.tickBudget().toMillis());
    }

    @Test
    void a_network_change_appends_its_routing_note_after_the_whole_journey_so_far() {
        // given a shipment booked and scanned at A, planned through H1
        Events s = new Events("T41", T0);
        engine.pipe(s.created("A", "B"));
        engine.pipe(s.arrived("A"));
        List<io.waybill.contract.HistoryEntry> before = engine.history("T41");

        // when H1 closes (a re-plan loads only the history's last record: it appends and never reads)
        engine.facility("H1", FacilityStatus.CLOSED);
        engine.advance(Duration.ofSeconds(2));

        // then every earlier entry is still there, unchanged and in place, with the routing note after them
        List<io.waybill.contract.HistoryEntry> after = engine.history("T41");
        assertThat(after).hasSize(before.size() + 1).startsWith(before.toArray(new io.waybill.contract.HistoryEntry[0]));
        assertThat(after.get(before.size()).getKind()).isEqualTo(io.waybill.contract.HistoryEntryKind.ROUTING);
        assertThat(after.get(before.size()).getReason()).contains("FACILITY_CLOSED H1");

        // and a scan after it appends behind the note
        engine.pipe(s.after(30).departed("A", "A-H2"));
        assertThat(engine.history("T41")).hasSize(after.size() + 1).startsWith(after.toArray(new io.waybill.contract.HistoryEntry[0]));
    }
}
