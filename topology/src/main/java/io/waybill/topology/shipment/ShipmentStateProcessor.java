package io.waybill.topology.shipment;

import io.waybill.contract.DeadLetter;
import io.waybill.contract.FailureStage;
import io.waybill.contract.ShipmentEvent;
import io.waybill.contract.ShipmentState;
import io.waybill.topology.DeadLetters;
import io.waybill.topology.catalogue.WaybillStores;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.Objects;

/**
 * Keeps the current state of each shipment in the {@link WaybillStores#SHIPMENT_STATE} store and
 * publishes every change. Runs under exactly_once_v2, so the store update, the published state and
 * the consumed offset commit together.
 */
public final class ShipmentStateProcessor implements Processor<String, ShipmentEvent, String, Object> {

    public static final String STATE_SINK = "shipment-state-sink";
    public static final String DEAD_LETTER_SINK = "dead-letter-sink";

    private static final Logger LOG = LoggerFactory.getLogger(ShipmentStateProcessor.class);

    private final ShipmentStateMachine stateMachine = new ShipmentStateMachine();
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, ShipmentState> states;

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.states = context.getStateStore(WaybillStores.SHIPMENT_STATE);
    }

    @Override
    public void process(Record<String, ShipmentEvent> record) {
        ShipmentEvent event = record.value();
        if (event == null) {
            return; // a tombstone on an event topic means nothing
        }
        if (!Objects.equals(record.key(), event.getShipmentId())) {
            // State is partitioned by the record key: an event keyed by anything but its shipmentId
            // would land in another shipment's partition. Keep it aside instead of guessing.
            DeadLetter letter = DeadLetters.forRecord(context, record, FailureStage.PROCESSING, "engine/shipment-state",
                    "KeyMismatch", "record key '" + record.key() + "' is not the event's shipmentId '" + event.getShipmentId() + "'");
            context.forward(record.withValue(letter), DEAD_LETTER_SINK);
            return;
        }
        Instant now = Instant.ofEpochMilli(context.currentSystemTimeMs());
        ShipmentStateMachine.Outcome outcome = stateMachine.apply(states.get(record.key()), event, now);
        if (!outcome.applied()) {
            LOG.info("shipment {} event {} rejected: {}", record.key(), event.getEventId(), outcome.rejection());
        }
        states.put(record.key(), outcome.state());
        context.forward(record.withValue(outcome.state()), STATE_SINK);
    }
}
