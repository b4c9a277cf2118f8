package io.waybill.topology.shipment;

import io.waybill.contract.AcknowledgeExceptionCommand;
import io.waybill.contract.ExceptionType;
import io.waybill.contract.FacilityStatus;
import io.waybill.contract.HistoryEntry;
import io.waybill.contract.HistoryOutcome;
import io.waybill.contract.Notification;
import io.waybill.contract.PlannerCommand;
import io.waybill.contract.ResolveExceptionCommand;
import io.waybill.contract.RouteStatus;
import io.waybill.contract.RoutingInstruction;
import io.waybill.contract.Severity;
import io.waybill.contract.ShipmentException;
import io.waybill.contract.ShipmentHistory;
import io.waybill.contract.ShipmentState;
import io.waybill.contract.ShipmentStatus;
import io.waybill.contract.SlaStatus;
import io.waybill.contract.SnoozeExceptionCommand;
import io.waybill.contract.StartReturnCommand;
import io.waybill.topology.capacity.LaneLoad;
import io.waybill.topology.exception.ExceptionBook;
import io.waybill.topology.routing.RoutingNetwork;
import io.waybill.topology.routing.ShipmentRouter;
import io.waybill.topology.timer.ShipmentTimers;
import io.waybill.topology.workflow.Workflow;
import io.waybill.topology.workflow.WorkflowCatalog;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The shipment engine's decisions, without Kafka: a shipment's record (state, history, latest
 * exception of each type) and one input (an event or command, a due timer, a network change) in,
 * the new record and the effects to emit out. {@link ShipmentProcessor} loads the record, calls one
 * of the {@code on...} methods and applies the {@link Effects}; everything a rule decides is tested
 * here without a broker or a TopologyTestDriver.
 *
 * <ol>
 *   <li>an id already in the history is a duplicate: it is noted (bounded) and changes nothing;</li>
 *   <li>the entry goes into the history in occurredAt order; the state is the fold of that history ({@link ShipmentLedger});</li>
 *   <li>the router keeps the route plan, ETA, SLA status and sorting instruction in step ({@link ShipmentRouter});</li>
 *   <li>exceptions are raised, escalated and resolved through the exception book, one active per shipment and type;</li>
 *   <li>the timers the new state asks for are set on the state ({@link ShipmentTimers}); the timer index follows the state;</li>
 *   <li>a new or re-timed plan books and releases lane capacity ({@link LaneLoad}).</li>
 * </ol>
 */
public final class ShipmentCore implements ShipmentDecisions {

    private final WorkflowCatalog catalog;
    private final ShipmentLedger ledger;
    private final ShipmentRouter router;
    private final Duration finishedRetention;

    public ShipmentCore(WorkflowCatalog catalog, ShipmentRouter router, Duration finishedRetention) {
        this.catalog = catalog;
        this.ledger = new ShipmentLedger(catalog);
        this.router = router;
        this.finishedRetention = finishedRetention;
    }

    /**
     * A shipment as the stores hold it.
     *
     * @param state null before the first event
     * @param history null before the first entry
     * @param exceptions the latest exception of each type (resolved ones included: they keep the count)
     * @param historyOffset the position of {@code history}'s first entry in the stored history: 0 when
     *        it is the whole history; more when only its tail was loaded, for inputs that only append
     *        to it (a timer, a network change), so their cost does not grow with the journey
     */
    public record ShipmentRecord(String shipmentId, ShipmentState state, ShipmentHistory history,
                                 Map<ExceptionType, ShipmentException> exceptions, int historyOffset) {
        public ShipmentRecord {
            exceptions = Map.copyOf(exceptions);
        }

        public ShipmentRecord(String shipmentId, ShipmentState state, ShipmentHistory history,
                              Map<ExceptionType, ShipmentException> exceptions) {
            this(shipmentId, state, history, exceptions, 0);
        }

        public static ShipmentRecord empty(String shipmentId) {
            return new ShipmentRecord(shipmentId, null, null, Map.of());
        }
    }

