package io.waybill.topology.shipment;

import io.waybill.contract.AcknowledgeExceptionCommand;
import org.apache.kafka.common.serialization.Serdes;
import io.waybill.topology.capacity.LaneLoad;
import io.waybill.topology.exception.ExceptionIndex;
import io.waybill.contract.StartReturnCommand;
import io.waybill.contract.Severity;
import io.waybill.contract.RouteStatus;
import io.waybill.contract.ShipmentStatus;
import io.waybill.contract.SlaStatus;
import io.waybill.contract.DeadLetter;
import io.waybill.contract.ExceptionType;
import io.waybill.contract.Facility;
import io.waybill.contract.FacilityStatus;
import io.waybill.contract.FailureStage;
import io.waybill.contract.HistoryEntry;
import io.waybill.contract.HistoryOutcome;
import io.waybill.contract.Lane;
import io.waybill.contract.PlannerCommand;
import io.waybill.contract.ResolveExceptionCommand;
import io.waybill.contract.ShipmentEvent;
import io.waybill.contract.ShipmentException;
import io.waybill.contract.ShipmentHistory;
import io.waybill.contract.ShipmentState;
import io.waybill.contract.SnoozeExceptionCommand;
import io.waybill.contract.WorkflowDefinition;
import io.waybill.topology.DeadLetters;
import io.waybill.topology.TopologySettings;
import io.waybill.topology.catalogue.WaybillStores;
import io.waybill.topology.exception.ExceptionBook;
import io.waybill.topology.routing.NetworkSnapshots;
import io.waybill.topology.routing.RoutePlanner;
import io.waybill.topology.routing.RoutingNetwork;
import io.waybill.topology.routing.ShipmentRouter;
import io.waybill.topology.timer.ShipmentTimers;
import io.waybill.topology.workflow.Workflow;
import io.waybill.topology.workflow.WorkflowCatalog;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The shipment engine as a processor: events, planner commands, timers and network changes in, per
 * shipment, under exactly_once_v2 (store updates, outputs and offsets commit together, so a timer
 * that fired or a re-plan that ran is never lost and never repeated across a crash).
 *
 * <ol>
 *   <li>an id seen within the dedupe window (or still in the history) is recorded as a duplicate and changes nothing;</li>
 *   <li>the entry goes into the shipment's history in occurredAt order; the state is the fold of that history;</li>
 *   <li>the router keeps the route plan, ETA, SLA status and sorting instruction in step ({@link ShipmentRouter});</li>
 *   <li>exceptions are raised, counted and resolved through the exception book, one active per shipment and type;</li>
 *   <li>the timer store is brought in line with the deadlines the new state asks for ({@link ShipmentTimers});</li>
 *   <li>the state is published when it changes, the secondary index follows it.</li>
 * </ol>
 * A wall-clock punctuation ("tick") fires due timers, notices network changes and runs queued re-plans,
 * each bounded per tick so that a burst never stalls event processing for long.
 */
public final class ShipmentProcessor implements Processor<String, SpecificRecord, String, Object> {

    public static final String STATE_SINK = "shipment-state-sink";
    public static final String EXCEPTION_SINK = "shipment-exception-sink";
    public static final String DEAD_LETTER_SINK = "dead-letter-sink";
    public static final String INSTRUCTION_SINK = "routing-instruction-sink";
    public static final String NOTIFICATION_SINK = "notification-sink";
    /** Commands the engine issues itself (a return after the last failed delivery attempt). */
    public static final String COMMAND_SINK = "engine-command-sink";
    /** +1/-1 per lane and day a plan books or releases, for the network-wide lane load. */
    public static final String LANE_LOAD_SINK = "lane-load-delta-sink";

    private static final Logger LOG = LoggerFactory.getLogger(ShipmentProcessor.class);

    private final TopologySettings settings;
    private final NetworkSnapshots snapshots;
    private ShipmentRouter router;
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, ShipmentState> states;
    private KeyValueStore<String, ShipmentHistory> histories;
    private KeyValueStore<String, String> index;
    private WindowStore<String, Long> seenIds;
    private KeyValueStore<String, ShipmentException> exceptions;
    private KeyValueStore<String, String> exceptionIndex;
    private KeyValueStore<String, String> timers;
    private KeyValueStore<String, String> rerouteQueue;
    private KeyValueStore<String, String> observed;
    private ReadOnlyKeyValueStore<String, Facility> facilities;
    private ReadOnlyKeyValueStore<String, Lane> lanes;
    private WorkflowCatalog catalog;
    private ShipmentLedger ledger;
    private long networkVersionSeen = -1;
    /**
     * No pending timer sorts before this key (in memory: after a restart the scan starts from the
     * beginning once). Lowered whenever a timer is scheduled before it.
     */
    private String timerFloor = "";

