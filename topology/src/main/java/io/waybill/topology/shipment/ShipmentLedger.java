package io.waybill.topology.shipment;

import io.waybill.contract.HistoryEntry;
import io.waybill.contract.HistoryEntryKind;
import io.waybill.contract.HistoryOutcome;
import io.waybill.contract.PlannerCommand;
import io.waybill.contract.ShipmentCreated;
import io.waybill.contract.ShipmentEvent;
import io.waybill.contract.ShipmentHistory;
import io.waybill.contract.ShipmentState;
import io.waybill.topology.workflow.BuiltInWorkflows;
import io.waybill.topology.workflow.Workflow;
import io.waybill.topology.workflow.WorkflowCatalog;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Keeps a shipment's history in occurredAt order and its state equal to the fold of that history.
 *
 * <p>Scanners buffer offline, so events arrive out of order. An entry that belongs after everything
 * folded so far is applied to the current state (the common, cheap case). An entry that belongs
 * earlier is inserted in place and the whole history is folded again from nothing, so the state is
 * exactly what in-order arrival would have given, and earlier verdicts (a departure rejected because
 * its arrival scan was late) are revised. Ties in occurredAt are broken by id, so the result does
 * not depend on arrival order at all.
 */
public final class ShipmentLedger {

    /** Order of the fold: occurredAt, then id. */
    static final Comparator<HistoryEntry> FOLD_ORDER = Comparator.comparing(HistoryEntry::getOccurredAt).thenComparing(HistoryEntry::getId);

    /** At most this many duplicate deliveries are kept per shipment in the audit trail. */
    static final int MAX_DUPLICATES_RECORDED = 50;

    private final ShipmentStateMachine stateMachine = new ShipmentStateMachine();
    private final WorkflowCatalog workflows;

    public ShipmentLedger(WorkflowCatalog workflows) {
        this.workflows = workflows;
    }

    /**
     * The result of recording one entry.
     *
     * @param newlyRejected entries rejected now that were not before (the new one, or earlier ones revised by a re-fold)
     * @param noLongerRejected entries a re-fold now accepts that were rejected before
     * @param raised the exception rule the new entry triggered, if it was applied
     */
    public record Result(ShipmentState state, ShipmentHistory history, HistoryEntry entry,
                         List<HistoryEntry> newlyRejected, List<HistoryEntry> noLongerRejected,
                         Optional<Workflow.ExceptionRule> raised, Workflow workflow) {
    }

    public static HistoryEntry entryFor(ShipmentEvent event, Instant receivedAt) {
        return HistoryEntry.newBuilder().setId(event.getEventId()).setKind(HistoryEntryKind.EVENT)
                .setType(EventTypes.of(event.getPayload())).setOccurredAt(event.getOccurredAt()).setReceivedAt(receivedAt)
                .setOutcome(HistoryOutcome.OTHER).setEvent(event).build();
    }

    public static HistoryEntry entryFor(PlannerCommand command, Instant receivedAt) {
        return HistoryEntry.newBuilder().setId(command.getCommandId()).setKind(HistoryEntryKind.COMMAND)
                .setType(CommandTypes.of(command.getPayload())).setOccurredAt(command.getIssuedAt()).setReceivedAt(receivedAt)
                .setOutcome(HistoryOutcome.OTHER).setCommand(command).build();
    }

    /** True when the history already holds this id (a resend that outlived the dedupe window). */
    public static boolean seen(ShipmentHistory history, String id) {
        return history != null && history.getEntries().stream().anyMatch(e -> e.getId().equals(id) && e.getOutcome() != HistoryOutcome.DUPLICATE);
    }