    /**
     * What one input does to one shipment, in the order the processor applies it.
     *
     * @param state the new state (null when there is none, or it was purged)
     * @param stateChanged the state is to be stored and published
     * @param history the history to store when {@code historyChanged}
     * @param exceptionsToStore the latest exception of each type that changed, to store
     * @param exceptionsToPublish exception changes for the exceptions topic, in order
     * @param timersSet timers the new state sets or moves (name to due), for the tick's scan floor
     * @param timersCleared timers the new state no longer has (name to the due it had)
     * @param laneLoadDeltas +n/-n per "laneId@day" that the plan books or releases
     * @param purged the shipment's retention ended: state, history and exceptions go, a tombstone is published
     */
    public record Effects(ShipmentState state, boolean stateChanged, ShipmentHistory history, boolean historyChanged,
                          List<ShipmentException> exceptionsToStore, List<ShipmentException> exceptionsToPublish,
                          List<RoutingInstruction> instructions, List<Notification> notifications, List<PlannerCommand> commands,
                          Map<String, Instant> timersSet, Map<String, Instant> timersCleared,
                          Map<String, Long> laneLoadDeltas, boolean purged) {

        /** Nothing to do. */
        public static Effects none(ShipmentRecord record) {
            return noted(record.state(), record.history(), false);
        }

        /** Only the history changes (a duplicate, or a command for a shipment without a state), or nothing when not {@code changed}. */
        static Effects noted(ShipmentState state, ShipmentHistory history, boolean changed) {
            return new Effects(state, false, history, changed, List.of(), List.of(), List.of(), List.of(), List.of(),
                    Map.of(), Map.of(), Map.of(), false);
        }

        /** How many records these effects write to stores and topics (changelogs included), the I/O cost of the input. */
        public int recordsWritten() {
            if (purged) return 2 + (history != null ? 1 : 0) + exceptionsToStore.size();
            int stateWrites = stateChanged ? 2 : 0; // the store's changelog and the state topic
            return stateWrites + (historyChanged ? 1 : 0) + exceptionsToStore.size() + exceptionsToPublish.size()
                    + instructions.size() + notifications.size() + commands.size() + laneLoadDeltas.size();
        }
    }

    // ---- events and commands -------------------------------------------------------------------

    /** An event or planner command for the shipment (its history entry, not yet folded). */
    @Override
    public Effects onEntry(ShipmentRecord record, HistoryEntry entry, RoutingNetwork network, Instant now) {
        String shipmentId = record.shipmentId();
        ShipmentHistory history = record.history();
        if (ShipmentLedger.seen(history, entry.getId())) {
            ShipmentHistory noted = ShipmentLedger.recordDuplicate(history, shipmentId, entry);
            return Effects.noted(record.state(), noted, noted != history);
        }
        ShipmentState before = record.state();
        if (entry.getCommand() != null && CommandTypes.isExceptionCommand(entry.getCommand().getPayload())) {
            return onExceptionCommand(record, entry, entry.getCommand(), network, now);
        }

        ShipmentLedger.Result result = ledger.record(shipmentId, before, history, entry, now);
        Workflow workflow = result.workflow();
        Decision d = new Decision(record, result.state(), result.history(), workflow, network, now);

        for (HistoryEntry rejected : result.newlyRejected()) {
            d.raise(ExceptionType.INVALID_TRANSITION, workflow.invalidTransitionSeverity(), facilityOf(d.state),
                    rejected.getReason(), rejected.getId());
        }
        if (!result.noLongerRejected().isEmpty()
                && result.history().getEntries().stream().noneMatch(e -> e.getOutcome() == HistoryOutcome.REJECTED)) {
            d.autoResolve(ExceptionType.INVALID_TRANSITION, "valid once the late " + entry.getType() + " " + entry.getId()
                    + " was placed in occurredAt order");
        }
        result.raised().ifPresent(rule -> d.raise(rule.raise(), rule.severity(), facilityOf(d.state),
                entry.getType() + " reported", entry.getId()));

        if (result.entry().getOutcome() == HistoryOutcome.APPLIED) {
            Object payload = entry.getEvent() != null ? entry.getEvent().getPayload() : entry.getCommand().getPayload();
            // A late scan folded into the past says nothing about where the shipment is now:
            // only the latest event moves the route (and resolves a missed scan).
            boolean latest = entry.getEvent() == null || entry.getId().equals(d.state.getLastEventId());
            String type = latest ? entry.getType() : "LATE_" + entry.getType();
            d.resolveOnProgress(type, payload);
            d.route(new ShipmentRouter.Trigger.Entry(type, payload));
        } else if (d.state.getRoutePlan() == null) {
            d.route(new ShipmentRouter.Trigger.Entry(entry.getType(), null));
        }
        return d.finish();
    }

