package io.waybill.topology;

import io.waybill.contract.DeadLetter;
import io.waybill.contract.Facility;
import io.waybill.contract.Lane;
import io.waybill.contract.Notification;
import io.waybill.contract.RoutingInstruction;
import io.waybill.topology.routing.NetworkSnapshots;
import io.waybill.contract.PlannerCommand;
import io.waybill.contract.ShipmentEvent;
import io.waybill.contract.ShipmentException;
import io.waybill.contract.ShipmentHistory;
import io.waybill.contract.ShipmentState;
import io.waybill.contract.WaybillTopic;
import io.waybill.contract.WorkflowDefinition;
import io.waybill.topology.catalogue.WaybillSerdes;
import io.waybill.topology.catalogue.WaybillStores;
import io.waybill.topology.exception.ExceptionIndex;
import io.waybill.topology.shipment.ShipmentIndex;
import io.waybill.topology.shipment.ShipmentDecisions;
import io.waybill.topology.shipment.ShipmentProcessor;
import io.waybill.topology.store.DerivedIndex;
import io.waybill.topology.store.DerivedStores;
import io.waybill.topology.store.IndexedStores;
import io.waybill.topology.timer.ShipmentTimers;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

import java.time.Duration;
import java.util.function.UnaryOperator;
import java.util.Map;

/**
 * The engine's Kafka Streams topology:
 * <pre>
 *   shipment-events  ─┐                      ┌─▶ shipment-state topic
 *   planner-commands ─┴─▶ shipment processor ├─▶ shipment-exceptions topic
 *          ▲               │ stores: state,  ├─▶ routing-instructions topic (keyed by facility)
 *          │               │ history,        ├─▶ notifications topic
 *          │               │ exceptions,     ├─▶ dead-letters topic
 *          │               │ reroute queue, network observed (logged);
 *          │               │ shipment index, timers, exception index (derived from state and exceptions, unlogged)
 *          └───────────────┴─ engine-issued commands (a return after the last failed attempt)
 *   workflows  ──▶ workflow-definitions (global store) ◀─┐
 *   facilities ──▶ network-facilities   (global store) ◀─┼─ read by the processor
 *   lanes      ──▶ network-lanes        (global store) ◀─┘
 * </pre>
 * A wall-clock punctuation in the processor fires due timers, notices network changes and runs
 * queued re-plans (see {@link TopologySettings}).
 */
public final class WaybillTopology {

    static final String EVENTS_SOURCE = "shipment-events-source";
    static final String COMMANDS_SOURCE = "planner-commands-source";
    static final String WORKFLOWS_SOURCE = "workflows-source";
    static final String FACILITIES_SOURCE = "facilities-source";
    static final String LANES_SOURCE = "lanes-source";
    static final String LANE_LOAD_DELTAS_SOURCE = "lane-load-deltas-source";
    static final String LANE_LOAD_AGGREGATOR = "lane-load-aggregator";
    static final String LANE_LOAD_SINK = "lane-load-sink";
    static final String LANE_LOAD_SOURCE = "lane-load-source";
    static final String SHIPMENT_PROCESSOR = "shipment-processor";

    private WaybillTopology() {
    }

    public static Topology build(WaybillSerdes serdes) {
        return build(serdes, TopologySettings.DEFAULTS);
    }

    public static Topology build(WaybillSerdes serdes, Duration dedupeWindow) {
        return build(serdes, TopologySettings.DEFAULTS.withDedupeWindow(dedupeWindow));
    }

    public static Topology build(WaybillSerdes serdes, TopologySettings settings) {
        return build(serdes, settings, EngineMeters.NONE);
    }

    /** The engine topology, reporting timer lateness, re-plan waits and tick lengths to {@code meters}. */
    public static Topology build(WaybillSerdes serdes, TopologySettings settings, EngineMeters meters) {
        return build(serdes, settings, meters, ShipmentDecisions.AS_THEY_ARE);
    }