    public ShipmentProcessor(TopologySettings settings, NetworkSnapshots snapshots) {
        this.settings = settings;
        this.snapshots = snapshots;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.states = context.getStateStore(WaybillStores.SHIPMENT_STATE);
        this.histories = context.getStateStore(WaybillStores.SHIPMENT_HISTORY);
        this.index = context.getStateStore(WaybillStores.SHIPMENT_INDEX);
        this.seenIds = context.getStateStore(WaybillStores.SEEN_IDS);
        this.exceptions = context.getStateStore(WaybillStores.SHIPMENT_EXCEPTIONS);
        this.exceptionIndex = context.getStateStore(WaybillStores.EXCEPTION_INDEX);
        this.timers = context.getStateStore(WaybillStores.TIMERS);
        this.rerouteQueue = context.getStateStore(WaybillStores.REROUTE_QUEUE);
        this.observed = context.getStateStore(WaybillStores.NETWORK_OBSERVED);
        this.facilities = context.getStateStore(WaybillStores.FACILITIES);
        this.lanes = context.getStateStore(WaybillStores.LANES);
        ReadOnlyKeyValueStore<String, Long> laneLoad = context.getStateStore(WaybillStores.LANE_LOAD);
        this.router = new ShipmentRouter(new RoutePlanner(LaneLoad.capacity(laneLoad, this::network)));
        KeyValueStore<String, WorkflowDefinition> definitions = context.getStateStore(WaybillStores.WORKFLOW_DEFINITIONS);
        this.catalog = new WorkflowCatalog(() -> {
            List<WorkflowDefinition> all = new ArrayList<>();
            try (KeyValueIterator<String, WorkflowDefinition> it = definitions.all()) {
                it.forEachRemaining(kv -> {
                    if (kv.value != null) all.add(kv.value);
                });
            }
            return all;
        });
        this.ledger = new ShipmentLedger(catalog);
        context.schedule(settings.tickInterval(), PunctuationType.WALL_CLOCK_TIME, this::tick);
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
        if (value instanceof PlannerCommand command && CommandTypes.isExceptionCommand(command.getPayload())) {
            decideOnException(shipmentId, before, history, entry, command, record.timestamp(), now);
            return;
        }

        ShipmentLedger.Result result = ledger.record(shipmentId, before, history, entry, now);
        Change change = new Change(shipmentId, before, result.state(), result.history(), result.workflow(), now, record.timestamp());
        Workflow workflow = result.workflow();

        for (HistoryEntry rejected : result.newlyRejected()) {
            change.raise(ExceptionType.INVALID_TRANSITION, workflow.invalidTransitionSeverity(), facilityOf(change.state),
                    rejected.getReason(), rejected.getId());
        }
        if (!result.noLongerRejected().isEmpty() && result.history().getEntries().stream().noneMatch(e -> e.getOutcome() == HistoryOutcome.REJECTED)) {
            change.autoResolve(ExceptionType.INVALID_TRANSITION, "valid once the late " + entry.getType() + " " + entry.getId()
                    + " was placed in occurredAt order");
        }
        result.raised().ifPresent(rule -> change.raise(rule.raise(), rule.severity(), facilityOf(change.state),
                entry.getType() + " reported", entry.getId()));

        if (result.entry().getOutcome() == HistoryOutcome.APPLIED) {
            Object payload = entry.getEvent() != null ? entry.getEvent().getPayload() : entry.getCommand().getPayload();
            // A late scan folded into the past says nothing about where the shipment is now:
            // only the latest event moves the route (and resolves a missed scan).
            boolean latest = entry.getEvent() == null || entry.getId().equals(change.state.getLastEventId());
            String type = latest ? entry.getType() : "LATE_" + entry.getType();
            change.resolveOnProgress(type, payload);
            change.route(new ShipmentRouter.Trigger.Entry(type, payload));
        } else if (change.state.getRoutePlan() == null) {
            change.route(new ShipmentRouter.Trigger.Entry(entry.getType(), null));
        }
        change.finish();
    }