    /** Records a duplicate in the audit trail (bounded); the state is not touched. */
    public static ShipmentHistory recordDuplicate(ShipmentHistory history, String shipmentId, HistoryEntry duplicate) {
        ShipmentHistory h = history != null ? history : ShipmentHistory.newBuilder().setShipmentId(shipmentId).setEntries(new ArrayList<>()).build();
        long recorded = h.getEntries().stream().filter(e -> e.getOutcome() == HistoryOutcome.DUPLICATE).count();
        if (recorded >= MAX_DUPLICATES_RECORDED) return h;
        List<HistoryEntry> entries = new ArrayList<>(h.getEntries());
        entries.add(ShipmentStates.edit(duplicate).setOutcome(HistoryOutcome.DUPLICATE)
                .setReason("already received; ignored").setEvent(null).setCommand(null).build());
        return ShipmentStates.edit(h).setEntries(entries).build();
    }

    /**
     * Whether an entry is part of the state's fold. Duplicates, the engine's routing notes and
     * exception commands are kept for the audit trail only.
     */
    static boolean folded(HistoryEntry e) {
        return e.getOutcome() != HistoryOutcome.DUPLICATE && e.getKind() != HistoryEntryKind.ROUTING
                && !(e.getCommand() != null && CommandTypes.isExceptionCommand(e.getCommand().getPayload()));
    }

    /**
     * Appends an entry that is not folded (a routing decision, an exception command) with its
     * outcome already decided. The history stays bounded by what happens to the shipment.
     */
    public static ShipmentHistory note(ShipmentHistory history, String shipmentId, HistoryEntry entry) {
        ShipmentHistory h = history != null ? history : ShipmentHistory.newBuilder().setShipmentId(shipmentId).setEntries(new ArrayList<>()).build();
        List<HistoryEntry> entries = new ArrayList<>(h.getEntries());
        entries.add(entry);
        return ShipmentStates.edit(h).setEntries(entries).build();
    }

    /** A routing decision for the audit trail: why the plan changed, or why there is none. */
    public static HistoryEntry routingNote(String id, String type, String reason, Instant at) {
        return HistoryEntry.newBuilder().setId(id).setKind(HistoryEntryKind.ROUTING).setType(type).setOccurredAt(at)
                .setReceivedAt(at).setOutcome(HistoryOutcome.APPLIED).setReason(reason).build();
    }

