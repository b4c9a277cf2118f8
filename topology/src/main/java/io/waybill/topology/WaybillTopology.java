package io.waybill.topology;

import io.waybill.contract.DeadLetter;
import io.waybill.contract.ShipmentEvent;
import io.waybill.contract.ShipmentState;
import io.waybill.contract.WaybillTopic;
import io.waybill.topology.catalogue.WaybillSerdes;
import io.waybill.topology.catalogue.WaybillStores;
import io.waybill.topology.shipment.ShipmentStateProcessor;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

import java.util.Map;

/**
 * The engine's Kafka Streams topology:
 * <pre>
 *   shipment-events ──▶ shipment-state (store) ──▶ shipment-state topic
 *                                              └─▶ dead-letters topic
 * </pre>
 */
public final class WaybillTopology {

    static final String EVENTS_SOURCE = "shipment-events-source";
    static final String STATE_PROCESSOR = "shipment-state-processor";

    private WaybillTopology() {
    }

    public static Topology build(WaybillSerdes serdes) {
        Serde<String> keys = serdes.key();
        Serde<ShipmentEvent> events = serdes.value(ShipmentEvent.class);
        Serde<ShipmentState> states = serdes.value(ShipmentState.class);
        Serde<DeadLetter> deadLetters = serdes.value(DeadLetter.class);

        Topology topology = new Topology();
        topology.addSource(EVENTS_SOURCE, keys.deserializer(), events.deserializer(), WaybillTopic.SHIPMENT_EVENTS.topicName());
        topology.addProcessor(STATE_PROCESSOR, ShipmentStateProcessor::new, EVENTS_SOURCE);
        topology.addStateStore(
                Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(WaybillStores.SHIPMENT_STATE), keys, states)
                        .withLoggingEnabled(Map.of()),
                STATE_PROCESSOR);
        topology.addSink(ShipmentStateProcessor.STATE_SINK, WaybillTopic.SHIPMENT_STATE.topicName(),
                keys.serializer(), states.serializer(), STATE_PROCESSOR);
        topology.addSink(ShipmentStateProcessor.DEAD_LETTER_SINK, WaybillTopic.DEAD_LETTERS.topicName(),
                keys.serializer(), deadLetters.serializer(), STATE_PROCESSOR);
        return topology;
    }
}