    // ---- exception commands --------------------------------------------------------------------

    private void decideOnException(String shipmentId, ShipmentState before, ShipmentHistory history, HistoryEntry entry,
                                   PlannerCommand command, long timestamp, Instant now) {
        Object payload = command.getPayload();
        String exceptionId = payload instanceof AcknowledgeExceptionCommand a ? a.getExceptionId()
                : payload instanceof ResolveExceptionCommand r ? r.getExceptionId() : ((SnoozeExceptionCommand) payload).getExceptionId();
        ShipmentException latest = ExceptionBook.typeOf(exceptionId)
                .map(type -> exceptions.get(ExceptionBook.key(shipmentId, type))).orElse(null);
        if (latest != null && !latest.getExceptionId().equals(exceptionId)) latest = null;
        ExceptionBook.Verdict verdict;
        if (latest == null || !shipmentId.equals(ExceptionBook.shipmentOf(exceptionId).orElse(null))) {
            verdict = new ExceptionBook.Verdict.Refused("shipment " + shipmentId + " has no exception " + exceptionId);
        } else if (payload instanceof AcknowledgeExceptionCommand a) {
            verdict = ExceptionBook.acknowledge(latest, command.getIssuedBy(), a.getNote(), now);
        } else if (payload instanceof ResolveExceptionCommand r) {
            verdict = ExceptionBook.resolve(latest, command.getIssuedBy(), r.getNote(), now);
        } else {
            SnoozeExceptionCommand s = (SnoozeExceptionCommand) payload;
            verdict = ExceptionBook.snooze(latest, s.getUntil(), command.getIssuedBy(), s.getNote(), now);
        }
        HistoryEntry decided = HistoryEntry.newBuilder(entry)
                .setOutcome(verdict instanceof ExceptionBook.Verdict.Done ? HistoryOutcome.APPLIED : HistoryOutcome.REJECTED)
                .setReason(verdict instanceof ExceptionBook.Verdict.Refused refused ? refused.reason() : exceptionId).build();
        ShipmentHistory noted = ShipmentLedger.note(history, shipmentId, decided);
        if (before == null) {
            histories.put(shipmentId, noted);
            return;
        }
        Workflow workflow = catalog.get(before.getWorkflowName(), before.getWorkflowVersion());
        ShipmentState state = ShipmentState.newBuilder(before).setLastCommandId(command.getCommandId())
                .setCommandsApplied(before.getCommandsApplied() + (verdict instanceof ExceptionBook.Verdict.Done ? 1 : 0)).build();
        Change change = new Change(shipmentId, before, state, noted, workflow, now, timestamp);
        if (verdict instanceof ExceptionBook.Verdict.Done done) change.store(latest, done.exception(), true);
        change.finish();
    }

    // ---- the tick: timers, network changes, queued re-plans ---------------------------------------

    private void tick(long wallClock) {
        Instant now = Instant.ofEpochMilli(wallClock);
        long deadline = System.nanoTime() + settings.tickBudget().toNanos();
        watchNetwork(wallClock);
        drainReroutes(now, deadline);
        fireTimers(now, deadline);
    }

    private void fireTimers(Instant now, long deadline) {
        List<String> due = new ArrayList<>();
        String upTo = ShipmentTimers.dueUpTo(now);
        try (KeyValueIterator<String, String> it = timers.range(timerFloor, upTo)) {
            while (it.hasNext() && due.size() < settings.timerBatch()) due.add(it.next().key);
        }
        boolean all = due.size() < settings.timerBatch();
        for (String key : due) {
            if (System.nanoTime() > deadline) {
                // The rest fire at the next tick.
                timerFloor = key;
                return;
            }
            timers.delete(key);
            ShipmentTimers.Due timer = ShipmentTimers.parse(key);
            fire(timer, now);
        }
        // Everything up to now has fired: the next scan starts here instead of stepping over the
        // deletions RocksDB keeps at the head of the store until it compacts them.
        timerFloor = all ? upTo.substring(0, upTo.indexOf('|')) : due.get(due.size() - 1);
    }