    public Result record(String shipmentId, ShipmentState current, ShipmentHistory history, HistoryEntry entry, Instant now) {
        ShipmentHistory.Builder h = history != null ? ShipmentStates.edit(history)
                : ShipmentHistory.newBuilder().setShipmentId(shipmentId).setEntries(new ArrayList<>());

        boolean repinned = pinWorkflow(h, entry);
        Workflow workflow = workflows.get(h.getWorkflowName(), h.getWorkflowVersion());

        List<HistoryEntry> entries = new ArrayList<>(h.getEntries());
        Set<String> rejectedBefore = rejectedIds(entries);
        HistoryEntry last = entries.stream().filter(ShipmentLedger::folded).max(FOLD_ORDER).orElse(null);
        boolean inOrder = last == null || FOLD_ORDER.compare(entry, last) > 0;

        ShipmentState state;
        HistoryEntry recorded;
        Optional<Workflow.ExceptionRule> raised;
        if (inOrder && !repinned) {
            ShipmentStateMachine.Outcome outcome = stateMachine.apply(current, entry, workflow, now);
            recorded = withOutcome(entry, outcome);
            entries.add(recorded);
            state = outcome.state();
            raised = outcome.raised();
        } else {
            entries.add(entry);
            entries.sort(Comparator.comparing((HistoryEntry e) -> e.getOutcome() == HistoryOutcome.DUPLICATE).thenComparing(FOLD_ORDER));
            state = null;
            recorded = entry;
            raised = Optional.empty();
            for (int i = 0; i < entries.size(); i++) {
                HistoryEntry e = entries.get(i);
                if (!folded(e)) continue;
                ShipmentStateMachine.Outcome outcome = stateMachine.apply(state, e, workflow, now);
                HistoryEntry revised = withOutcome(e, outcome);
                if (e.getOutcome() != HistoryOutcome.OTHER && e.getOutcome() != revised.getOutcome()) {
                    revised.setReason((revised.getReason() == null ? "" : revised.getReason() + "; ")
                            + "re-evaluated after the late " + entry.getType() + " " + entry.getId());
                }
                entries.set(i, revised);
                state = outcome.state();
                if (e.getId().equals(entry.getId())) {
                    recorded = revised;
                    raised = outcome.raised();
                }
            }
            // Which command was processed last is a fact of arrival, not of the fold; so are the
            // route plan, the timers and the last instruction, which the router and timers revise next.
            if (current != null) {
                ShipmentState.Builder kept = ShipmentStates.edit(state)
                        .setRouteStatus(current.getRouteStatus()).setRoutePlan(current.getRoutePlan())
                        .setNextLegIndex(current.getNextLegIndex()).setEta(current.getEta()).setSlaStatus(current.getSlaStatus())
                        .setLastInstructionKey(current.getLastInstructionKey())
                        .setTimers(current.getTimers()).setFiredTimers(current.getFiredTimers());
                if (entry.getKind() != HistoryEntryKind.COMMAND) kept.setLastCommandId(current.getLastCommandId());
                state = kept.build();
            }
        }
        if (entry.getKind() == HistoryEntryKind.COMMAND) {
            state = ShipmentStates.edit(state).setLastCommandId(entry.getId()).build();
        }
        h.setEntries(entries);

        Set<String> rejectedAfter = rejectedIds(entries);
        List<HistoryEntry> newlyRejected = entries.stream()
                .filter(e -> rejectedAfter.contains(e.getId()) && !rejectedBefore.contains(e.getId())).toList();
        List<HistoryEntry> noLongerRejected = entries.stream()
                .filter(e -> rejectedBefore.contains(e.getId()) && !rejectedAfter.contains(e.getId())).toList();
        return new Result(state, h.build(), recorded, newlyRejected, noLongerRejected,
                recorded.getOutcome() == HistoryOutcome.APPLIED ? raised : Optional.empty(), workflow);
    }

    /**
     * The workflow is chosen once, at booking, and kept. Events before the booking run under the
     * default workflow provisionally; the booking replaces that choice (and the history is re-folded).
     */
    private boolean pinWorkflow(ShipmentHistory.Builder h, HistoryEntry entry) {
        ShipmentCreated created = entry.getEvent() != null && entry.getEvent().getPayload() instanceof ShipmentCreated c ? c : null;
        if (created != null && (h.getWorkflowName() == null || h.getWorkflowProvisional())) {
            Workflow chosen = workflows.select(created.getServiceLevel(), created.getHandling(), created.getCustomerId());
            boolean changed = h.getWorkflowName() != null
                    && !(chosen.name().equals(h.getWorkflowName()) && chosen.version() == h.getWorkflowVersion());
            h.setWorkflowName(chosen.name()).setWorkflowVersion(chosen.version()).setWorkflowProvisional(false);
            return changed;
        }
        if (h.getWorkflowName() == null) {
            Workflow fallback = workflows.latest(BuiltInWorkflows.DEFAULT);
            h.setWorkflowName(fallback.name()).setWorkflowVersion(fallback.version()).setWorkflowProvisional(true);
        }
        return false;
    }

    private static HistoryEntry withOutcome(HistoryEntry e, ShipmentStateMachine.Outcome outcome) {
        HistoryOutcome result = switch (outcome.kind()) {
            case APPLIED -> HistoryOutcome.APPLIED;
            case REJECTED -> HistoryOutcome.REJECTED;
            case IGNORED -> HistoryOutcome.IGNORED;
        };
        return ShipmentStates.edit(e).setOutcome(result).setReason(outcome.reason()).build();
    }

    private static Set<String> rejectedIds(List<HistoryEntry> entries) {
        return entries.stream().filter(e -> e.getOutcome() == HistoryOutcome.REJECTED).map(HistoryEntry::getId).collect(Collectors.toSet());
    }
}
