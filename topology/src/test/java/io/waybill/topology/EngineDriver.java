package io.waybill.topology;

import io.waybill.contract.DeadLetter;
import io.waybill.topology.shipment.ShipmentDecisions;
import java.util.function.UnaryOperator;
import io.waybill.contract.Facility;
import io.waybill.contract.FacilityStatus;
import io.waybill.contract.FacilityType;
import io.waybill.contract.HistoryEntry;
import io.waybill.contract.Lane;
import io.waybill.contract.Notification;
import io.waybill.contract.PlannerCommand;
import io.waybill.contract.RoutingInstruction;
import io.waybill.contract.ShipmentEvent;
import io.waybill.contract.ShipmentException;
import io.waybill.contract.ShipmentHistory;
import io.waybill.contract.ShipmentState;
import io.waybill.contract.TransportMode;
import io.waybill.contract.WaybillTopic;
import io.waybill.topology.catalogue.WaybillSerdes;
import io.waybill.topology.catalogue.WaybillStores;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * The engine topology in a TopologyTestDriver with its inputs, outputs and stores at hand, and a
 * small network to route over:
 * <pre>
 *   A ──60──▶ H1 ──120──▶ B        lanes run continuously; minutes are transit times;
 *   │          │30        ▲        via H1 is cheaper than via H2, so it is the plan
 *   └──90──▶ H2 ──90──────┘        C is reachable from B only (C ◀─30─ B)
 * </pre>
 */
final class EngineDriver implements AutoCloseable {

    static final Instant T0 = Instant.parse("2026-11-02T08:00:00Z");

    final TopologyTestDriver driver;
    final WaybillSerdes serdes = WaybillSerdes.withoutRegistry();
    final TestInputTopic<String, ShipmentEvent> events;
    final TestInputTopic<String, PlannerCommand> commands;
    final TestInputTopic<String, Facility> facilities;
    final TestInputTopic<String, Lane> lanes;
    final TestOutputTopic<String, ShipmentException> exceptions;
    final TestOutputTopic<String, RoutingInstruction> instructions;
    final TestOutputTopic<String, Notification> notifications;
    final TestOutputTopic<String, PlannerCommand> engineCommands;
    final TestOutputTopic<String, DeadLetter> deadLetters;

    EngineDriver() {
        this(TopologySettings.DEFAULTS);
    }

    EngineDriver(TopologySettings settings) {
        this(settings, EngineMeters.NONE);
    }

    EngineDriver(TopologySettings settings, EngineMeters meters) {
        this(settings, meters, ShipmentDecisions.AS_THEY_ARE);
    }