    private Effects onExceptionCommand(ShipmentRecord record, HistoryEntry entry, PlannerCommand command, RoutingNetwork network,
                                       Instant now) {
        String shipmentId = record.shipmentId();
        ShipmentState before = record.state();
        Object payload = command.getPayload();
        String exceptionId = payload instanceof AcknowledgeExceptionCommand a ? a.getExceptionId()
                : payload instanceof ResolveExceptionCommand r ? r.getExceptionId() : ((SnoozeExceptionCommand) payload).getExceptionId();
        ShipmentException latest = ExceptionBook.typeOf(exceptionId).map(record.exceptions()::get).orElse(null);
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
        HistoryEntry decided = ShipmentStates.edit(entry)
                .setOutcome(verdict instanceof ExceptionBook.Verdict.Done ? HistoryOutcome.APPLIED : HistoryOutcome.REJECTED)
                .setReason(verdict instanceof ExceptionBook.Verdict.Refused refused ? refused.reason() : exceptionId).build();
        ShipmentHistory noted = ShipmentLedger.note(record.history(), shipmentId, decided);
        if (before == null) {
            return Effects.noted(null, noted, true);
        }
        Workflow workflow = catalog.get(before.getWorkflowName(), before.getWorkflowVersion());
        ShipmentState state = ShipmentStates.edit(before).setLastCommandId(command.getCommandId())
                .setCommandsApplied(before.getCommandsApplied() + (verdict instanceof ExceptionBook.Verdict.Done ? 1 : 0)).build();
        Decision d = new Decision(record, state, noted, workflow, network, now);
        if (verdict instanceof ExceptionBook.Verdict.Done done) d.store(done.exception(), true);
        return d.finish();
    }

    // ---- timers ---------------------------------------------------------------------------------

    /** A timer came due. A timer the state no longer holds at that time was moved or cancelled: nothing happens. */
    @Override
    public Effects onTimer(ShipmentRecord record, ShipmentTimers.Due timer, RoutingNetwork network, Instant now) {
        ShipmentState state = record.state();
        if (state == null || !timer.due().equals(state.getTimers().get(timer.name()))) return Effects.none(record);
        String name = timer.name();
        if (name.equals(ShipmentTimers.PURGE)) {
            return new Effects(null, true, record.history(), false, List.of(), List.of(), List.of(), List.of(), List.of(),
                    Map.of(), Map.copyOf(state.getTimers()), Map.of(), true);
        }
        Map<String, Instant> fired = new HashMap<>(state.getFiredTimers());
        fired.put(name, timer.due());
        Map<String, Instant> pending = new HashMap<>(state.getTimers());
        pending.remove(name);
        ShipmentState marked = ShipmentStates.edit(state).setFiredTimers(fired).setTimers(pending).build();
        Workflow workflow = catalog.get(state.getWorkflowName(), state.getWorkflowVersion());
        Decision d = new Decision(record, marked, null, workflow, network, now);
        String at = facilityOf(state);
        switch (name) {
            case ShipmentTimers.DWELL -> d.raise(ExceptionType.DWELL_EXCEEDED, null, at,
                    state.getStatus() + " since " + state.getStatusSince() + (at != null ? " at " + at : "") + ", longer than "
                            + workflow.maxDurations().get(state.getStatus()), name);
            case ShipmentTimers.HOLD_EXPIRED -> d.raise(ExceptionType.HOLD_EXPIRED, null, at,
                    "held since " + state.getStatusSince() + " (" + state.getHoldReason() + "), past " + timer.due(), name);
            case ShipmentTimers.MISSED_SCAN -> {
                var leg = ShipmentTimers.legInProgress(state);
                String expectedAt = leg != null ? leg.getToFacilityId() : at;
                d.raise(ExceptionType.MISSED_SCAN, null, expectedAt, "no arrival scan at " + expectedAt + " from lane "
                        + state.getLastLaneId() + (leg != null ? "; planned arrival " + leg.getPlannedArrival() : ""), name);
            }
            case ShipmentTimers.SLA_AT_RISK -> {
                d.raise(ExceptionType.SLA_AT_RISK, null, at, "not delivered " + workflow.timers().slaAtRiskMargin()
                        + " before the promise " + state.getPromisedDeliveryAt() + "; ETA " + state.getEta(), name);
                if (d.state.getSlaStatus() == SlaStatus.ON_TIME) {
                    d.state = ShipmentStates.edit(d.state).setSlaStatus(SlaStatus.AT_RISK).build();
                }
            }
            case ShipmentTimers.SLA_BREACHED -> {
                d.raise(ExceptionType.SLA_BREACHED, null, at, "not delivered by the promise " + state.getPromisedDeliveryAt(), name);
                d.state = ShipmentStates.edit(d.state).setSlaStatus(SlaStatus.LATE).build();
            }
            default -> {
                if (name.startsWith(ShipmentTimers.ESCALATE)) {
                    d.escalate(ExceptionType.valueOf(name.substring(ShipmentTimers.ESCALATE.length())));
                }
            }
        }
        return d.finish();
    }

