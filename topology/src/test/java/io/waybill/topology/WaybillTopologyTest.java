package io.waybill.topology;

import io.waybill.contract.DeadLetter;
import io.waybill.contract.ExceptionStatus;
import io.waybill.contract.ExceptionType;
import io.waybill.contract.HistoryOutcome;
import io.waybill.contract.HoldCommand;
import io.waybill.contract.PlannerCommand;
import io.waybill.contract.ReleaseCommand;
import io.waybill.contract.Severity;
import io.waybill.contract.ShipmentEvent;
import io.waybill.contract.ShipmentException;
import io.waybill.contract.ShipmentHistory;
import io.waybill.contract.ShipmentState;
import io.waybill.contract.ShipmentStatus;
import io.waybill.contract.WaybillTopic;
import io.waybill.contract.WorkflowDefinition;
import io.waybill.topology.catalogue.WaybillSerdes;
import io.waybill.topology.catalogue.WaybillStores;
import io.waybill.topology.workflow.BuiltInWorkflows;
import io.waybill.topology.workflow.WorkflowDefinitions;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class WaybillTopologyTest {

    private static final Instant T0 = Instant.parse("2026-11-02T08:00:00Z");

    private TopologyTestDriver driver;
    private TestInputTopic<String, ShipmentEvent> events;
    private TestInputTopic<String, PlannerCommand> commands;
    private TestInputTopic<String, WorkflowDefinition> workflows;
    private TestOutputTopic<String, ShipmentState> states;
    private TestOutputTopic<String, ShipmentException> exceptions;
    private TestOutputTopic<String, DeadLetter> deadLetters;
    private KeyValueStore<String, ShipmentState> store;
    private KeyValueStore<String, ShipmentHistory> histories;
    private KeyValueStore<String, String> index;

    @BeforeEach
    void start() {
        WaybillSerdes serdes = WaybillSerdes.withoutRegistry();
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "waybill-engine-test");
        // Own state directory: test runs in parallel JVMs must not share RocksDB locks.
        props.put(StreamsConfig.STATE_DIR_CONFIG, io.waybill.topology.TestDirs.stateDir());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        driver = new TopologyTestDriver(WaybillTopology.build(serdes, Duration.ofDays(7)), props, T0);
        events = driver.createInputTopic(WaybillTopic.SHIPMENT_EVENTS.topicName(),
                serdes.key().serializer(), serdes.value(ShipmentEvent.class).serializer());
        commands = driver.createInputTopic(WaybillTopic.PLANNER_COMMANDS.topicName(),
                serdes.key().serializer(), serdes.value(PlannerCommand.class).serializer());
        workflows = driver.createInputTopic(WaybillTopic.WORKFLOWS.topicName(),
                serdes.key().serializer(), serdes.value(WorkflowDefinition.class).serializer());
        states = driver.createOutputTopic(WaybillTopic.SHIPMENT_STATE.topicName(),
                serdes.key().deserializer(), serdes.value(ShipmentState.class).deserializer());
        exceptions = driver.createOutputTopic(WaybillTopic.SHIPMENT_EXCEPTIONS.topicName(),
                serdes.key().deserializer(), serdes.value(ShipmentException.class).deserializer());
        deadLetters = driver.createOutputTopic(WaybillTopic.DEAD_LETTERS.topicName(),
                serdes.key().deserializer(), serdes.value(DeadLetter.class).deserializer());
        store = driver.getKeyValueStore(WaybillStores.SHIPMENT_STATE);
        histories = driver.getKeyValueStore(WaybillStores.SHIPMENT_HISTORY);
        index = driver.getKeyValueStore(WaybillStores.SHIPMENT_INDEX);
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    @Test
    void a_shipment_moving_through_the_network_ends_delivered_with_its_milestones() {
        // given a booked shipment
        Events s = new Events("S1", T0);
        pipe(s.created("BER-HUB", "MUC-DEP"));

        // when it moves hub to depot and is delivered
        pipe(s.arrived("BER-HUB"));
        pipe(s.departed("BER-HUB", "BER-MUC-1"));
        pipe(s.arrived("MUC-DEP"));
        pipe(s.outForDelivery("MUC-DEP"));
        ShipmentEvent delivered = s.delivered("J. Doe");
        pipe(delivered);

        // then the store and the state topic agree on a delivered shipment under the standard workflow
        ShipmentState state = store.get("S1");
        assertThat(state.getStatus()).isEqualTo(ShipmentStatus.DELIVERED);
        assertThat(state.getEventsApplied()).isEqualTo(6);
        assertThat(state.getLastFacilityId()).isEqualTo("MUC-DEP");
        assertThat(state.getReceivedBy()).isEqualTo("J. Doe");
        assertThat(state.getLastEventAt()).isEqualTo(delivered.getOccurredAt());
        assertThat(state.getWorkflowName()).isEqualTo("standard-parcel");
        assertThat(state.getMilestones()).containsOnlyKeys("RECEIVED", "LINE_HAUL", "OUT_FOR_DELIVERY", "DELIVERED");
        assertThat(state.getMilestones().get("DELIVERED")).isEqualTo(delivered.getOccurredAt());
        assertThat(states.readKeyValuesToMap().get("S1")).isEqualTo(state);
        assertThat(history("S1").getEntries()).extracting(e -> e.getOutcome()).containsOnly(HistoryOutcome.APPLIED);
    }

    @Test
    void the_same_event_id_twice_changes_nothing_the_second_time() {
        // given a shipment at a hub
        Events s = new Events("S2", T0);
        pipe(s.created("BER-HUB", "MUC-DEP"));
        ShipmentEvent arrival = s.arrived("BER-HUB");
        pipe(arrival);
        ShipmentState once = store.get("S2");
        states.readValuesToList();

        // when the scanner resends the arrival
        pipe(Events.resend(arrival));

        // then the state is the same, nothing is republished, and the history says why
        assertThat(store.get("S2")).isEqualTo(once);
        assertThat(states.isEmpty()).isTrue();
        assertThat(history("S2").getEntries()).filteredOn(e -> e.getOutcome() == HistoryOutcome.DUPLICATE)
                .singleElement().satisfies(e -> assertThat(e.getId()).isEqualTo(arrival.getEventId()));
    }

    @Test
    void a_departure_scanned_before_its_arrival_scan_is_folded_as_if_in_order() {
        // given a booked shipment whose arrival scan is stuck in an offline scanner
        Events s = new Events("S3", T0);
        ShipmentEvent booking = s.created("BER-HUB", "MUC-DEP");
        pipe(booking);
        ShipmentEvent arrival = s.arrived("BER-HUB");
        ShipmentEvent departure = s.departed("BER-HUB", "BER-MUC-1");

        // when the departure arrives first, it is rejected (a booked parcel cannot depart) ...
        pipe(departure);
        assertThat(store.get("S3").getEventsRejected()).isEqualTo(1);
        ShipmentException raised = nextException(ExceptionType.INVALID_TRANSITION);
        assertThat(raised.getType()).isEqualTo(ExceptionType.INVALID_TRANSITION);
        assertThat(raised.getStatus()).isEqualTo(ExceptionStatus.OPEN);

        // ... and when the late arrival scan comes in
        pipe(arrival);

        // then the state is what in-order arrival gives, and the exception resolves itself
        ShipmentState state = store.get("S3");
        assertThat(state.getStatus()).isEqualTo(ShipmentStatus.IN_TRANSIT);
        assertThat(state.getEventsApplied()).isEqualTo(3);
        assertThat(state.getEventsRejected()).isZero();
        assertThat(state.getLastEventAt()).isEqualTo(departure.getOccurredAt());
        ShipmentException resolved = nextException(ExceptionType.INVALID_TRANSITION);
        assertThat(resolved.getExceptionId()).isEqualTo(raised.getExceptionId());
        assertThat(resolved.getStatus()).isEqualTo(ExceptionStatus.AUTO_RESOLVED);
        assertThat(history("S3").getEntries()).filteredOn(e -> e.getKind() != io.waybill.contract.HistoryEntryKind.ROUTING)
                .extracting(e -> e.getId())
                .containsExactly(booking.getEventId(), arrival.getEventId(), departure.getEventId());
    }

    @Test
    void an_event_after_delivery_is_rejected_recorded_and_raises_an_invalid_transition() {
        // given a delivered shipment
        Events s = new Events("S4", T0);
        pipe(s.created("BER-HUB", "MUC-DEP"));
        pipe(s.arrived("MUC-DEP"));
        pipe(s.delivered("front desk"));
        ShipmentState delivered = store.get("S4");

        // when a departure scan arrives afterwards
        ShipmentEvent late = s.departed("MUC-DEP", null);
        pipe(late);

        // then the shipment stays delivered, the rejection is counted, recorded and raised
        ShipmentState after = store.get("S4");
        assertThat(after.getStatus()).isEqualTo(ShipmentStatus.DELIVERED);
        assertThat(after.getEventsApplied()).isEqualTo(delivered.getEventsApplied());
        assertThat(after.getEventsRejected()).isEqualTo(1);
        assertThat(history("S4").getEntries()).last().satisfies(e -> {
            assertThat(e.getOutcome()).isEqualTo(HistoryOutcome.REJECTED);
            assertThat(e.getReason()).contains("DEPARTED_FACILITY is not allowed").contains("DELIVERED");
        });
        ShipmentException exception = nextException(ExceptionType.INVALID_TRANSITION);
        assertThat(exception.getType()).isEqualTo(ExceptionType.INVALID_TRANSITION);
        assertThat(exception.getTriggeringEventId()).isEqualTo(late.getEventId());
    }

    @Test
    void anything_after_cancellation_is_rejected() {
        Events s = new Events("S5", T0);
        pipe(s.created("BER-HUB", "MUC-DEP"));
        pipe(s.cancelled("customer withdrew"));
        pipe(s.arrived("BER-HUB"));

        assertThat(store.get("S5").getStatus()).isEqualTo(ShipmentStatus.CANCELLED);
        assertThat(store.get("S5").getEventsRejected()).isEqualTo(1);
    }

    @Test
    void planner_hold_and_release_commands_overlay_the_movement() {
        // given a shipment at a hub, held by a planner
        Events s = new Events("S6", T0);
        pipe(s.created("BER-HUB", "MUC-DEP"));
        pipe(s.arrived("BER-HUB"));
        String hold = UUID.randomUUID().toString();
        command("S6", hold, T0.plusSeconds(1900), new HoldCommand("customs check", null));
        assertThat(store.get("S6").getStatus()).isEqualTo(ShipmentStatus.HELD);
        assertThat(store.get("S6").getLastCommandId()).isEqualTo(hold);

        // when it is moved while held and then released
        pipe(s.departed("BER-HUB", "BER-MUC-1"));
        assertThat(store.get("S6").getStatus()).isEqualTo(ShipmentStatus.HELD);
        command("S6", UUID.randomUUID().toString(), T0.plusSeconds(3000), new ReleaseCommand("cleared"));

        // then it continues in transit, and the commands are counted
        ShipmentState state = store.get("S6");
        assertThat(state.getStatus()).isEqualTo(ShipmentStatus.IN_TRANSIT);
        assertThat(state.getHoldReason()).isNull();
        assertThat(state.getCommandsApplied()).isEqualTo(2);
    }

    @Test
    void a_cold_chain_booking_runs_the_cold_chain_workflow_and_damage_raises_a_critical_exception() {
        Events s = new Events("S7", T0);
        pipe(s.coldChainCreated("BER-HUB", "MUC-DEP"));
        pipe(s.arrived("BER-HUB"));
        pipe(s.damaged("BER-HUB"));

        ShipmentState state = store.get("S7");
        assertThat(state.getWorkflowName()).isEqualTo("cold-chain");
        assertThat(state.getDamageReports()).isEqualTo(1);
        ShipmentException damage = nextException(ExceptionType.DAMAGED);
        assertThat(damage.getType()).isEqualTo(ExceptionType.DAMAGED);
        assertThat(damage.getSeverity()).isEqualTo(Severity.CRITICAL);
        assertThat(damage.getFacilityId()).isEqualTo("BER-HUB");
    }

    @Test
    void a_new_workflow_version_applies_to_new_shipments_only() throws Exception {
        // given a shipment booked under standard-parcel@1
        Events old = new Events("S8", T0);
        pipe(old.created("BER-HUB", "MUC-DEP"));

        // when version 2 is published, without parcel-shop pick-up (no DELIVERED from AT_FACILITY)
        WorkflowDefinitions.Document v2 = BuiltInWorkflows.documents().get(0);
        v2.version = 2;
        v2.transitions.get(4).from = List.of("OUT_FOR_DELIVERY");
        workflows.pipeInput("standard-parcel@2", new WorkflowDefinition("standard-parcel", 2, WorkflowDefinitions.toJson(v2), T0, "test"));
        Events fresh = new Events("S9", T0);
        pipe(fresh.created("BER-HUB", "MUC-DEP"));

        // then the old shipment keeps version 1 and may still be collected at the depot; the new one may not
        pipe(old.arrived("MUC-DEP"));
        pipe(old.delivered("counter"));
        pipe(fresh.arrived("MUC-DEP"));
        pipe(fresh.delivered("counter"));
        assertThat(store.get("S8").getWorkflowVersion()).isEqualTo(1);
        assertThat(store.get("S8").getStatus()).isEqualTo(ShipmentStatus.DELIVERED);
        assertThat(store.get("S9").getWorkflowVersion()).isEqualTo(2);
        assertThat(store.get("S9").getStatus()).isEqualTo(ShipmentStatus.AT_FACILITY);
        assertThat(store.get("S9").getEventsRejected()).isEqualTo(1);
    }

    @Test
    void the_index_follows_status_and_facility() {
        Events s = new Events("S10", T0);
        pipe(s.created("BER-HUB", "MUC-DEP"));
        pipe(s.arrived("BER-HUB"));
        assertThat(index.get("status/AT_FACILITY/S10")).isNotNull();
        assertThat(index.get("facility/BER-HUB/S10")).isNotNull();

        pipe(s.departed("BER-HUB", "L1"));
        assertThat(index.get("status/AT_FACILITY/S10")).isNull();
        assertThat(index.get("status/IN_TRANSIT/S10")).isNotNull();
    }

    @Test
    void a_scan_before_the_booking_creates_the_shipment_and_the_booking_fills_in_its_details() {
        // given a scan for a shipment the engine has not seen booked
        Events s = new Events("S11", T0);
        ShipmentEvent created = s.created("BER-HUB", "MUC-DEP");
        pipe(s.arrived("BER-HUB"));

        // when the booking arrives late
        pipe(created);

        // then the shipment keeps its movement and gains its booking
        ShipmentState state = store.get("S11");
        assertThat(state.getStatus()).isEqualTo(ShipmentStatus.AT_FACILITY);
        assertThat(state.getDestination()).isEqualTo("MUC-DEP");
        assertThat(state.getCreatedAt()).isEqualTo(created.getOccurredAt());
        assertThat(state.getEventsRejected()).isZero();
    }

    @Test
    void an_event_keyed_by_another_shipment_goes_to_the_dead_letters_with_the_reason() {
        // given an event for S12 keyed as S13
        Events s = new Events("S12", T0);

        // when it is consumed
        events.pipeInput("S13", s.created("BER-HUB", "MUC-DEP"));

        // then no state is created and a dead letter says why and where from
        assertThat(store.get("S12")).isNull();
        assertThat(store.get("S13")).isNull();
        DeadLetter letter = deadLetters.readValue();
        assertThat(letter.getErrorClass()).isEqualTo("KeyMismatch");
        assertThat(letter.getErrorMessage()).contains("'S13'").contains("'S12'");
        assertThat(letter.getSourceTopic()).isEqualTo(WaybillTopic.SHIPMENT_EVENTS.topicName());
        assertThat(letter.getSourceOffset()).isEqualTo(0L);
        assertThat(StandardCharsets.UTF_8.decode(letter.getOriginalValue()).toString()).contains("\"shipmentId\":\"S12\"");
    }

    private void pipe(ShipmentEvent event) {
        events.pipeInput(event.getShipmentId(), event, event.getRecordedAt());
    }

    private void command(String shipmentId, String commandId, Instant at, Object payload) {
        commands.pipeInput(shipmentId, new PlannerCommand(commandId, shipmentId, at, "planner-1", payload, java.util.Map.of()), at);
    }

    /** The next exception of a type on the exceptions topic (these tests run without a network, so NO_ROUTE comes too). */
    private ShipmentException nextException(ExceptionType type) {
        while (!exceptions.isEmpty()) {
            ShipmentException e = exceptions.readValue();
            if (e.getType() == type) return e;
        }
        throw new AssertionError("no " + type + " exception was published");
    }

    private ShipmentHistory history(String shipmentId) {
        return io.waybill.topology.shipment.HistoryRecords.read(histories, shipmentId);
    }
}