    private void fire(ShipmentTimers.Due timer, Instant now) {
        ShipmentState state = states.get(timer.shipmentId());
        if (state == null || !timer.due().equals(state.getTimers().get(timer.name()))) return; // moved or cancelled since
        Map<String, Instant> fired = new HashMap<>(state.getFiredTimers());
        fired.put(timer.name(), timer.due());
        Map<String, Instant> pending = new HashMap<>(state.getTimers());
        pending.remove(timer.name());
        ShipmentState marked = ShipmentState.newBuilder(state).setFiredTimers(fired).setTimers(pending).build();
        Workflow workflow = catalog.get(state.getWorkflowName(), state.getWorkflowVersion());
        Change change = new Change(timer.shipmentId(), state, marked, null, workflow, now, now.toEpochMilli());
        String name = timer.name();
        if (name.equals(ShipmentTimers.PURGE)) {
            purge(state, now);
            return;
        }
        String at = facilityOf(state);
        switch (name) {
            case ShipmentTimers.DWELL -> change.raise(ExceptionType.DWELL_EXCEEDED, null, at,
                    state.getStatus() + " since " + state.getStatusSince() + (at != null ? " at " + at : "") + ", longer than "
                            + workflow.maxDurations().get(state.getStatus()), name);
            case ShipmentTimers.HOLD_EXPIRED -> change.raise(ExceptionType.HOLD_EXPIRED, null, at,
                    "held since " + state.getStatusSince() + " (" + state.getHoldReason() + "), past " + timer.due(), name);
            case ShipmentTimers.MISSED_SCAN -> {
                var leg = ShipmentTimers.legInProgress(state);
                String expectedAt = leg != null ? leg.getToFacilityId() : at;
                change.raise(ExceptionType.MISSED_SCAN, null, expectedAt, "no arrival scan at " + expectedAt + " from lane "
                        + state.getLastLaneId() + (leg != null ? "; planned arrival " + leg.getPlannedArrival() : ""), name);
            }
            case ShipmentTimers.SLA_AT_RISK -> {
                change.raise(ExceptionType.SLA_AT_RISK, null, at, "not delivered " + workflow.timers().slaAtRiskMargin()
                        + " before the promise " + state.getPromisedDeliveryAt() + "; ETA " + state.getEta(), name);
                if (change.state.getSlaStatus() == SlaStatus.ON_TIME) {
                    change.state = ShipmentState.newBuilder(change.state).setSlaStatus(SlaStatus.AT_RISK).build();
                }
            }
            case ShipmentTimers.SLA_BREACHED -> {
                change.raise(ExceptionType.SLA_BREACHED, null, at, "not delivered by the promise " + state.getPromisedDeliveryAt(), name);
                change.state = ShipmentState.newBuilder(change.state).setSlaStatus(SlaStatus.LATE).build();
            }
            default -> {
                if (name.startsWith(ShipmentTimers.ESCALATE)) {
                    change.escalate(ExceptionType.valueOf(name.substring(ShipmentTimers.ESCALATE.length())));
                }
            }
        }
        change.finish();
    }

    /**
     * The end of a finished shipment's retention: its state, history, exceptions, index entries and
     * timers go, and a tombstone tells the compacted state topic. A scan arriving later starts a new,
     * unbooked shipment (the dedupe window is shorter than the retention).
     */
    private void purge(ShipmentState state, Instant now) {
        String id = state.getShipmentId();
        List<String> exceptionKeys = new ArrayList<>();
        try (KeyValueIterator<String, ShipmentException> it = exceptions.range(id + "|", id + "|~")) {
            it.forEachRemaining(kv -> {
                exceptionKeys.add(kv.key);
                ExceptionIndex.keys(kv.value).forEach(exceptionIndex::delete);
            });
        }
        exceptionKeys.forEach(exceptions::delete);
        state.getTimers().forEach((name, due) -> timers.delete(ShipmentTimers.storeKey(due, id, name)));
        ShipmentIndex.keys(state).forEach(index::delete);
        histories.delete(id);
        states.delete(id);
        context.forward(new Record<String, Object>(id, null, now.toEpochMilli()), STATE_SINK);
        LOG.debug("shipment {} purged {} after it finished", id, settings.finishedRetention());
    }