    // ---- network changes -------------------------------------------------------------------------

    /** The network changed under the shipment's route (or a shipment without a route may now have one). */
    @Override
    public Effects onNetworkChange(ShipmentRecord record, String reason, RoutingNetwork network, Instant now) {
        ShipmentState state = record.state();
        if (state == null || Workflow.FINAL.contains(state.getStatus())) return Effects.none(record);
        Workflow workflow = catalog.get(state.getWorkflowName(), state.getWorkflowVersion());
        Decision d = new Decision(record, state, null, workflow, network, now);
        d.route(new ShipmentRouter.Trigger.NetworkChange(reason));
        return d.finish();
    }

    // ---- one decision ----------------------------------------------------------------------------

    /** Everything one input does to one shipment, collected until {@link #finish()}. */
    private final class Decision {
        final String shipmentId;
        final ShipmentState before;
        /** The timers as stored before this input (a fired timer is already off {@link #state}). */
        final Map<String, Instant> timersBefore;
        ShipmentState state;
        ShipmentHistory history;
        boolean historyChanged;
        /** Where the loaded history starts in the shipment's whole history (a timer or re-plan loads only its tail). */
        final int historyOffset;
        final Workflow workflow;
        final RoutingNetwork network;
        final Instant now;
        final Map<ExceptionType, ShipmentException> exceptions;
        final Map<ExceptionType, ShipmentException> toStore = new LinkedHashMap<>();
        final List<ShipmentException> toPublish = new ArrayList<>();
        final List<RoutingInstruction> instructions = new ArrayList<>();
        final List<Notification> notifications = new ArrayList<>();
        final List<PlannerCommand> commands = new ArrayList<>();

        Decision(ShipmentRecord record, ShipmentState state, ShipmentHistory history, Workflow workflow, RoutingNetwork network,
                 Instant now) {
            this.shipmentId = record.shipmentId();
            this.historyOffset = record.historyOffset();
            this.before = record.state();
            this.timersBefore = before == null ? Map.of() : before.getTimers();
            this.state = state;
            this.history = history != null ? history : record.history();
            this.historyChanged = history != null;
            this.workflow = workflow;
            this.network = network;
            this.now = now;
            this.exceptions = record.exceptions().isEmpty() ? new EnumMap<>(ExceptionType.class) : new EnumMap<>(record.exceptions());
        }

        void raise(ExceptionType type, Severity severity, String facilityId, String cause, String triggeringId) {
            Workflow.ExceptionPolicy policy = workflow.exceptionPolicy(type);
            ShipmentException latest = exceptions.get(type);
            ExceptionBook.Change raised = ExceptionBook.raise(latest, shipmentId, type, severity != null ? severity : policy.severity(),
                    facilityId, cause == null ? type.name() : cause, triggeringId, now, policy);
            ShipmentException result = act(raised.exception());
            store(result, raised.publish() || result != raised.exception());
        }

        void autoResolve(ExceptionType type, String why) {
            ExceptionBook.autoResolve(exceptions.get(type), why, now).ifPresent(c -> store(c.exception(), true));
        }

        void escalate(ExceptionType type) {
            ExceptionBook.escalate(exceptions.get(type), now, workflow.exceptionPolicy(type)).ifPresent(e -> {
                store(e.exception(), true);
                notifications.add(e.notification());
            });
        }

