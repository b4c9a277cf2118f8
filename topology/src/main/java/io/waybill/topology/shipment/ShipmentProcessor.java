package io.waybill.topology.shipment;

import io.waybill.contract.DeadLetter;
import io.waybill.contract.ExceptionStatus;
import io.waybill.contract.ExceptionType;
import io.waybill.contract.FailureStage;
import io.waybill.contract.HistoryEntry;
import io.waybill.contract.PlannerCommand;
import io.waybill.contract.Severity;
import io.waybill.contract.ShipmentEvent;
import io.waybill.contract.ShipmentException;
import io.waybill.contract.ShipmentHistory;
import io.waybill.contract.ShipmentState;
import io.waybill.contract.WorkflowDefinition;
import io.waybill.topology.DeadLetters;
import io.waybill.topology.catalogue.WaybillStores;
import io.waybill.topology.workflow.WorkflowCatalog;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The shipment state machine as a processor: events and planner commands in, per shipment, under
 * exactly_once_v2 (store updates, outputs and offsets commit together).
 *
 * <ol>
 *   <li>an id seen within the dedupe window (or still in the history) is recorded as a duplicate and changes nothing;</li>
 *   <li>the entry goes into the shipment's history in occurredAt order; the state is the fold of that history;</li>
 *   <li>the state is published when it changes, the secondary index follows it;</li>
 *   <li>rejected steps raise INVALID_TRANSITION exceptions (auto-resolved if a late event makes them valid),
 *       and the workflow's rules raise theirs.</li>
 * </ol>
 */
public final class ShipmentProcessor implements Processor<String, SpecificRecord, String, Object> {

    public static final String STATE_SINK = "shipment-state-sink";
    public static final String EXCEPTION_SINK = "shipment-exception-sink";
    public static final String DEAD_LETTER_SINK = "dead-letter-sink";

    private static final Logger LOG = LoggerFactory.getLogger(ShipmentProcessor.class);

    private final Duration dedupeWindow;
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, ShipmentState> states;
    private KeyValueStore<String, ShipmentHistory> histories;
    private KeyValueStore<String, String> index;
    private WindowStore<String, Long> seenIds;
    private ShipmentLedger ledger;

    public ShipmentProcessor(Duration dedupeWindow) {
        this.dedupeWindow = dedupeWindow;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.states = context.getStateStore(WaybillStores.SHIPMENT_STATE);
        this.histories = context.getStateStore(WaybillStores.SHIPMENT_HISTORY);
        this.index = context.getStateStore(WaybillStores.SHIPMENT_INDEX);
        this.seenIds = context.getStateStore(WaybillStores.SEEN_IDS);
        KeyValueStore<String, WorkflowDefinition> definitions = context.getStateStore(WaybillStores.WORKFLOW_DEFINITIONS);
        this.ledger = new ShipmentLedger(new WorkflowCatalog(() -> {
            List<WorkflowDefinition> all = new ArrayList<>();
            try (KeyValueIterator<String, WorkflowDefinition> it = definitions.all()) {
                it.forEachRemaining(kv -> {
                    if (kv.value != null) all.add(kv.value);
                });
            }
            return all;
        }));
    }

