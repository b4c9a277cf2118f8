package io.waybill.topology.shipment;

import io.waybill.contract.ArrivedAtFacility;
import io.waybill.contract.Cancelled;
import io.waybill.contract.Damaged;
import io.waybill.contract.Delivered;
import io.waybill.contract.DeliveryAttemptFailed;
import io.waybill.contract.DepartedFacility;
import io.waybill.contract.ExceptionStatus;
import io.waybill.contract.ExceptionType;
import io.waybill.contract.Held;
import io.waybill.contract.OutForDelivery;
import io.waybill.contract.Released;
import io.waybill.contract.ServiceLevel;
import io.waybill.contract.ShipmentCreated;
import io.waybill.contract.ShipmentEvent;
import io.waybill.contract.ShipmentException;
import io.waybill.contract.ShipmentState;
import io.waybill.contract.WaybillTopic;
import io.waybill.topology.WaybillTopology;
import io.waybill.topology.catalogue.WaybillSerdes;
import io.waybill.topology.catalogue.WaybillStores;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyTestDriver;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random event sequences, resent and shuffled as offline scanners and retrying warehouses do,
 * through the topology and through the reference model: the same final state and the same open
 * INVALID_TRANSITION exceptions, whatever the arrival order. Each case is generated from its seed
 * (shown in the test name), so a failure is reproduced by running that seed again.
 */
class ShipmentWorkflowPropertyTest {

    private static final Instant T0 = Instant.parse("2026-11-02T00:00:00Z");
    private static final List<String> FACILITIES = List.of("BER-HUB", "HAM-HUB", "MUC-DEP");

    /** One event of the generated history: what it is and when it happened (minutes after T0). */
    record Step(String type, String facility, int minute) {
    }

    /** A scenario: the events and the order in which they reach the engine (indices, with repeats for resends). */
    record Scenario(List<Step> steps, List<Integer> arrivalOrder) {
    }

    static final int CASES = 200;

    // Building a driver (and its RocksDB stores) per case costs more than the case itself.
    private static final WaybillSerdes serdes = WaybillSerdes.withoutRegistry();
    private static TopologyTestDriver driver;