        void store(ShipmentException updated, boolean publish) {
            exceptions.put(updated.getType(), updated);
            toStore.put(updated.getType(), updated);
            if (publish) toPublish.add(updated);
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
                        commands.add(command);
                        result = ExceptionBook.withAction(result, "RETURN_TO_SENDER requested (" + command.getCommandId() + ")", now);
                    }
                }
            }
            return result;
        }

        boolean closed(String facilityId) {
            return facilityId != null && network.facility(facilityId).map(f -> f.getStatus() == FacilityStatus.CLOSED).orElse(false);
        }

        /** Conditions that end when the shipment moves on. */
        void resolveOnProgress(String type, Object payload) {
            if (type.equals("ARRIVED_AT_FACILITY")) {
                autoResolve(ExceptionType.MISSED_SCAN, "the arrival scan at " + EventTypes.facilityOf(payload) + " came");
            }
            if (before != null && !Objects.equals(before.getStatusSince(), state.getStatusSince())) {
                autoResolve(ExceptionType.DWELL_EXCEEDED, "moved on from " + before.getStatus() + " to " + state.getStatus());
            }
            if (before != null && before.getStatus() == ShipmentStatus.HELD && state.getStatus() != ShipmentStatus.HELD) {
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
            ShipmentRouter.Decision decision = router.route(state, trigger, network, workflow, now);
            SlaStatus slaBefore = state.getSlaStatus();
            state = decision.state();
            decision.instruction().ifPresent(instructions::add);
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
            history = ShipmentLedger.note(history, shipmentId, entry);
            historyChanged = true;
        }

        Effects finish() {
            List<ShipmentException> active = exceptions.values().stream().filter(ExceptionBook::active).toList();
            Map<String, Instant> wanted = ShipmentTimers.desired(state, workflow, active, finishedRetention);
            Map<String, Instant> fired = ShipmentTimers.stillFired(state, workflow, active);
            if (!wanted.equals(state.getTimers()) || !fired.equals(state.getFiredTimers())) {
                state = ShipmentStates.edit(state).setTimers(new HashMap<>(wanted)).setFiredTimers(new HashMap<>(fired)).build();
            }
            Map<String, Instant> set = new HashMap<>();
            Map<String, Instant> cleared = new HashMap<>();
            wanted.forEach((name, due) -> {
                if (!due.equals(timersBefore.get(name))) set.put(name, due);
            });
            timersBefore.forEach((name, due) -> {
                if (!due.equals(wanted.get(name))) cleared.put(name, due);
            });
            Map<String, Long> laneLoad = laneLoadDeltas();
            boolean changed = !Objects.equals(before, state);
            if (changed && before != null && !state.getUpdatedAt().isAfter(before.getUpdatedAt())) {
                state = ShipmentStates.edit(state).setUpdatedAt(now).build();
            }
            // An instruction's id names its step: the shipment, what to do where, and how long the history is with the
            // decision that issued it. A sorter told "X" again after "Y" (a failed delivery, a re-plan back) gets a new id,
            // so dedupe by id never drops a real instruction, and a record written twice for one step has the same id.
            int step = historyOffset + (history == null ? 0 : history.getEntries().size());
            instructions.forEach(i -> i.setInstructionId(i.getInstructionId() + "#" + step));
            return new Effects(state, changed, history, historyChanged, List.copyOf(toStore.values()), List.copyOf(toPublish),
                    List.copyOf(instructions), List.copyOf(notifications), List.copyOf(commands), Map.copyOf(set), Map.copyOf(cleared),
                    laneLoad, false);
        }

        /** A new plan books its lanes' departures and releases the old plan's (travelled legs stay counted). */
        Map<String, Long> laneLoadDeltas() {
            var beforePlan = before == null ? null : before.getRoutePlan();
            var plan = state.getRoutePlan();
            if (beforePlan == null && plan == null) return Map.of();
            // A shipment that finishes (delivered off plan, cancelled, returned) releases the legs it will not travel;
            // a finished one books nothing. Its purge then has nothing left to release.
            boolean finished = Workflow.FINAL.contains(state.getStatus());
            if (finished) {
                if (before == null || Workflow.FINAL.contains(before.getStatus()) || beforePlan == null) return Map.of();
                int travelled = plan != null && beforePlan.getPlanId().equals(plan.getPlanId()) ? state.getNextLegIndex() : before.getNextLegIndex();
                return LaneLoad.deltas(LaneLoad.bookings(beforePlan, travelled), Map.of());
            }
            if (beforePlan != null && plan != null && beforePlan.getPlanId().equals(plan.getPlanId())) {
                if (beforePlan.equals(plan)) return Map.of(); // the common case: the plan did not move
                // Same plan, re-timed: keep the booking of the legs already travelled, move the rest.
                return LaneLoad.deltas(LaneLoad.bookings(beforePlan, state.getNextLegIndex()), LaneLoad.bookings(plan, state.getNextLegIndex()));
            }
            // A new plan: the old plan's travelled legs were used; release only those not travelled.
            var was = beforePlan == null ? Map.<String, Long>of() : LaneLoad.bookings(beforePlan, before.getNextLegIndex());
            var is = plan == null ? Map.<String, Long>of() : LaneLoad.bookings(plan, 0);
            return LaneLoad.deltas(was, is);
        }
    }

    static String describe(ShipmentState s) {
        var plan = s.getRoutePlan();
        StringBuilder b = new StringBuilder(plan.getFromFacilityId());
        for (var leg : plan.getLegs()) b.append(" → ").append(leg.getToFacilityId()).append(" (").append(leg.getLaneId()).append(')');
        return b.append(", ETA ").append(s.getEta()).toString();
    }

    static String facilityOf(ShipmentState state) {
        if (state == null) return null;
        return state.getCurrentFacilityId() != null ? state.getCurrentFacilityId() : state.getLastFacilityId();
    }
}