    /** With the engine's decisions wrapped: a test makes one of them throw. */
    EngineDriver(TopologySettings settings, EngineMeters meters, UnaryOperator<ShipmentDecisions> decisions) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "waybill-engine-test");
        // Own state directory: test runs in parallel JVMs must not share RocksDB locks.
        props.put(StreamsConfig.STATE_DIR_CONFIG, io.waybill.topology.TestDirs.stateDir());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        driver = new TopologyTestDriver(WaybillTopology.build(serdes, settings, meters, decisions), props, T0);
        events = driver.createInputTopic(WaybillTopic.SHIPMENT_EVENTS.topicName(), serdes.key().serializer(),
                serdes.value(ShipmentEvent.class).serializer());
        commands = driver.createInputTopic(WaybillTopic.PLANNER_COMMANDS.topicName(), serdes.key().serializer(),
                serdes.value(PlannerCommand.class).serializer());
        facilities = driver.createInputTopic(WaybillTopic.FACILITIES.topicName(), serdes.key().serializer(),
                serdes.value(Facility.class).serializer());
        lanes = driver.createInputTopic(WaybillTopic.LANES.topicName(), serdes.key().serializer(),
                serdes.value(Lane.class).serializer());
        exceptions = driver.createOutputTopic(WaybillTopic.SHIPMENT_EXCEPTIONS.topicName(), serdes.key().deserializer(),
                serdes.value(ShipmentException.class).deserializer());
        instructions = driver.createOutputTopic(WaybillTopic.ROUTING_INSTRUCTIONS.topicName(), serdes.key().deserializer(),
                serdes.value(RoutingInstruction.class).deserializer());
        notifications = driver.createOutputTopic(WaybillTopic.NOTIFICATIONS.topicName(), serdes.key().deserializer(),
                serdes.value(Notification.class).deserializer());
        deadLetters = driver.createOutputTopic(WaybillTopic.DEAD_LETTERS.topicName(), serdes.key().deserializer(),
                serdes.value(DeadLetter.class).deserializer());
        engineCommands = driver.createOutputTopic(WaybillTopic.PLANNER_COMMANDS.topicName(), serdes.key().deserializer(),
                serdes.value(PlannerCommand.class).deserializer());
    }

    /** The network drawn above, all OPEN. */
    EngineDriver withDiamondNetwork() {
        for (String id : List.of("A", "H1", "H2", "B", "C")) facility(id, FacilityStatus.OPEN);
        lane("A-H1", "A", "H1", 60, 10);
        lane("H1-B", "H1", "B", 120, 10);
        lane("A-H2", "A", "H2", 90, 20);
        lane("H2-B", "H2", "B", 90, 20);
        lane("H1-H2", "H1", "H2", 30, 5);
        lane("B-C", "B", "C", 30, 5);
        return this;
    }

    void facility(String id, FacilityStatus status) {
        facilities.pipeInput(id, Facility.newBuilder().setFacilityId(id).setName(id)
                .setType(id.startsWith("H") ? FacilityType.HUB : FacilityType.DEPOT).setRegion("EU-CENTRAL")
                .setTimeZone("Europe/Berlin").setLatitude(52.5).setLongitude(13.4).setStatus(status).setHourlyCapacity(1000)
                .setHandlingMinutes(30).setUpdatedAt(T0).build());
    }

    void lane(String id, String from, String to, int minutes, double cost) {
        lane(id, from, to, minutes, cost, false);
    }

    void lane(String id, String from, String to, int minutes, double cost, boolean disrupted) {
        lane(id, from, to, minutes, cost, disrupted, 10_000);
    }

    void lane(String id, String from, String to, int minutes, double cost, boolean disrupted, int dailyCapacity) {
        lanes.pipeInput(id, Lane.newBuilder().setLaneId(id).setFromFacilityId(from).setToFacilityId(to).setCarrier("test-carrier")
                .setMode(TransportMode.ROAD).setTransitMinutes(minutes).setDepartureTimes(new ArrayList<>()).setDailyCapacity(dailyCapacity)
                .setCost(cost).setAllowedHandling(new ArrayList<>()).setDisrupted(disrupted).setUpdatedAt(T0).build());
    }

    void pipe(ShipmentEvent e) {
        events.pipeInput(e.getShipmentId(), e, e.getRecordedAt());
    }

    void command(PlannerCommand c) {
        commands.pipeInput(c.getShipmentId(), c, c.getIssuedAt());
    }

    /** Lets wall-clock time pass; the engine's tick fires due timers and runs queued re-plans. */
    void advance(Duration d) {
        driver.advanceWallClockTime(d);
        elapsed += d.toMillis();
    }

    /** Advances the wall clock to an instant (the driver starts at T0). */
    void advanceTo(Instant at) {
        long now = T0.toEpochMilli() + elapsed;
        if (at.toEpochMilli() > now) {
            long step = at.toEpochMilli() - now;
            driver.advanceWallClockTime(Duration.ofMillis(step));
            elapsed += step;
        }
    }

    private long elapsed;

    ShipmentState state(String shipmentId) {
        return driver.<String, ShipmentState>getKeyValueStore(WaybillStores.SHIPMENT_STATE).get(shipmentId);
    }

    List<HistoryEntry> history(String shipmentId) {
        ShipmentHistory h = io.waybill.topology.shipment.HistoryRecords.read(
                driver.<String, ShipmentHistory>getKeyValueStore(WaybillStores.SHIPMENT_HISTORY), shipmentId);
        return h == null ? List.of() : h.getEntries();
    }

    ShipmentException exception(String shipmentId, io.waybill.contract.ExceptionType type) {
        return driver.<String, ShipmentException>getKeyValueStore(WaybillStores.SHIPMENT_EXCEPTIONS).get(shipmentId + "|" + type);
    }

    List<ShipmentException> published(io.waybill.contract.ExceptionType type) {
        return exceptions.readValuesToList().stream().filter(e -> e.getType() == type).toList();
    }

    @Override
    public void close() {
        driver.close();
    }
}
