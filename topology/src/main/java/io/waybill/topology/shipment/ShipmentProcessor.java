package io.waybill.topology.shipment;

import io.waybill.contract.DeadLetter;
import io.waybill.contract.ExceptionType;
import io.waybill.contract.Facility;
import io.waybill.contract.FacilityStatus;
import io.waybill.contract.FailureStage;
import io.waybill.contract.HistoryEntry;
import io.waybill.contract.Lane;
import io.waybill.contract.PlannerCommand;
import io.waybill.contract.ShipmentEvent;
import io.waybill.contract.ShipmentException;
import io.waybill.contract.ShipmentHistory;
import io.waybill.contract.ShipmentState;
import io.waybill.contract.WorkflowDefinition;
import io.waybill.topology.DeadLetters;
import io.waybill.topology.EngineMeters;
import io.waybill.topology.TopologySettings;
import io.waybill.topology.capacity.LaneLoadView;
import io.waybill.topology.catalogue.UndecodableInput;
import io.waybill.topology.catalogue.WaybillStores;
import io.waybill.topology.exception.ExceptionBook;
import io.waybill.topology.routing.NetworkSnapshots;
import io.waybill.topology.routing.RoutePlanner;
import io.waybill.topology.routing.RoutingNetwork;
import io.waybill.topology.routing.ShipmentRouter;
import io.waybill.topology.store.DerivedStores;
import io.waybill.topology.timer.ShipmentTimers;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * The shipment engine's I/O: loads a shipment's record, asks {@link ShipmentCore} what an input
 * does to it, and applies the {@link ShipmentCore.Effects} to stores and sinks, under
 * exactly_once_v2 (store updates, outputs and offsets commit together, so a timer that fired or a
 * re-plan that ran is never lost and never repeated across a crash).
 *
 * <p>Per common-case event: three reads (the state, the history's entries, the shipment's exceptions)
 * and three Kafka records (the state's changelog, the new history entry, the state topic), plus an instruction
 * when the shipment is to be sorted somewhere new. The shipment index and the timer index are
 * derived from the state store, the exception index from the exception store (see
 * {@link io.waybill.topology.store.IndexedStores}): they cost no record.
 *
 * <p>A wall-clock punctuation ("tick") notices network changes, works through the re-plans they
 * call for ({@link ReplanJob}) and fires due timers, within one budget per tick checked between
 * shipments, so that a burst never stalls event processing for longer than the budget and one
 * shipment's work.
 */
public final class ShipmentProcessor implements Processor<String, Object, String, Object> {

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
    private final DerivedStores derived;
    private final EngineMeters meters;
    private final UnaryOperator<ShipmentDecisions> decorate;
    private ShipmentDecisions core;
    private LaneLoadView laneLoad;
    private TickShare share;
    /**
     * During a tick, the lane-load deltas of its re-plans and timers, summed per lane and day and
     * sent when the tick ends (same punctuation, same transaction): a hub closure's 2,000 re-plans
     * a tick release and book the same few hundred lane-days over and over, ~8 deltas each.
     */
    private Map<String, Long> tickDeltas;
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, ShipmentState> states;
    private KeyValueStore<String, ShipmentHistory> histories;
    private ReadOnlyKeyValueStore<String, String> index;
    private KeyValueStore<String, ShipmentException> exceptions;
    private ReadOnlyKeyValueStore<String, String> timers;
    /** Re-plan jobs by index prefix ({@link ReplanJob}); before December 2026 a queue of shipments. */
    private KeyValueStore<String, String> replanJobs;
    private KeyValueStore<String, String> observed;
    private ReadOnlyKeyValueStore<String, Facility> facilities;
    private ReadOnlyKeyValueStore<String, Lane> lanes;
    private long networkVersionSeen;
    /**
     * No pending timer sorts before this key (in memory: after a restart the scan starts from the
     * beginning once). Lowered whenever a timer is scheduled before it.
     */
    private String timerFloor;
    /** False once no re-plan job was found and none was started since: an idle tick then reads no store. */
    private boolean replansPending;
    /**
     * Timers (by timer key) and re-plans (by shipment id) whose decision threw, and when they are tried
     * again (wall clock). In memory: after a restart they are tried at once, and dead-lettered again if
     * they still fail; the work itself stays in the stores, so nothing is lost either way.
     */
    private Map<String, Long> failedTimers;
    private Map<String, Long> failedReplans;

    public ShipmentProcessor(TopologySettings settings, NetworkSnapshots snapshots, DerivedStores derived, EngineMeters meters,
                             UnaryOperator<ShipmentDecisions> decorate) {
        this.settings = settings;
        this.snapshots = snapshots;
        this.derived = derived;
        this.meters = meters;
        this.decorate = decorate;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        // A processor instance can be initialised again after its task was closed (a rebalance, a
        // revived task): what it keeps in memory starts over with the stores.
        this.networkVersionSeen = -1;
        this.timerFloor = "";
        this.replansPending = true;
        this.failedTimers = new TreeMap<>();
        this.failedReplans = new HashMap<>();
        this.states = context.getStateStore(WaybillStores.SHIPMENT_STATE);
        this.histories = context.getStateStore(WaybillStores.SHIPMENT_HISTORY);
        this.index = context.getStateStore(WaybillStores.SHIPMENT_INDEX);
        this.exceptions = context.getStateStore(WaybillStores.SHIPMENT_EXCEPTIONS);
        this.timers = context.getStateStore(WaybillStores.TIMERS);
        this.replanJobs = context.getStateStore(WaybillStores.REROUTE_QUEUE);
        this.observed = context.getStateStore(WaybillStores.NETWORK_OBSERVED);
        this.facilities = context.getStateStore(WaybillStores.FACILITIES);
        this.lanes = context.getStateStore(WaybillStores.LANES);
        this.laneLoad = new LaneLoadView(context.getStateStore(WaybillStores.LANE_LOAD), this::network);
        KeyValueStore<String, WorkflowDefinition> definitions = context.getStateStore(WaybillStores.WORKFLOW_DEFINITIONS);
        WorkflowCatalog catalog = new WorkflowCatalog(() -> {
            List<WorkflowDefinition> all = new ArrayList<>();
            try (KeyValueIterator<String, WorkflowDefinition> it = definitions.all()) {
                it.forEachRemaining(kv -> {
                    if (kv.value != null) all.add(kv.value);
                });
            }
            return all;
        });
        ShipmentRouter router = new ShipmentRouter(new RoutePlanner(laneLoad));
        this.core = decorate.apply(new ShipmentCore(catalog, router, settings.purgeAfter()));
        this.share = TickShare.ofThisThread();
        share.join(this);
        context.schedule(settings.tickInterval(), PunctuationType.WALL_CLOCK_TIME, this::tick);
    }

    @Override
    public void close() {
        if (share != null) share.leave(this);
    }

    @Override
    public void process(Record<String, Object> input) {
        Object read = input.value();
        if (read == null) return; // a tombstone on an input topic means nothing
        if (read instanceof UndecodableInput undecodable) {
            // dead-lettered here, not by Streams' handler: this consumes its offset in its dead letter's transaction
            DeadLetter letter = DeadLetters.forUndecodable(context, input.key(), undecodable, "engine/decode");
            LOG.warn("cannot read {}-{}@{}: {}; sending it to the dead letters", letter.getSourceTopic(), letter.getSourcePartition(),
                    letter.getSourceOffset(), letter.getErrorMessage());
            context.forward(input.withValue((Object) letter).withHeaders(DeadLetters.headers(input.headers(), letter)), DEAD_LETTER_SINK);
            return;
        }
        if (!(read instanceof SpecificRecord value)) {
            throw new IllegalStateException("the input deserializer gave a " + read.getClass().getName());
        }
        Record<String, SpecificRecord> record = input.withValue(value);
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
        Optional<String> misplaced = misplaced(record.key());
        if (misplaced.isPresent()) {
            deadLetter(record, "WrongPartition", misplaced.get());
            return;
        }
        Optional<String> outOfBounds = InputLimits.violation(value);
        if (outOfBounds.isPresent()) {
            deadLetter(record, "InputOutOfBounds", outOfBounds.get());
            return;
        }
        ShipmentCore.ShipmentRecord shipment = load(shipmentId);
        int entries = shipment.history() == null ? 0 : shipment.history().getEntries().size();
        if (entries >= settings.maxHistoryEntries() && !ShipmentLedger.seen(shipment.history(), entry.getId())) {
            deadLetter(record, "HistoryLimitReached", "shipment " + shipmentId + " already has " + entries
                    + " history entries, the limit (waybill.engine.max-history-entries); replay after raising it");
            return;
        }
        ShipmentCore.Effects effects;
        try {
            effects = core.onEntry(shipment, entry, network(), now);
        } catch (RuntimeException e) {
            // Nothing is written before the decision is made: the record goes to the dead letters in this
            // same transaction, the shipment is as it was, and a replay of the dead letter applies it.
            LOG.error("deciding {} {} for shipment {} failed; it goes to the dead letters", entry.getKind(), entry.getId(), shipmentId, e);
            deadLetter(record, e.getClass().getName(), messageOf(e));
            return;
        }
        apply(shipment, effects, record.timestamp());
    }

    /**
     * A record on another partition than its key hashes to: its producer did not partition as Kafka's
     * Java clients do (murmur2; librdkafka's default, consistent_random, is CRC32), so the shipment's
     * records would be split over two tasks and two states. Kept aside instead; replaying the dead
     * letter produces it with the right partitioner.
     */
    private Optional<String> misplaced(String key) {
        if (settings.inputPartitions() <= 0 || key == null) return Optional.empty();
        var metadata = context.recordMetadata();
        if (metadata.isEmpty()) return Optional.empty();
        int expected = org.apache.kafka.common.utils.Utils.toPositive(
                org.apache.kafka.common.utils.Utils.murmur2(key.getBytes(java.nio.charset.StandardCharsets.UTF_8))) % settings.inputPartitions();
        int actual = metadata.get().partition();
        return expected == actual ? Optional.empty() : Optional.of("key '" + key + "' hashes to partition " + expected + " of "
                + settings.inputPartitions() + " (murmur2, as Kafka's Java clients partition), but the record came on partition " + actual
                + "; produce with a murmur2 partitioner (librdkafka: partitioner=murmur2_random)");
    }

    private static String messageOf(Exception e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        return m.length() > 1_000 ? m.substring(0, 1_000) : m;
    }

    /** A shipment's record: a point read and two short ranges of the same shipment (its history entries, its exceptions). */
    private ShipmentCore.ShipmentRecord load(String shipmentId) {
        ShipmentState state = states.get(shipmentId);
        ShipmentHistory history = HistoryRecords.read(histories, shipmentId);
        return new ShipmentCore.ShipmentRecord(shipmentId, state, history, exceptionsOf(shipmentId, state != null || history != null));
    }

    /**
     * A shipment's record with only the last entry of its history, for a timer or a network change:
     * they append to the history and never read it, and a long journey's history is the biggest
     * part of a record to decode.
     */
    private ShipmentCore.ShipmentRecord loadForAppend(String shipmentId) {
        ShipmentState state = states.get(shipmentId);
        if (state == null) return load(shipmentId);
        HistoryRecords.Tail tail = HistoryRecords.readTail(histories, shipmentId);
        return new ShipmentCore.ShipmentRecord(shipmentId, state, tail == null ? null : tail.history(), exceptionsOf(shipmentId, true),
                tail == null ? 0 : tail.position());
    }

    private Map<ExceptionType, ShipmentException> exceptionsOf(String shipmentId, boolean exists) {
        Map<ExceptionType, ShipmentException> latest = new EnumMap<>(ExceptionType.class);
        if (exists) {
            try (KeyValueIterator<String, ShipmentException> it = exceptions.range(shipmentId + "|", shipmentId + "|~")) {
                it.forEachRemaining(kv -> latest.put(kv.value.getType(), kv.value));
            }
        }
        return latest;
    }

    /**
     * Writes what the core decided. The history goes last: interactive queries read the stores as they
     * are written, and a reader that waits for an entry in the history (the planner-api's afterCommand)
     * must then find every other store already changed. The stream thread can stall between two writes
     * (a send blocking on metadata after a restart, a long pause on a loaded machine), so the order is
     * what read-your-writes rests on.
     */
    private void apply(ShipmentCore.ShipmentRecord shipment, ShipmentCore.Effects effects, long timestamp) {
        String shipmentId = shipment.shipmentId();
        if (effects.purged()) {
            purge(shipment, timestamp);
            return;
        }
        for (ShipmentException e : effects.exceptionsToStore()) {
            String key = ExceptionBook.key(shipmentId, e.getType());
            derived.writing(WaybillStores.SHIPMENT_EXCEPTIONS, key, shipment.exceptions().get(e.getType()), e);
            exceptions.put(key, e);
        }
        for (var i : effects.instructions()) context.forward(new Record<String, Object>(i.getFacilityId(), i, timestamp), INSTRUCTION_SINK);
        for (var e : effects.exceptionsToPublish()) context.forward(new Record<String, Object>(shipmentId, e, timestamp), EXCEPTION_SINK);
        for (var n : effects.notifications()) context.forward(new Record<String, Object>(shipmentId, n, timestamp), NOTIFICATION_SINK);
        for (var c : effects.commands()) context.forward(new Record<String, Object>(shipmentId, c, timestamp), COMMAND_SINK);
        if (tickDeltas != null) {
            effects.laneLoadDeltas().forEach((key, delta) -> tickDeltas.merge(key, delta, Long::sum));
        } else {
            effects.laneLoadDeltas().forEach((key, delta) -> context.forward(new Record<String, Object>(key, delta, timestamp), LANE_LOAD_SINK));
        }
        laneLoad.booked(effects.laneLoadDeltas());
        effects.timersSet().forEach((name, due) -> {
            String key = ShipmentTimers.storeKey(due, shipmentId, name);
            if (key.compareTo(timerFloor) < 0) timerFloor = key;
        });
        if (effects.stateChanged()) {
            // The indexes derive from what was loaded and what is written, not from decoding the stored bytes again.
            derived.writing(WaybillStores.SHIPMENT_STATE, shipmentId, shipment.state(), effects.state());
            states.put(shipmentId, effects.state());
            context.forward(new Record<String, Object>(shipmentId, effects.state(), timestamp), STATE_SINK);
        }
        if (effects.historyChanged()) {
            for (var record : HistoryRecords.changes(shipmentId, shipment.historyOffset(), shipment.history(), effects.history())) {
                histories.put(record.key, record.value);
            }
        }
    }

    /**
     * The end of a finished shipment's retention: its state, history and exceptions go (their indexes
     * with them), and a tombstone tells the compacted state topic. A scan arriving later starts a new,
     * unbooked shipment.
     */
    private void purge(ShipmentCore.ShipmentRecord loaded, long timestamp) {
        String id = loaded.shipmentId();
        // Every record of the history goes: a record loaded with its tail only is loaded whole first.
        ShipmentCore.ShipmentRecord shipment = loaded.historyOffset() == 0 ? loaded : load(id);
        shipment.exceptions().forEach((type, e) -> {
            String key = ExceptionBook.key(id, type);
            derived.writing(WaybillStores.SHIPMENT_EXCEPTIONS, key, e, null);
            exceptions.delete(key);
        });
        HistoryRecords.keys(id, shipment.history()).forEach(histories::delete);
        derived.writing(WaybillStores.SHIPMENT_STATE, id, shipment.state(), null);
        states.delete(id);
        context.forward(new Record<String, Object>(id, null, timestamp), STATE_SINK);
        LOG.debug("shipment {} purged {} after it finished", id, settings.finishedRetention());
    }

    // ---- the tick: timers, network changes, queued re-plans ---------------------------------------

    private void tick(long wallClock) {
        long started = System.nanoTime();
        // The budget is the stream thread's, shared with the other tasks it ticks (see TickShare).
        long deadline = share.start(started, settings.tickInterval().toNanos(), settings.tickBudget().toNanos());
        // What other tasks booked reaches the lane-load store seconds later: read it afresh once a tick.
        laneLoad.refresh();
        Map<String, Long> deltas = new HashMap<>();
        tickDeltas = deltas;
        try {
            watchNetwork(wallClock);
            replan(wallClock, started, deadline);
            fireTimers(wallClock, started, deadline);
        } finally {
            tickDeltas = null;
        }
        deltas.forEach((key, delta) -> {
            if (delta != 0) context.forward(new Record<String, Object>(key, delta, wallClock), LANE_LOAD_SINK);
        });
        long ended = System.nanoTime();
        share.end(started, ended);
        meters.tick((ended - started) / 1_000_000);
    }

    /** The engine's clock during a tick: the tick's wall clock plus the time the tick has taken so far. */
    private static Instant clock(long wallClock, long tickStarted) {
        return Instant.ofEpochMilli(wallClock + (System.nanoTime() - tickStarted) / 1_000_000);
    }

    private void fireTimers(long wallClock, long started, long deadline) {
        Instant now = Instant.ofEpochMilli(wallClock);
        List<String> due = new ArrayList<>();
        String upTo = ShipmentTimers.dueUpTo(now);
        // Failed timers whose retry has come are tried again below (or are gone: their shipment moved on).
        failedTimers.values().removeIf(retryAt -> retryAt <= wallClock);
        try (KeyValueIterator<String, String> it = timers.range(timerFloor, upTo)) {
            while (it.hasNext() && due.size() < settings.timerBatch()) {
                String key = it.next().key;
                if (!failedTimers.containsKey(key)) due.add(key);
            }
        }
        boolean all = due.size() < settings.timerBatch();
        RoutingNetwork network = network();
        for (String key : due) {
            if (System.nanoTime() > deadline) {
                // The rest fire at the next tick.
                timerFloor = key;
                return;
            }
            ShipmentTimers.Due timer = ShipmentTimers.parse(key);
            // A purge deletes every history record, so it loads them all; every other timer only appends.
            ShipmentCore.ShipmentRecord shipment = timer.name().equals(ShipmentTimers.PURGE)
                    ? load(timer.shipmentId()) : loadForAppend(timer.shipmentId());
            ShipmentCore.Effects effects;
            try {
                effects = core.onTimer(shipment, timer, network, now);
            } catch (RuntimeException e) {
                // The timer stays in the index (nothing was written) and is tried again later; the dead letter says so.
                long retryAt = wallClock + settings.failedTimerRetry().toMillis();
                failedTimers.put(key, retryAt);
                tickFailed(timer.shipmentId(), "engine/timer/" + timer.name(), e, retryAt, wallClock);
                continue;
            }
            // The timer index follows the state: applying the effects takes this timer off it.
            apply(shipment, effects, wallClock);
            meters.timerFired(ShipmentTimers.kind(timer.name()), clock(wallClock, started).toEpochMilli() - timer.due().toEpochMilli());
        }
        // Everything up to now has fired: the next scan starts here instead of stepping over the
        // deletions RocksDB keeps at the head of the store until it compacts them. A timer waiting for
        // its retry keeps the floor below it.
        timerFloor = all ? upTo.substring(0, upTo.indexOf('|')) : due.isEmpty() ? timerFloor : due.get(due.size() - 1);
        if (!failedTimers.isEmpty()) {
            String lowest = ((TreeMap<String, Long>) failedTimers).firstKey();
            if (lowest.compareTo(timerFloor) < 0) timerFloor = lowest;
        }
    }

    /**
     * A timer or re-plan whose decision threw: a dead letter in this tick's transaction that names the
     * shipment and says when the engine tries again. It is not for replay: the work stays in the
     * engine's stores and is retried by the engine itself.
     */
    private void tickFailed(String shipmentId, String failedIn, RuntimeException e, long retryAt, long wallClock) {
        LOG.error("{} for shipment {} failed; tried again at {}", failedIn, shipmentId, Instant.ofEpochMilli(retryAt), e);
        DeadLetter letter = DeadLetters.forTick(shipmentId, failedIn, e.getClass().getName(),
                messageOf(e) + " (the engine tries again at " + Instant.ofEpochMilli(retryAt) + ")", wallClock);
        context.forward(new Record<String, Object>(shipmentId, letter, wallClock, DeadLetters.headers(null, letter)), DEAD_LETTER_SINK);
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
                startJob(ShipmentIndex.routeFacilityPrefix(f.getFacilityId()), "FACILITY_CLOSED " + f.getFacilityId(), wallClock);
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
            if (l.getDisrupted()) startJob(ShipmentIndex.routeLanePrefix(l.getLaneId()), "LANE_DISRUPTED " + l.getLaneId(), wallClock);
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
            startJob(key.startsWith("facility/") ? ShipmentIndex.routeFacilityPrefix(id) : ShipmentIndex.routeLanePrefix(id),
                    (key.startsWith("facility/") ? "FACILITY_REMOVED " : "LANE_REMOVED ") + id, wallClock);
        }
        if (changed) startJob(ShipmentIndex.routeStatusPrefix("NO_ROUTE"), "NETWORK_CHANGED", wallClock);
    }

    /** One record, however many shipments the change affects; a change noticed again restarts its walk. */
    private void startJob(String indexPrefix, String reason, long wallClock) {
        replanJobs.put(indexPrefix, ReplanJob.start(indexPrefix, reason, wallClock).encode());
        replansPending = true;
        LOG.info("{}: task {} re-plans the shipments under {} of its index, most urgent first", reason, context.taskId(), indexPrefix);
    }

    /**
     * Works through the re-plan jobs, most urgent shipment first across all of them (a merge of their
     * index walks), until the batch or the tick's budget is used up; each job's cursor is saved once.
     */
    private void replan(long wallClock, long started, long deadline) {
        if (!replansPending) return;
        Instant now = Instant.ofEpochMilli(wallClock);
        List<ReplanJob> jobs = new ArrayList<>();
        List<KeyValue<String, String>> legacy = new ArrayList<>();
        try (KeyValueIterator<String, String> it = replanJobs.all()) {
            while (it.hasNext()) {
                KeyValue<String, String> kv = it.next();
                ReplanJob job = ReplanJob.decode(kv.key, kv.value);
                if (job != null) jobs.add(job);
                else if (legacy.size() < settings.rerouteBatch()) legacy.add(kv);
            }
        }
        if (jobs.isEmpty() && legacy.isEmpty()) {
            replansPending = false;
            return;
        }
        RoutingNetwork network = network();
        // Shipments queued one by one by an engine from before the jobs: re-plan them as they were queued.
        // Re-plans that failed are queued the same way, and tried again once their retry has come.
        failedReplans.values().removeIf(retryAt -> retryAt <= wallClock);
        for (KeyValue<String, String> queued : legacy) {
            if (System.nanoTime() > deadline) return;
            if (failedReplans.containsKey(queued.key)) continue;
            ShipmentCore.ShipmentRecord shipment = load(queued.key);
            ShipmentCore.Effects effects = replanOrQueue(shipment, queued.value, network, now, wallClock);
            if (effects == null) continue;
            replanJobs.delete(queued.key);
            apply(shipment, effects, wallClock);
        }
        ReplanWalk walk = ReplanWalk.next(jobs, index, settings.rerouteBatch());
        Set<String> done = new HashSet<>();
        Map<String, ReplanJob> progress = new HashMap<>();
        boolean outOfTime = false;
        for (ReplanWalk.Step step : walk.steps()) {
            if (System.nanoTime() > deadline) {
                outOfTime = true;
                break;
            }
            ReplanJob job = progress.getOrDefault(step.job().indexPrefix(), step.job());
            progress.put(job.indexPrefix(), job.after(step.indexKey()));
            String shipmentId = ShipmentIndex.shipmentId(step.indexKey());
            // A shipment under two changed prefixes (a closed hub and its lanes) is re-planned once a tick.
            if (!done.add(shipmentId)) continue;
            ShipmentCore.ShipmentRecord shipment = loadForAppend(shipmentId);
            ShipmentCore.Effects effects = replanOrQueue(shipment, job.reason(), network, now, wallClock);
            if (effects == null) continue;
            apply(shipment, effects, wallClock);
            meters.replanned(clock(wallClock, started).toEpochMilli() - job.since());
        }
        for (ReplanJob job : jobs) {
            ReplanJob advanced = progress.get(job.indexPrefix());
            if (!outOfTime && walk.finished(job.indexPrefix())) {
                replanJobs.delete(job.indexPrefix());
                LOG.info("{}: task {} has re-planned every shipment under {}", job.reason(), context.taskId(), job.indexPrefix());
            } else if (advanced != null) {
                replanJobs.put(job.indexPrefix(), advanced.encode());
            }
        }
    }

    /** The re-plan's effects, or null when its decision threw: it is then queued on its own and tried again later. */
    private ShipmentCore.Effects replanOrQueue(ShipmentCore.ShipmentRecord shipment, String reason, RoutingNetwork network, Instant now,
                                               long wallClock) {
        try {
            return core.onNetworkChange(shipment, reason, network, now);
        } catch (RuntimeException e) {
            long retryAt = wallClock + settings.failedTimerRetry().toMillis();
            failedReplans.put(shipment.shipmentId(), retryAt);
            replanJobs.put(shipment.shipmentId(), reason);
            tickFailed(shipment.shipmentId(), "engine/replan", e, retryAt, wallClock);
            return null;
        }
    }

    private RoutingNetwork network() {
        return snapshots.network(facilities, lanes);
    }

    private void deadLetter(Record<String, SpecificRecord> record, String errorClass, String message) {
        DeadLetter letter = DeadLetters.forRecord(context, record, FailureStage.PROCESSING, "engine/shipment", errorClass, message);
        context.forward(record.withValue((Object) letter).withHeaders(DeadLetters.headers(record.headers(), letter)), DEAD_LETTER_SINK);
    }
}