    private void watchNetwork(long wallClock) {
        long version = snapshots.version();
        if (version == networkVersionSeen) return;
        networkVersionSeen = version;
        RoutingNetwork network = network();
        Set<String> present = new HashSet<>();
        boolean changed = false;
        for (Facility f : network.facilities()) {
            String key = "facility/" + f.getFacilityId();
            present.add(key);
            String was = observed.get(key);
            String is = f.getStatus().name();
            if (is.equals(was)) continue;
            observed.put(key, is);
            changed = true;
            if (f.getStatus() == FacilityStatus.CLOSED) {
                enqueue(ShipmentIndex.routeFacilityPrefix(f.getFacilityId()), "FACILITY_CLOSED " + f.getFacilityId());
            }
        }
        for (Lane l : network.lanes()) {
            String key = "lane/" + l.getLaneId();
            present.add(key);
            String was = observed.get(key);
            String is = l.getDisrupted() ? "DISRUPTED" : "OK";
            if (is.equals(was)) continue;
            observed.put(key, is);
            changed = true;
            if (l.getDisrupted()) enqueue(ShipmentIndex.routeLanePrefix(l.getLaneId()), "LANE_DISRUPTED " + l.getLaneId());
        }
        List<String> gone = new ArrayList<>();
        try (KeyValueIterator<String, String> it = observed.all()) {
            it.forEachRemaining(kv -> {
                if (!present.contains(kv.key)) gone.add(kv.key);
            });
        }
        for (String key : gone) {
            observed.delete(key);
            changed = true;
            String id = key.substring(key.indexOf('/') + 1);
            enqueue(key.startsWith("facility/") ? ShipmentIndex.routeFacilityPrefix(id) : ShipmentIndex.routeLanePrefix(id),
                    (key.startsWith("facility/") ? "FACILITY_REMOVED " : "LANE_REMOVED ") + id);
        }
        if (changed) enqueue(ShipmentIndex.routeStatusPrefix("NO_ROUTE"), "NETWORK_CHANGED");
    }

    private void enqueue(String indexPrefix, String reason) {
        int queued = 0;
        try (KeyValueIterator<String, String> it = index.prefixScan(indexPrefix, Serdes.String().serializer())) {
            while (it.hasNext()) {
                String shipmentId = ShipmentIndex.shipmentId(it.next().key);
                if (rerouteQueue.get(shipmentId) == null) {
                    rerouteQueue.put(shipmentId, reason);
                    queued++;
                }
            }
        }
        if (queued > 0) LOG.info("{}: {} shipment(s) of task {} queued for re-planning", reason, queued, context.taskId());
    }

    private void drainReroutes(Instant now, long deadline) {
        List<KeyValue<String, String>> batch = new ArrayList<>();
        try (KeyValueIterator<String, String> it = rerouteQueue.all()) {
            while (it.hasNext() && batch.size() < settings.rerouteBatch()) batch.add(it.next());
        }
        for (KeyValue<String, String> queued : batch) {
            if (System.nanoTime() > deadline) break;
            rerouteQueue.delete(queued.key);
            ShipmentState state = states.get(queued.key);
            if (state == null || Workflow.FINAL.contains(state.getStatus())) continue;
            Workflow workflow = catalog.get(state.getWorkflowName(), state.getWorkflowVersion());
            Change change = new Change(queued.key, state, state, null, workflow, now, now.toEpochMilli());
            change.route(new ShipmentRouter.Trigger.NetworkChange(queued.value));
            change.finish();
        }
    }

    // ---- one shipment's change ---------------------------------------------------------------------

    /** Everything one input does to one shipment, written out together by {@link #finish()}. */
    private final class Change {
        final String shipmentId;
        final ShipmentState before;
        ShipmentState state;
        ShipmentHistory history;
        boolean historyChanged;
        final Workflow workflow;
        final Instant now;
        final long timestamp;
        private Map<ExceptionType, ShipmentException> loaded;

        Change(String shipmentId, ShipmentState before, ShipmentState state, ShipmentHistory history, Workflow workflow, Instant now,
               long timestamp) {
            this.shipmentId = shipmentId;
            this.before = before;
            this.state = state;
            this.history = history;
            this.historyChanged = history != null;
            this.workflow = workflow;
            this.now = now;
            this.timestamp = timestamp;
        }

        Map<ExceptionType, ShipmentException> exceptions() {
            if (loaded == null) {
                loaded = new HashMap<>();
                try (KeyValueIterator<String, ShipmentException> it = exceptions.range(shipmentId + "|", shipmentId + "|~")) {
                    it.forEachRemaining(kv -> loaded.put(kv.value.getType(), kv.value));
                }
            }
            return loaded;
        }