    /** As {@link #build(WaybillSerdes, TopologySettings, EngineMeters)}, with the shipment decisions wrapped (tests). */
    public static Topology build(WaybillSerdes serdes, TopologySettings settings, EngineMeters meters, UnaryOperator<ShipmentDecisions> decisions) {
        NetworkSnapshots snapshots = new NetworkSnapshots();
        Serde<String> keys = serdes.key();
        // The engine's own stores need no registry (StoreSerde); what it publishes uses the registry's wire format.
        Serde<ShipmentState> states = serdes.store(ShipmentState.class);
        Serde<ShipmentHistory> histories = serdes.store(ShipmentHistory.class);
        Serde<ShipmentException> storedExceptions = serdes.store(ShipmentException.class);
        Serde<WorkflowDefinition> definitions = serdes.value(WorkflowDefinition.class);

        Topology topology = new Topology();
        // Undecodable input reaches the processor as a value, which dead-letters it with its offset (see UndecodableInput).
        topology.addSource(EVENTS_SOURCE, keys.deserializer(), serdes.input(ShipmentEvent.class), WaybillTopic.SHIPMENT_EVENTS.topicName());
        topology.addSource(COMMANDS_SOURCE, keys.deserializer(), serdes.input(PlannerCommand.class), WaybillTopic.PLANNER_COMMANDS.topicName());
        // The shipment index and the timer index follow the state store, the exception index the exception
        // store: derived on every write and every restored changelog record, never logged themselves.
        DerivedStores derived = new DerivedStores();
        topology.addProcessor(SHIPMENT_PROCESSOR, () -> new ShipmentProcessor(settings, snapshots, derived, meters, decisions), EVENTS_SOURCE, COMMANDS_SOURCE);

        topology.addStateStore(logged(Stores.keyValueStoreBuilder(IndexedStores.primary(WaybillStores.SHIPMENT_STATE,
                states.deserializer(), derived, new DerivedIndex<>(WaybillStores.SHIPMENT_INDEX, ShipmentIndex::keys),
                new DerivedIndex<>(WaybillStores.TIMERS, ShipmentTimers::storeKeys)), keys, states)), SHIPMENT_PROCESSOR);
        topology.addStateStore(logged(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(WaybillStores.SHIPMENT_HISTORY), keys, histories)),
                SHIPMENT_PROCESSOR);
        topology.addStateStore(logged(Stores.keyValueStoreBuilder(IndexedStores.primary(WaybillStores.SHIPMENT_EXCEPTIONS,
                storedExceptions.deserializer(), derived, new DerivedIndex<>(WaybillStores.EXCEPTION_INDEX, ExceptionIndex::keys)),
                keys, storedExceptions)), SHIPMENT_PROCESSOR);
        for (String name : new String[]{WaybillStores.SHIPMENT_INDEX, WaybillStores.TIMERS, WaybillStores.EXCEPTION_INDEX}) {
            topology.addStateStore(Stores.keyValueStoreBuilder(IndexedStores.index(name, derived), keys, Serdes.String()).withLoggingDisabled(),
                    SHIPMENT_PROCESSOR);
        }
        for (String name : new String[]{WaybillStores.REROUTE_QUEUE, WaybillStores.NETWORK_OBSERVED}) {
            topology.addStateStore(logged(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), keys, Serdes.String())),
                    SHIPMENT_PROCESSOR);
        }

        // Workflow definitions: every instance reads the whole (small, compacted) topic.
        topology.addGlobalStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(WaybillStores.WORKFLOW_DEFINITIONS), keys, definitions)
                        .withLoggingDisabled(),
                WORKFLOWS_SOURCE, keys.deserializer(), definitions.deserializer(), WaybillTopic.WORKFLOWS.topicName(),
                "workflow-definitions-updater", WorkflowDefinitionUpdater::new);

        // The network: every instance reads the whole (small, compacted) facility and lane topics.
        Serde<Facility> facilitySerde = serdes.value(Facility.class);
        Serde<Lane> laneSerde = serdes.value(Lane.class);
        topology.addGlobalStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(WaybillStores.FACILITIES), keys, facilitySerde)
                        .withLoggingDisabled(),
                FACILITIES_SOURCE, keys.deserializer(), facilitySerde.deserializer(), WaybillTopic.FACILITIES.topicName(),
                "network-facilities-updater", () -> new NetworkUpdater<>(WaybillStores.FACILITIES, snapshots));
        topology.addGlobalStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(WaybillStores.LANES), keys, laneSerde)
                        .withLoggingDisabled(),
                LANES_SOURCE, keys.deserializer(), laneSerde.deserializer(), WaybillTopic.LANES.topicName(),
                "network-lanes-updater", () -> new NetworkUpdater<>(WaybillStores.LANES, snapshots));

        // Lane load: deltas from every task, summed per lane and day by one aggregator, read back by all as a global store.
        topology.addSink(ShipmentProcessor.LANE_LOAD_SINK, WaybillTopic.LANE_LOAD_DELTAS.topicName(),
                keys.serializer(), Serdes.Long().serializer(), SHIPMENT_PROCESSOR);
        topology.addSource(LANE_LOAD_DELTAS_SOURCE, keys.deserializer(), Serdes.Long().deserializer(), WaybillTopic.LANE_LOAD_DELTAS.topicName());
        topology.addProcessor(LANE_LOAD_AGGREGATOR, LaneLoadAggregator::new, LANE_LOAD_DELTAS_SOURCE);
        topology.addStateStore(logged(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(WaybillStores.LANE_LOAD_TOTALS), keys,
                Serdes.Long())), LANE_LOAD_AGGREGATOR);
        topology.addSink(LANE_LOAD_SINK, WaybillTopic.LANE_LOAD.topicName(), keys.serializer(), Serdes.Long().serializer(), LANE_LOAD_AGGREGATOR);
        topology.addGlobalStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(WaybillStores.LANE_LOAD), keys, Serdes.Long())
                        .withLoggingDisabled(),
                LANE_LOAD_SOURCE, keys.deserializer(), Serdes.Long().deserializer(), WaybillTopic.LANE_LOAD.topicName(),
                "lane-load-updater", () -> new NetworkUpdater<>(WaybillStores.LANE_LOAD, null));

        topology.addSink(ShipmentProcessor.INSTRUCTION_SINK, WaybillTopic.ROUTING_INSTRUCTIONS.topicName(),
                keys.serializer(), serdes.value(RoutingInstruction.class).serializer(), SHIPMENT_PROCESSOR);
        topology.addSink(ShipmentProcessor.NOTIFICATION_SINK, WaybillTopic.NOTIFICATIONS.topicName(),
                keys.serializer(), serdes.value(Notification.class).serializer(), SHIPMENT_PROCESSOR);
        topology.addSink(ShipmentProcessor.COMMAND_SINK, WaybillTopic.PLANNER_COMMANDS.topicName(),
                keys.serializer(), serdes.value(PlannerCommand.class).serializer(), SHIPMENT_PROCESSOR);
        topology.addSink(ShipmentProcessor.STATE_SINK, WaybillTopic.SHIPMENT_STATE.topicName(),
                keys.serializer(), serdes.value(ShipmentState.class).serializer(), SHIPMENT_PROCESSOR);
        topology.addSink(ShipmentProcessor.EXCEPTION_SINK, WaybillTopic.SHIPMENT_EXCEPTIONS.topicName(),
                keys.serializer(), serdes.value(ShipmentException.class).serializer(), SHIPMENT_PROCESSOR);
        topology.addSink(ShipmentProcessor.DEAD_LETTER_SINK, WaybillTopic.DEAD_LETTERS.topicName(),
                keys.serializer(), serdes.value(DeadLetter.class).serializer(), SHIPMENT_PROCESSOR);
        return topology;
    }

    private static <S extends org.apache.kafka.streams.processor.StateStore> org.apache.kafka.streams.state.StoreBuilder<S> logged(
            org.apache.kafka.streams.state.StoreBuilder<S> builder) {
        return builder.withLoggingEnabled(Map.of());
    }

    /** Sums the booking deltas of a lane and day and publishes the total (the key's partition owns it). */
    static final class LaneLoadAggregator implements Processor<String, Long, String, Long> {
        private ProcessorContext<String, Long> context;
        private KeyValueStore<String, Long> totals;

        @Override
        public void init(ProcessorContext<String, Long> context) {
            this.context = context;
            this.totals = context.getStateStore(WaybillStores.LANE_LOAD_TOTALS);
        }

        @Override
        public void process(Record<String, Long> record) {
            if (record.key() == null || record.value() == null) return;
            Long current = totals.get(record.key());
            long total = Math.max(0, (current == null ? 0 : current) + record.value());
            totals.put(record.key(), total);
            context.forward(record.withValue(total));
        }
    }

    /** Keeps a network global store equal to its topic and tells the snapshots that the network changed. */
    static final class NetworkUpdater<V> implements Processor<String, V, Void, Void> {
        private final String storeName;
        private final NetworkSnapshots snapshots;
        private KeyValueStore<String, V> store;

        NetworkUpdater(String storeName, NetworkSnapshots snapshots) {
            this.storeName = storeName;
            this.snapshots = snapshots;
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            store = context.getStateStore(storeName);
        }

        @Override
        public void process(Record<String, V> record) {
            if (record.value() == null) store.delete(record.key());
            else store.put(record.key(), record.value());
            if (snapshots != null) snapshots.changed();
        }
    }

    /** Keeps the global store equal to the workflows topic (a tombstone withdraws a version). */
    static final class WorkflowDefinitionUpdater implements Processor<String, WorkflowDefinition, Void, Void> {
        private KeyValueStore<String, WorkflowDefinition> store;

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            store = context.getStateStore(WaybillStores.WORKFLOW_DEFINITIONS);
        }

        @Override
        public void process(Record<String, WorkflowDefinition> record) {
            if (record.value() == null) store.delete(record.key());
            else store.put(record.key(), record.value());
        }
    }
}
