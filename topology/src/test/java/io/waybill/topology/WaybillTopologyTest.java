package io.waybill.topology;

import io.waybill.contract.DeadLetter;
import io.waybill.contract.ShipmentEvent;
import io.waybill.contract.ShipmentState;
import io.waybill.contract.ShipmentStatus;
import io.waybill.contract.WaybillTopic;
import io.waybill.topology.catalogue.WaybillSerdes;
import io.waybill.topology.catalogue.WaybillStores;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

class WaybillTopologyTest {

    private static final Instant T0 = Instant.parse("2026-11-02T08:00:00Z");

    private TopologyTestDriver driver;
    private TestInputTopic<String, ShipmentEvent> events;
    private TestOutputTopic<String, ShipmentState> states;
    private TestOutputTopic<String, DeadLetter> deadLetters;
    private KeyValueStore<String, ShipmentState> store;

    @BeforeEach
    void start() {
        WaybillSerdes serdes = WaybillSerdes.withoutRegistry();
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "waybill-engine-test");
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        driver = new TopologyTestDriver(WaybillTopology.build(serdes), props, T0);
        events = driver.createInputTopic(WaybillTopic.SHIPMENT_EVENTS.topicName(),
                serdes.key().serializer(), serdes.value(ShipmentEvent.class).serializer());
        states = driver.createOutputTopic(WaybillTopic.SHIPMENT_STATE.topicName(),
                serdes.key().deserializer(), serdes.value(ShipmentState.class).deserializer());
        deadLetters = driver.createOutputTopic(WaybillTopic.DEAD_LETTERS.topicName(),
                serdes.key().deserializer(), serdes.value(DeadLetter.class).deserializer());
        store = driver.getKeyValueStore(WaybillStores.SHIPMENT_STATE);
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    @Test
    void a_shipment_moving_through_the_network_ends_delivered_with_every_event_applied() {
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

        // then the store and the state topic agree on a delivered shipment
        ShipmentState state = store.get("S1");
        assertThat(state.getStatus()).isEqualTo(ShipmentStatus.DELIVERED);
        assertThat(state.getEventsApplied()).isEqualTo(6);
        assertThat(state.getLastFacilityId()).isEqualTo("MUC-DEP");
        assertThat(state.getReceivedBy()).isEqualTo("J. Doe");
        assertThat(state.getLastEventAt()).isEqualTo(delivered.getOccurredAt());
        assertThat(states.readKeyValuesToMap().get("S1")).isEqualTo(state);
    }

    @Test
    void a_departure_from_a_facility_puts_the_shipment_in_transit_and_clears_its_current_facility() {
        // given a shipment at a hub
        Events s = new Events("S2", T0);
        pipe(s.created("BER-HUB", "MUC-DEP"));
        pipe(s.arrived("BER-HUB"));
        assertThat(store.get("S2").getCurrentFacilityId()).isEqualTo("BER-HUB");

        // when it departs on a lane
        pipe(s.departed("BER-HUB", "BER-MUC-1"));

        // then
        ShipmentState state = store.get("S2");
        assertThat(state.getStatus()).isEqualTo(ShipmentStatus.IN_TRANSIT);
        assertThat(state.getCurrentFacilityId()).isNull();
        assertThat(state.getLastLaneId()).isEqualTo("BER-MUC-1");
    }

    @Test
    void an_event_after_delivery_is_rejected_and_does_not_change_the_state() {
        // given a delivered shipment
        Events s = new Events("S3", T0);
        pipe(s.created("BER-HUB", "MUC-DEP"));
        pipe(s.delivered("front desk"));
        ShipmentState delivered = store.get("S3");

        // when a departure scan arrives afterwards
        pipe(s.departed("MUC-DEP", null));

        // then the shipment stays delivered and the rejection is counted
        ShipmentState after = store.get("S3");
        assertThat(after.getStatus()).isEqualTo(ShipmentStatus.DELIVERED);
        assertThat(after.getEventsApplied()).isEqualTo(delivered.getEventsApplied());
        assertThat(after.getEventsRejected()).isEqualTo(1);
        assertThat(after.getLastFacilityId()).isEqualTo(delivered.getLastFacilityId());
    }

    @Test
    void a_held_shipment_remembers_its_movement_and_resumes_it_when_released() {
        // given a held shipment at a hub
        Events s = new Events("S4", T0);
        pipe(s.created("BER-HUB", "MUC-DEP"));
        pipe(s.arrived("BER-HUB"));
        pipe(s.held("customs check"));
        assertThat(store.get("S4").getStatus()).isEqualTo(ShipmentStatus.HELD);

        // when it is moved while held and then released
        pipe(s.departed("BER-HUB", "BER-MUC-1"));
        assertThat(store.get("S4").getStatus()).isEqualTo(ShipmentStatus.HELD);
        pipe(s.released());

        // then it continues as in transit
        assertThat(store.get("S4").getStatus()).isEqualTo(ShipmentStatus.IN_TRANSIT);
        assertThat(store.get("S4").getHoldReason()).isNull();
    }

    @Test
    void a_scan_before_the_booking_creates_the_shipment_and_the_booking_fills_in_its_details() {
        // given a scan for a shipment the engine has not seen booked
        Events s = new Events("S5", T0);
        ShipmentEvent created = s.created("BER-HUB", "MUC-DEP");
        pipe(s.arrived("BER-HUB"));

        // when the booking arrives late
        pipe(created);

        // then the shipment keeps its movement and gains its booking
        ShipmentState state = store.get("S5");
        assertThat(state.getStatus()).isEqualTo(ShipmentStatus.AT_FACILITY);
        assertThat(state.getDestination()).isEqualTo("MUC-DEP");
        assertThat(state.getCreatedAt()).isEqualTo(created.getOccurredAt());
    }

    @Test
    void an_event_keyed_by_another_shipment_goes_to_the_dead_letters_with_the_reason() {
        // given an event for S6 keyed as S7
        Events s = new Events("S6", T0);

        // when it is consumed
        events.pipeInput("S7", s.created("BER-HUB", "MUC-DEP"));

        // then no state is created and a dead letter says why and where from
        assertThat(store.get("S6")).isNull();
        assertThat(store.get("S7")).isNull();
        DeadLetter letter = deadLetters.readValue();
        assertThat(letter.getErrorClass()).isEqualTo("KeyMismatch");
        assertThat(letter.getErrorMessage()).contains("'S7'").contains("'S6'");
        assertThat(letter.getSourceTopic()).isEqualTo(WaybillTopic.SHIPMENT_EVENTS.topicName());
        assertThat(letter.getSourceOffset()).isEqualTo(0L);
        assertThat(StandardCharsets.UTF_8.decode(letter.getOriginalValue()).toString()).contains("\"shipmentId\":\"S6\"");
    }

    private void pipe(ShipmentEvent event) {
        events.pipeInput(event.getShipmentId(), event, event.getRecordedAt());
    }
}