        void raise(ExceptionType type, Severity severity, String facilityId, String cause, String triggeringId) {
            Workflow.ExceptionPolicy policy = workflow.exceptionPolicy(type);
            ShipmentException latest = exceptions().get(type);
            ExceptionBook.Change raised = ExceptionBook.raise(latest, shipmentId, type, severity != null ? severity : policy.severity(),
                    facilityId, cause == null ? type.name() : cause, triggeringId, now, policy);
            ShipmentException result = act(raised.exception());
            store(latest, result, raised.publish() || result != raised.exception());
        }

        void autoResolve(ExceptionType type, String why) {
            ShipmentException latest = exceptions().get(type);
            ExceptionBook.autoResolve(latest, why, now).ifPresent(c -> store(latest, c.exception(), true));
        }

        void escalate(ExceptionType type) {
            ShipmentException latest = exceptions().get(type);
            ExceptionBook.escalate(latest, now, workflow.exceptionPolicy(type)).ifPresent(e -> {
                store(latest, e.exception(), true);
                context.forward(new Record<String, Object>(shipmentId, e.notification(), timestamp), NOTIFICATION_SINK);
            });
        }

        void store(ShipmentException old, ShipmentException updated, boolean publish) {
            String key = ExceptionBook.key(shipmentId, updated.getType());
            exceptions.put(key, updated);
            exceptions().put(updated.getType(), updated);
            List<String> was = ExceptionIndex.keys(old);
            List<String> is = ExceptionIndex.keys(updated);
            was.stream().filter(k -> !is.contains(k)).forEach(exceptionIndex::delete);
            is.stream().filter(k -> !was.contains(k)).forEach(k -> exceptionIndex.put(k, ""));
            if (publish) context.forward(new Record<String, Object>(shipmentId, updated, timestamp), EXCEPTION_SINK);
        }

        /** The workflow's automatic actions for a raised exception; returns the exception with the actions recorded. */
        ShipmentException act(ShipmentException e) {
            ShipmentException result = e;
            for (Workflow.AutomaticAction action : workflow.actionsOn(e.getType())) {
                if (action.attemptsAtLeast() != null && state.getDeliveryAttempts() < action.attemptsAtLeast()) continue;
                String done = "after-" + state.getDeliveryAttempts();
                switch (action.action()) {
                    case REROUTE -> {
                        if (action.facilityClosed() && !closed(e.getFacilityId())) continue;
                        String from = state.getLastFacilityId() != null ? state.getLastFacilityId() : state.getOrigin();
                        route(new ShipmentRouter.Trigger.Divert(from, e.getFacilityId(),
                                e.getType() + " at CLOSED " + e.getFacilityId() + ": re-planned from " + from));
                        result = ExceptionBook.withAction(result, "REROUTED from " + from + " avoiding " + e.getFacilityId(), now);
                    }
                    case RETURN_TO_SENDER -> {
                        if (state.getStatus() == ShipmentStatus.RETURNING || Workflow.FINAL.contains(state.getStatus())) continue;
                        if (result.getActions().stream().anyMatch(a -> a.startsWith("RETURN_TO_SENDER"))) continue;
                        // Ordered after the event that triggered it, whatever the clocks say.
                        Instant issuedAt = state.getLastEventAt() != null && !now.isAfter(state.getLastEventAt())
                                ? state.getLastEventAt().plusMillis(1) : now;
                        PlannerCommand command = PlannerCommand.newBuilder()
                                .setCommandId(shipmentId + ":return-to-sender:" + done)
                                .setShipmentId(shipmentId).setIssuedAt(issuedAt).setIssuedBy(ExceptionBook.ENGINE)
                                .setPayload(StartReturnCommand.newBuilder()
                                        .setReason(e.getType() + " " + state.getDeliveryAttempts() + " times").build())
                                .build();
                        context.forward(new Record<String, Object>(shipmentId, command, timestamp), COMMAND_SINK);
                        result = ExceptionBook.withAction(result, "RETURN_TO_SENDER requested (" + command.getCommandId() + ")", now);
                    }
                }
            }
            return result;
        }

        boolean closed(String facilityId) {
            return facilityId != null && network().facility(facilityId).map(f -> f.getStatus() == FacilityStatus.CLOSED).orElse(false);
        }