    @org.junit.jupiter.api.BeforeAll
    static void startDriver() {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "property");
        // Own state directory: test runs in parallel JVMs must not share RocksDB locks.
        props.put(StreamsConfig.STATE_DIR_CONFIG, io.waybill.topology.TestDirs.stateDir());
        driver = new TopologyTestDriver(WaybillTopology.build(serdes, Duration.ofDays(7)), props, T0);
    }

    @org.junit.jupiter.api.AfterAll
    static void stopDriver() {
        driver.close();
    }

    static LongStream seeds() {
        return LongStream.range(0, CASES).map(i -> 0x5EED_0000L + i);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void the_topology_agrees_with_the_reference_model_under_duplicates_and_reordering(long seed) {
        Scenario scenario = scenario(new Random(seed));
        // given the events of one shipment and the order the engine receives them in
        List<ShipmentEvent> events = new ArrayList<>();
        String shipmentId = "P" + seed;
        for (int i = 0; i < scenario.steps().size(); i++) events.add(event(shipmentId, i, scenario.steps().get(i)));
        List<ShipmentEvent> arrivals = scenario.arrivalOrder().stream().map(events::get).toList();

        // when they go through the topology (one driver for all cases: each case is its own shipment)
        {
            var input = driver.createInputTopic(WaybillTopic.SHIPMENT_EVENTS.topicName(), serdes.key().serializer(),
                    serdes.value(ShipmentEvent.class).serializer());
            long t = 0;
            for (ShipmentEvent e : arrivals) input.pipeInput(e.getShipmentId(), e, T0.plusSeconds(t++));
            ShipmentState state = driver.<String, ShipmentState>getKeyValueStore(WaybillStores.SHIPMENT_STATE).get(shipmentId);

            // One INVALID_TRANSITION exception per shipment is active at a time (no alert storms).
            ShipmentException invalid = driver.<String, ShipmentException>getKeyValueStore(WaybillStores.SHIPMENT_EXCEPTIONS)
                    .get(shipmentId + "|" + ExceptionType.INVALID_TRANSITION);
            boolean open = invalid != null && (invalid.getStatus() == ExceptionStatus.OPEN || invalid.getStatus() == ExceptionStatus.ACKNOWLEDGED);

            // then it agrees with the model
            WorkflowReferenceModel.Result expected = WorkflowReferenceModel.run(arrivals);
            assertThat(state.getStatus().name()).as("status").isEqualTo(expected.status());
            assertThat(state.getEventsApplied()).as("applied").isEqualTo(expected.applied());
            assertThat(state.getEventsRejected()).as("rejected").isEqualTo(expected.rejected());
            assertThat(state.getLastFacilityId()).as("last facility").isEqualTo(expected.lastFacility());
            assertThat(open).as("an INVALID_TRANSITION exception is open exactly while events are rejected: " + expected.rejectedEventIds())
                    .isEqualTo(!expected.rejectedEventIds().isEmpty());
        }
    }

    private static final List<String> TYPES = List.of("ARRIVED_AT_FACILITY", "ARRIVED_AT_FACILITY", "DEPARTED_FACILITY",
            "DEPARTED_FACILITY", "OUT_FOR_DELIVERY", "DELIVERED", "DELIVERY_ATTEMPT_FAILED", "DAMAGED", "HELD", "RELEASED", "CANCELLED");

    /** A booking and up to 12 other events at random minutes; each arrives once, up to 4 arrive twice, in a shuffled order. */
    static Scenario scenario(Random random) {
        List<Step> steps = new ArrayList<>();
        steps.add(new Step("SHIPMENT_CREATED", null, random.nextInt(121)));
        int others = random.nextInt(13);
        for (int i = 0; i < others; i++) {
            steps.add(new Step(TYPES.get(random.nextInt(TYPES.size())), FACILITIES.get(random.nextInt(FACILITIES.size())), random.nextInt(121)));
        }
        List<Integer> arrivals = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) arrivals.add(i);
        int resends = random.nextInt(5);
        for (int r = 0; r < resends; r++) arrivals.add(random.nextInt(steps.size()));
        Collections.shuffle(arrivals, random);
        return new Scenario(steps, arrivals);
    }

    private static ShipmentEvent event(String shipmentId, int index, Step s) {
        Object payload = switch (s.type()) {
            case "SHIPMENT_CREATED" -> ShipmentCreated.newBuilder().setOrigin("BER-HUB").setDestination("MUC-DEP")
                    .setServiceLevel(ServiceLevel.STANDARD).setWeightKg(1).setHandling(List.of()).build();
            case "ARRIVED_AT_FACILITY" -> new ArrivedAtFacility(s.facility());
            case "DEPARTED_FACILITY" -> new DepartedFacility(s.facility(), null);
            case "OUT_FOR_DELIVERY" -> new OutForDelivery(s.facility(), null);
            case "DELIVERED" -> new Delivered("r", null);
            case "DELIVERY_ATTEMPT_FAILED" -> new DeliveryAttemptFailed("not home");
            case "DAMAGED" -> new Damaged(s.facility(), null);
            case "HELD" -> new Held("check");
            case "RELEASED" -> new Released(null);
            case "CANCELLED" -> new Cancelled("withdrawn");
            default -> throw new IllegalArgumentException(s.type());
        };
        Instant at = T0.plus(Duration.ofMinutes(s.minute()));
        return ShipmentEvent.newBuilder().setEventId(String.format("e%02d", index)).setShipmentId(shipmentId)
                .setOccurredAt(at).setRecordedAt(at).setSource("property").setPayload(payload).build();
    }
}