    @Override
    public void process(Record<String, SpecificRecord> record) {
        SpecificRecord value = record.value();
        if (value == null) return; // a tombstone on an input topic means nothing
        Instant now = Instant.ofEpochMilli(context.currentSystemTimeMs());
        HistoryEntry entry;
        String shipmentId;
        if (value instanceof ShipmentEvent event) {
            entry = ShipmentLedger.entryFor(event, now);
            shipmentId = event.getShipmentId();
        } else if (value instanceof PlannerCommand command) {
            entry = ShipmentLedger.entryFor(command, now);
            shipmentId = command.getShipmentId();
        } else {
            deadLetter(record, "UnexpectedRecord", "a " + value.getClass().getSimpleName() + " is neither an event nor a command");
            return;
        }
        if (!Objects.equals(record.key(), shipmentId)) {
            // State is partitioned by the record key: an event keyed by anything but its shipmentId
            // would land in another shipment's partition. Keep it aside instead of guessing.
            deadLetter(record, "KeyMismatch", "record key '" + record.key() + "' is not the shipmentId '" + shipmentId + "'");
            return;
        }

        ShipmentHistory history = histories.get(shipmentId);
        String seenKey = shipmentId + "/" + entry.getId();
        if (seenWithinWindow(seenKey, record.timestamp()) || ShipmentLedger.seen(history, entry.getId())) {
            LOG.debug("shipment {} {} {} is a duplicate", shipmentId, entry.getKind(), entry.getId());
            histories.put(shipmentId, ShipmentLedger.recordDuplicate(history, shipmentId, entry));
            return;
        }
        seenIds.put(seenKey, now.toEpochMilli(), record.timestamp());

        ShipmentState before = states.get(shipmentId);
        ShipmentLedger.Result result = ledger.record(shipmentId, before, history, entry, now);
        histories.put(shipmentId, result.history());
        states.put(shipmentId, result.state());
        reindex(before, result.state());
        context.forward(record.withValue(result.state()), STATE_SINK);

        for (HistoryEntry rejected : result.newlyRejected()) {
            forwardException(record, shipmentId, ExceptionType.INVALID_TRANSITION, result.workflow().invalidTransitionSeverity(),
                    ExceptionStatus.OPEN, rejected, rejected.getReason(), result.state(), now);
        }
        for (HistoryEntry accepted : result.noLongerRejected()) {
            forwardException(record, shipmentId, ExceptionType.INVALID_TRANSITION, result.workflow().invalidTransitionSeverity(),
                    ExceptionStatus.AUTO_RESOLVED, accepted, "valid once the late " + entry.getType() + " " + entry.getId()
                            + " was placed in occurredAt order", result.state(), now);
        }
        result.raised().ifPresent(rule -> forwardException(record, shipmentId, rule.raise(), rule.severity(), ExceptionStatus.OPEN,
                result.entry(), entry.getType() + " reported", result.state(), now));
    }

    private boolean seenWithinWindow(String key, long timestamp) {
        long window = dedupeWindow.toMillis();
        try (WindowStoreIterator<Long> it = seenIds.fetch(key, Instant.ofEpochMilli(Math.max(0, timestamp - window)),
                Instant.ofEpochMilli(timestamp + window))) {
            return it.hasNext();
        }
    }

    private void reindex(ShipmentState before, ShipmentState after) {
        List<String> old = ShipmentIndex.keys(before);
        List<String> now = ShipmentIndex.keys(after);
        old.stream().filter(k -> !now.contains(k)).forEach(index::delete);
        now.stream().filter(k -> !old.contains(k)).forEach(k -> index.put(k, ""));
    }

    private void forwardException(Record<String, SpecificRecord> record, String shipmentId, ExceptionType type, Severity severity,
                                  ExceptionStatus status, HistoryEntry cause, String reason, ShipmentState state, Instant now) {
        ShipmentException exception = ShipmentException.newBuilder()
                .setExceptionId(shipmentId + ":" + type + ":" + cause.getId())
                .setShipmentId(shipmentId)
                .setType(type)
                .setSeverity(severity)
                .setStatus(status)
                .setFacilityId(state.getCurrentFacilityId() != null ? state.getCurrentFacilityId() : state.getLastFacilityId())
                .setDetectedAt(now)
                .setUpdatedAt(now)
                .setCause(reason == null ? type.name() : reason)
                .setTriggeringEventId(cause.getId())
                .build();
        context.forward(new Record<String, Object>(shipmentId, exception, record.timestamp()), EXCEPTION_SINK);
    }

    private void deadLetter(Record<String, SpecificRecord> record, String errorClass, String message) {
        DeadLetter letter = DeadLetters.forRecord(context, record, FailureStage.PROCESSING, "engine/shipment", errorClass, message);
        context.forward(record.withValue(letter), DEAD_LETTER_SINK);
    }

}