        /** Conditions that end when the shipment moves on. */
        void resolveOnProgress(String type, Object payload) {
            if (type.equals("ARRIVED_AT_FACILITY")) {
                autoResolve(ExceptionType.MISSED_SCAN, "the arrival scan at " + EventTypes.facilityOf(payload) + " came");
            }
            if (before != null && !Objects.equals(before.getStatusSince(), state.getStatusSince())) {
                autoResolve(ExceptionType.DWELL_EXCEEDED, "moved on from " + before.getStatus() + " to " + state.getStatus());
            }
            if (before != null && before.getStatus() == ShipmentStatus.HELD
                    && state.getStatus() != ShipmentStatus.HELD) {
                autoResolve(ExceptionType.HOLD_EXPIRED, "no longer held: " + state.getStatus());
            }
            if (type.equals("DELIVERED")) {
                autoResolve(ExceptionType.DELIVERY_FAILED, "delivered");
                if (state.getPromisedDeliveryAt() != null && state.getLastEventAt() != null
                        && state.getLastEventAt().isAfter(state.getPromisedDeliveryAt())) {
                    raise(ExceptionType.SLA_BREACHED, null, facilityOf(state), "delivered at " + state.getLastEventAt()
                            + ", after the promise " + state.getPromisedDeliveryAt(), null);
                }
            }
            if (Workflow.FINAL.contains(state.getStatus())) {
                for (ExceptionType t : List.of(ExceptionType.MISSED_SCAN, ExceptionType.DWELL_EXCEEDED, ExceptionType.HOLD_EXPIRED,
                        ExceptionType.NO_ROUTE, ExceptionType.MISROUTED, ExceptionType.SLA_AT_RISK)) {
                    autoResolve(t, "shipment " + state.getStatus());
                }
                if (state.getStatus() != ShipmentStatus.DELIVERED) {
                    autoResolve(ExceptionType.DELIVERY_FAILED, "shipment " + state.getStatus());
                }
            }
        }

        void route(ShipmentRouter.Trigger trigger) {
            ShipmentRouter.Decision decision = router.route(state, trigger, network(), workflow, now);
            SlaStatus slaBefore = state.getSlaStatus();
            state = decision.state();
            decision.instruction().ifPresent(i -> context.forward(new Record<String, Object>(i.getFacilityId(), i, timestamp), INSTRUCTION_SINK));
            if (decision.replanReason() != null) {
                String type = decision.noRoute() != null ? "NO_ROUTE" : state.getRoutePlan() != null && state.getRoutePlan().getRevision() > 1
                        ? "REROUTED" : "ROUTE_PLANNED";
                String reason = decision.replanReason() + (decision.noRoute() != null ? ": " + decision.noRoute()
                        : state.getRoutePlan() != null ? ": " + describe(state) : "");
                note(ShipmentLedger.routingNote(shipmentId + ":route:" + now.toEpochMilli() + ":" + type, type, reason, now));
            }
            if (decision.misrouted() != null) {
                raise(ExceptionType.MISROUTED, null, facilityOf(state), decision.misrouted(), state.getLastEventId());
            }
            if (decision.noRoute() != null) {
                raise(ExceptionType.NO_ROUTE, null, facilityOf(state), decision.noRoute(), null);
            } else if (state.getRouteStatus() == RouteStatus.PLANNED) {
                autoResolve(ExceptionType.NO_ROUTE, "route found: " + describe(state));
            }
            if (decision.backOnPlan()) autoResolve(ExceptionType.MISROUTED, "arrived where its plan expected");
            SlaStatus sla = state.getSlaStatus();
            boolean atRisk = sla == SlaStatus.AT_RISK || sla == SlaStatus.LATE;
            boolean wasAtRisk = slaBefore == SlaStatus.AT_RISK || slaBefore == SlaStatus.LATE;
            if (atRisk && !wasAtRisk && !Workflow.FINAL.contains(state.getStatus())) {
                raise(ExceptionType.SLA_AT_RISK, null, facilityOf(state), "ETA " + state.getEta() + " against the promise "
                        + state.getPromisedDeliveryAt() + " (" + sla + ")", null);
            } else if (sla == SlaStatus.ON_TIME) {
                autoResolve(ExceptionType.SLA_AT_RISK, "ETA " + state.getEta() + " is on time again");
            }
        }

        void note(HistoryEntry entry) {
            if (history == null) history = histories.get(shipmentId);
            history = ShipmentLedger.note(history, shipmentId, entry);
            historyChanged = true;
        }

