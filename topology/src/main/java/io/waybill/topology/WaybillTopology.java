package io.waybill.topology;

import io.waybill.contract.DeadLetter;
import io.waybill.contract.PlannerCommand;
import io.waybill.contract.ShipmentEvent;
import io.waybill.contract.ShipmentException;
import io.waybill.contract.ShipmentHistory;
import io.waybill.contract.ShipmentState;
import io.waybill.contract.WaybillTopic;
import io.waybill.contract.WorkflowDefinition;
import io.waybill.topology.catalogue.WaybillSerdes;
import io.waybill.topology.catalogue.WaybillStores;
import io.waybill.topology.shipment.ShipmentProcessor;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

import java.time.Duration;
import java.util.Map;

/**
 * The engine's Kafka Streams topology:
 * <pre>
 *   shipment-events  ─┐                      ┌─▶ shipment-state topic
 *   planner-commands ─┴─▶ shipment processor ├─▶ shipment-exceptions topic
 *                          │ stores: state,  └─▶ dead-letters topic
 *                          │ history, index, seen ids
 *   workflows ──▶ workflow-definitions (global store) ◀── read by the processor
 * </pre>
 */
public final class WaybillTopology {

    static final String EVENTS_SOURCE = "shipment-events-source";
    static final String COMMANDS_SOURCE = "planner-commands-source";
    static final String WORKFLOWS_SOURCE = "workflows-source";
    static final String SHIPMENT_PROCESSOR = "shipment-processor";

    private WaybillTopology() {
    }

    public static Topology build(WaybillSerdes serdes) {
        return build(serdes, WaybillStores.DEFAULT_DEDUPE_WINDOW);
    }

    public static Topology build(WaybillSerdes serdes, Duration dedupeWindow) {
        Serde<String> keys = serdes.key();
        Serde<ShipmentState> states = serdes.value(ShipmentState.class);
        Serde<ShipmentHistory> histories = serdes.value(ShipmentHistory.class);
        Serde<WorkflowDefinition> definitions = serdes.value(WorkflowDefinition.class);

        Topology topology = new Topology();
        topology.addSource(EVENTS_SOURCE, keys.deserializer(), serdes.value(ShipmentEvent.class).deserializer(),
                WaybillTopic.SHIPMENT_EVENTS.topicName());
        topology.addSource(COMMANDS_SOURCE, keys.deserializer(), serdes.value(PlannerCommand.class).deserializer(),
                WaybillTopic.PLANNER_COMMANDS.topicName());
        topology.addProcessor(SHIPMENT_PROCESSOR, () -> new ShipmentProcessor(dedupeWindow), EVENTS_SOURCE, COMMANDS_SOURCE);

        topology.addStateStore(logged(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(WaybillStores.SHIPMENT_STATE), keys, states)),
                SHIPMENT_PROCESSOR);
        topology.addStateStore(logged(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(WaybillStores.SHIPMENT_HISTORY), keys, histories)),
                SHIPMENT_PROCESSOR);
        topology.addStateStore(logged(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(WaybillStores.SHIPMENT_INDEX), keys, Serdes.String())),
                SHIPMENT_PROCESSOR);
        topology.addStateStore(Stores.windowStoreBuilder(
                        Stores.persistentWindowStore(WaybillStores.SEEN_IDS, dedupeWindow, dedupeWindow, false), keys, Serdes.Long())
                        .withLoggingEnabled(Map.of()), SHIPMENT_PROCESSOR);

        // Workflow definitions: every instance reads the whole (small, compacted) topic.
        topology.addGlobalStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(WaybillStores.WORKFLOW_DEFINITIONS), keys, definitions)
                        .withLoggingDisabled(),
                WORKFLOWS_SOURCE, keys.deserializer(), definitions.deserializer(), WaybillTopic.WORKFLOWS.topicName(),
                "workflow-definitions-updater", WorkflowDefinitionUpdater::new);

        topology.addSink(ShipmentProcessor.STATE_SINK, WaybillTopic.SHIPMENT_STATE.topicName(),
                keys.serializer(), states.serializer(), SHIPMENT_PROCESSOR);
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