        void finish() {
            List<ShipmentException> active = activeExceptions();
            Map<String, Instant> wanted = ShipmentTimers.desired(state, workflow, active, settings.finishedRetention());
            Map<String, Instant> had = state.getTimers();
            Map<String, Instant> fired = ShipmentTimers.stillFired(state, workflow, active);
            if (!wanted.equals(had) || !fired.equals(state.getFiredTimers())) {
                had.forEach((name, due) -> {
                    if (!due.equals(wanted.get(name))) timers.delete(ShipmentTimers.storeKey(due, shipmentId, name));
                });
                wanted.forEach((name, due) -> {
                    if (!due.equals(had.get(name))) {
                        String key = ShipmentTimers.storeKey(due, shipmentId, name);
                        timers.put(key, "");
                        if (key.compareTo(timerFloor) < 0) timerFloor = key;
                    }
                });
                state = ShipmentState.newBuilder(state).setTimers(new HashMap<>(wanted)).setFiredTimers(new HashMap<>(fired)).build();
            }
            bookLanes();
            if (!Objects.equals(before, state)) {
                if (before != null && !state.getUpdatedAt().isAfter(before.getUpdatedAt())) {
                    state = ShipmentState.newBuilder(state).setUpdatedAt(now).build();
                }
                states.put(shipmentId, state);
                reindex(before, state);
                context.forward(new Record<String, Object>(shipmentId, state, timestamp), STATE_SINK);
            }
            // The history goes last: interactive queries read the stores as they are written, and a reader that
            // waits for an entry in the history (the planner-api's afterCommand) must then find every other
            // store already changed. The stream thread can stall between two writes (a send blocking on
            // metadata after a restart, a long pause on a loaded machine), so the order is what read-your-writes rests on.
            if (historyChanged) histories.put(shipmentId, history);
        }

        /** A new plan books its lanes' departures and releases the old plan's (travelled legs stay counted). */
        void bookLanes() {
            var was = before == null || before.getRoutePlan() == null ? Map.<String, Long>of()
                    : LaneLoad.bookings(before.getRoutePlan(), 0);
            var is = state.getRoutePlan() == null ? Map.<String, Long>of()
                    : LaneLoad.bookings(state.getRoutePlan(), 0);
            if (before != null && before.getRoutePlan() != null && state.getRoutePlan() != null
                    && before.getRoutePlan().getPlanId().equals(state.getRoutePlan().getPlanId())) {
                // Same plan, re-timed: keep the booking of the legs already travelled, move the rest.
                was = LaneLoad.bookings(before.getRoutePlan(), state.getNextLegIndex());
                is = LaneLoad.bookings(state.getRoutePlan(), state.getNextLegIndex());
            } else if (before != null && before.getRoutePlan() != null) {
                // A new plan: the old plan's travelled legs were used; release only those not travelled.
                was = LaneLoad.bookings(before.getRoutePlan(), before.getNextLegIndex());
            }
            LaneLoad.deltas(was, is).forEach((key, delta) ->
                    context.forward(new Record<String, Object>(key, delta, timestamp), LANE_LOAD_SINK));
        }

        List<ShipmentException> activeExceptions() {
            return exceptions().values().stream().filter(ExceptionBook::active).toList();
        }
    }

    private static String describe(ShipmentState s) {
        var plan = s.getRoutePlan();
        StringBuilder b = new StringBuilder(plan.getFromFacilityId());
        for (var leg : plan.getLegs()) b.append(" → ").append(leg.getToFacilityId()).append(" (").append(leg.getLaneId()).append(')');
        return b.append(", ETA ").append(s.getEta()).toString();
    }

    private RoutingNetwork network() {
        return snapshots.network(facilities, lanes);
    }

    private static String facilityOf(ShipmentState state) {
        if (state == null) return null;
        return state.getCurrentFacilityId() != null ? state.getCurrentFacilityId() : state.getLastFacilityId();
    }

    private boolean seenWithinWindow(String key, long timestamp) {
        long window = settings.dedupeWindow().toMillis();
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

    private void deadLetter(Record<String, SpecificRecord> record, String errorClass, String message) {
        DeadLetter letter = DeadLetters.forRecord(context, record, FailureStage.PROCESSING, "engine/shipment", errorClass, message);
        context.forward(record.withValue(letter), DEAD_LETTER_SINK);
    }
}
