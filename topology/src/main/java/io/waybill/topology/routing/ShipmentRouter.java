package io.waybill.topology.routing;

import io.waybill.contract.Facility;
import io.waybill.contract.FacilityStatus;
import io.waybill.contract.Lane;
import io.waybill.contract.RouteLeg;
import io.waybill.contract.RoutePlan;
import io.waybill.contract.RouteStatus;
import io.waybill.contract.RoutingInstruction;
import io.waybill.contract.ShipmentState;
import io.waybill.topology.shipment.ShipmentStates;
import io.waybill.contract.ShipmentStatus;
import io.waybill.contract.SlaStatus;
import io.waybill.topology.workflow.Workflow;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Keeps a shipment's route plan, ETA, SLA status and sorting instruction in step with where the
 * shipment is. Pure (no Kafka, no clock): given the state after an event, command, timer or network
 * change, it answers the new state and what to tell the world.
 *
 * <p>The plan changes only for a reason: the booking, a mis-sort (a scan or departure off the plan),
 * a new destination, a planner's REROUTE constraints, a closed facility or disrupted lane ahead, or a
 * retry of a shipment without a route. Otherwise the remaining legs are only re-timed from the
 * shipment's actual progress (a late departure, an early arrival), which moves the ETA without
 * re-routing anything.
 */
public final class ShipmentRouter {

    /** From arrival at the delivering facility to the doorstep: sorting to a route and the drive. */
    public static final Duration LAST_MILE = Duration.ofHours(4);

    private final RoutePlanner planner;

    public ShipmentRouter(RoutePlanner planner) {
        this.planner = planner;
    }

    /** Why the router is asked. */
    public sealed interface Trigger {
        /** An event or command was applied (or rejected) for the shipment. */
        record Entry(String type, Object payload) implements Trigger {
        }

        /** The network changed under the shipment's route, or a retry of NO_ROUTE. */
        record NetworkChange(String reason) implements Trigger {
        }

        /** Re-plan from a given facility, avoiding another (a missed scan at a CLOSED facility). */
        record Divert(String fromFacilityId, String avoidFacilityId, String reason) implements Trigger {
        }
    }

    /**
     * What routing decided.
     *
     * @param replanReason set when the plan changed (for the history and the plan itself)
     * @param misrouted set when the shipment went off its plan (for a MISROUTED exception)
     * @param noRoute set when no route exists (for a NO_ROUTE exception)
     * @param backOnPlan true when the shipment arrived where its plan expected (resolves MISROUTED)
     */
    public record Decision(ShipmentState state, Optional<RoutingInstruction> instruction, String replanReason,
                           String misrouted, String noRoute, boolean backOnPlan) {
    }

    private record Position(String facilityId, Instant readyAt) {
    }

    public Decision route(ShipmentState s, Trigger trigger, RoutingNetwork network, Workflow workflow, Instant now) {
        if (s == null || s.getCreatedAt() == null || s.getOrigin() == null || s.getDestination() == null) {
            return new Decision(s, Optional.empty(), null, null, null, false);
        }
        ShipmentState.Builder next = ShipmentStates.edit(s);
        if (Workflow.FINAL.contains(s.getStatus())) {
            Instant done = s.getStatusSince() != null ? s.getStatusSince() : s.getLastEventAt();
            next.setRouteStatus(RouteStatus.FINISHED).setEta(s.getStatus() == ShipmentStatus.DELIVERED ? done : s.getEta());
            next.setSlaStatus(s.getStatus() == ShipmentStatus.DELIVERED ? sla(s.getPromisedDeliveryAt(), done, done, true, workflow)
                    : SlaStatus.UNKNOWN);
            return new Decision(next.build(), Optional.empty(), null, null, null, false);
        }
        if (s.getStatus() == ShipmentStatus.OUT_FOR_DELIVERY) {
            Instant since = s.getStatusSince() != null ? s.getStatusSince() : now;
            next.setEta(since.plus(LAST_MILE)).setSlaStatus(sla(s.getPromisedDeliveryAt(), since.plus(LAST_MILE), now, false, workflow));
            return new Decision(next.build(), Optional.empty(), null, null, null, true);
        }

        RoutePlan plan = s.getRoutePlan();
        String replan = null;
        String misrouted = null;
        boolean backOnPlan = false;
        Position position = position(s, network);
        int nextLeg = s.getNextLegIndex();

        if (trigger instanceof Trigger.Entry entry && plan != null) {
            String facility = facilityOf(entry.payload());
            if (entry.type().equals("ARRIVED_AT_FACILITY") && facility != null) {
                int at = legFrom(plan, facility);
                if (at >= 0) {
                    nextLeg = at;
                    backOnPlan = true;
                } else if (facility.equals(plan.getToFacilityId())) {
                    nextLeg = plan.getLegs().size();
                    backOnPlan = true;
                } else {
                    misrouted = "scanned at " + facility + ", which is not on its plan " + describe(plan, s.getNextLegIndex());
                    replan = "MIS_SORT at " + facility;
                }
            } else if (entry.type().equals("DEPARTED_FACILITY") && s.getLastLaneId() != null) {
                int at = legWithLane(plan, s.getLastLaneId());
                if (at >= 0) {
                    nextLeg = at;
                } else {
                    misrouted = "left " + s.getLastFacilityId() + " on lane " + s.getLastLaneId() + ", which is not on its plan "
                            + describe(plan, s.getNextLegIndex());
                    replan = "MIS_SORT: departed on " + s.getLastLaneId();
                }
            }
        }
        if (replan == null) {
            if (plan == null) {
                replan = s.getRouteStatus() == RouteStatus.NO_ROUTE ? retryReason(trigger) : "BOOKED";
            } else if (!Objects.equals(plan.getToFacilityId(), s.getDestination())) {
                replan = "DESTINATION_CHANGED to " + s.getDestination();
            } else if (trigger instanceof Trigger.Entry e && e.type().equals("REROUTE")) {
                replan = "PLANNER_REROUTE" + constraints(s);
            } else if (trigger instanceof Trigger.NetworkChange change) {
                replan = change.reason();
            } else if (trigger instanceof Trigger.Divert divert) {
                replan = divert.reason();
                position = new Position(divert.fromFacilityId(), now.isAfter(position.readyAt()) ? now : position.readyAt());
            }
        }

        next.setNextLegIndex(nextLeg);
        Optional<RoutingInstruction> instruction;
        String noRoute = null;
        if (replan != null) {
            var avoid = new HashSet<>(s.getAvoidFacilityIds());
            if (trigger instanceof Trigger.Divert divert && divert.avoidFacilityId() != null) avoid.add(divert.avoidFacilityId());
            RouteRequest request = new RouteRequest(position.facilityId(), s.getDestination(), position.readyAt(),
                    s.getServiceLevel(), s.getHandling(), avoid, new HashSet<>(s.getAvoidLaneIds()), s.getViaFacilityId());
            RouteResult result = planner.plan(network, request);
            if (result instanceof RouteResult.Found found) {
                int revision = plan == null ? 1 : plan.getRevision() + 1;
                // A shipment on a truck stays on it: the leg in progress heads the new plan.
                RouteLeg inProgress = trigger instanceof Trigger.Divert || misrouted != null ? null : legInProgress(s);
                List<RouteLeg> legs = new ArrayList<>();
                if (inProgress != null) legs.add(inProgress);
                legs.addAll(found.legs());
                RoutePlan fresh = RoutePlan.newBuilder()
                        .setPlanId(s.getShipmentId() + "#" + revision).setRevision(revision).setPlannedAt(now).setReason(replan)
                        .setFromFacilityId(inProgress != null ? inProgress.getFromFacilityId() : position.facilityId())
                        .setToFacilityId(s.getDestination())
                        .setLegs(legs).setArrivalAtDestination(found.arrivalAtDestination()).build();
                boolean sameLegs = plan != null && sameLanes(plan.getLegs().subList(Math.min(nextLeg, plan.getLegs().size()), plan.getLegs().size()), legs)
                        && trigger instanceof Trigger.NetworkChange;
                if (sameLegs) {
                    // The change ahead does not touch this shipment's remaining route after all.
                    replan = null;
                    retime(next, s, plan, nextLeg, position, network, workflow, now);
                } else {
                    next.setRoutePlan(fresh).setNextLegIndex(0).setRouteStatus(RouteStatus.PLANNED);
                    Instant eta = found.arrivalAtDestination().plus(LAST_MILE);
                    next.setEta(eta).setSlaStatus(sla(s.getPromisedDeliveryAt(), eta, now, false, workflow));
                }
            } else {
                noRoute = ((RouteResult.NoRoute) result).reason();
                next.setRoutePlan(null).setNextLegIndex(0).setRouteStatus(RouteStatus.NO_ROUTE).setEta(null)
                        .setSlaStatus(s.getPromisedDeliveryAt() != null && now.isAfter(s.getPromisedDeliveryAt()) ? SlaStatus.LATE : SlaStatus.UNKNOWN);
                if (s.getRouteStatus() == RouteStatus.NO_ROUTE && plan == null) replan = null; // still none: nothing new to record
            }
        } else {
            retime(next, s, plan, nextLeg, position, network, workflow, now);
        }
        ShipmentState routed = next.build();
        instruction = instruction(s, routed, position, now, replan);
        if (instruction.isPresent()) {
            routed = ShipmentStates.edit(routed).setLastInstructionKey(instructionKey(instruction.get())).build();
        }
        return new Decision(routed, instruction, replan, misrouted, noRoute, backOnPlan && misrouted == null);
    }

    /** The planned leg the shipment is on, when it left on the lane its plan said. */
    private static RouteLeg legInProgress(ShipmentState s) {
        RoutePlan plan = s.getRoutePlan();
        if (plan == null || s.getCurrentFacilityId() != null || s.getLastLaneId() == null) return null;
        int i = legWithLane(plan, s.getLastLaneId());
        return i >= 0 && i >= s.getNextLegIndex() ? plan.getLegs().get(i) : null;
    }

    /** Where the shipment is, or will next be, and from when it can leave there. */
    private static Position position(ShipmentState s, RoutingNetwork network) {
        Instant since = s.getStatusSince() != null ? s.getStatusSince() : s.getCreatedAt();
        if (s.getCurrentFacilityId() != null) return new Position(s.getCurrentFacilityId(), since);
        if (s.getLastLaneId() != null && (s.getStatus() == ShipmentStatus.IN_TRANSIT || s.getStatus() == ShipmentStatus.RETURNING
                || s.getStatus() == ShipmentStatus.HELD)) {
            RoutePlan plan = s.getRoutePlan();
            if (plan != null) {
                int i = legWithLane(plan, s.getLastLaneId());
                if (i >= 0) {
                    RouteLeg leg = plan.getLegs().get(i);
                    return new Position(leg.getToFacilityId(), leg.getPlannedArrival().plus(handling(network, leg.getToFacilityId())));
                }
            }
            Optional<Lane> lane = network.lane(s.getLastLaneId());
            if (lane.isPresent()) {
                Instant departed = s.getLastEventAt() != null ? s.getLastEventAt() : since;
                return new Position(lane.get().getToFacilityId(), departed.plus(Duration.ofMinutes(lane.get().getTransitMinutes()))
                        .plus(handling(network, lane.get().getToFacilityId())));
            }
        }
        if (s.getLastFacilityId() != null) return new Position(s.getLastFacilityId(), since);
        return new Position(s.getOrigin(), since);
    }

    /**
     * Moves the remaining legs' times to the shipment's actual progress: the leg in progress arrives
     * its transit time after the actual departure; later legs take their lane's next departure after
     * the previous arrival plus handling. The lanes stay the same.
     */
    private static void retime(ShipmentState.Builder next, ShipmentState s, RoutePlan plan, int nextLeg, Position position,
                               RoutingNetwork network, Workflow workflow, Instant now) {
        if (plan == null) return;
        List<RouteLeg> legs = new ArrayList<>(plan.getLegs());
        boolean moved = false; // most events leave the plan's times as they were: keep the plan itself then
        Instant ready = null;
        for (int i = Math.max(0, nextLeg); i < legs.size(); i++) {
            RouteLeg leg = legs.get(i);
            Optional<Lane> lane = network.lane(leg.getLaneId());
            if (lane.isEmpty()) break; // the lane is gone: keep the plan's times; a network change re-plans it
            Instant departure;
            if (i == nextLeg && s.getCurrentFacilityId() == null && leg.getLaneId().equals(s.getLastLaneId()) && s.getLastEventAt() != null) {
                departure = s.getLastEventAt(); // in progress: it left when the departure scan says
            } else {
                Instant from = ready != null ? ready : position.readyAt();
                departure = nextDeparture(lane.get(), network, from);
            }
            Instant arrival = departure.plus(Duration.ofMinutes(lane.get().getTransitMinutes()));
            if (!departure.equals(leg.getPlannedDeparture()) || !arrival.equals(leg.getPlannedArrival())) {
                legs.set(i, RouteLeg.newBuilder(leg).setPlannedDeparture(departure).setPlannedArrival(arrival).build());
                moved = true;
            }
            ready = arrival.plus(handling(network, leg.getToFacilityId()));
        }
        Instant arrivalAtDestination = legs.isEmpty() || nextLeg >= legs.size()
                ? (s.getCurrentFacilityId() != null ? position.readyAt() : plan.getArrivalAtDestination())
                : legs.get(legs.size() - 1).getPlannedArrival();
        if (moved || !arrivalAtDestination.equals(plan.getArrivalAtDestination())) {
            next.setRoutePlan(new RoutePlan(plan.getPlanId(), plan.getRevision(), plan.getPlannedAt(), plan.getReason(),
                    plan.getFromFacilityId(), plan.getToFacilityId(), legs, arrivalAtDestination));
        }
        next.setRouteStatus(RouteStatus.PLANNED);
        Instant eta = arrivalAtDestination.plus(LAST_MILE);
        if (eta.isBefore(now)) eta = now.plus(LAST_MILE);
        next.setEta(eta).setSlaStatus(sla(s.getPromisedDeliveryAt(), eta, now, false, workflow));
    }

    private static Duration handling(RoutingNetwork network, String facilityId) {
        Optional<Facility> f = network.facility(facilityId);
        if (f.isEmpty()) return Duration.ZERO;
        int minutes = f.get().getHandlingMinutes();
        return Duration.ofMinutes(f.get().getStatus() == FacilityStatus.CONGESTED ? 2L * minutes : minutes);
    }

    /** The lane's first scheduled departure at or after {@code notBefore} (the planner's own schedule logic). */
    static Instant nextDeparture(Lane lane, RoutingNetwork network, Instant notBefore) {
        return network.nextDeparture(lane.getLaneId(), notBefore).orElse(notBefore);
    }

    /** ON_TIME, AT_RISK (the ETA within the workflow's margin of the promise) or LATE. */
    public static SlaStatus sla(Instant promise, Instant eta, Instant now, boolean done, Workflow workflow) {
        if (promise == null || eta == null) return SlaStatus.UNKNOWN;
        if (eta.isAfter(promise)) return SlaStatus.LATE;
        if (done) return SlaStatus.ON_TIME;
        if (now.isAfter(promise)) return SlaStatus.LATE;
        if (eta.isAfter(promise.minus(workflow.timers().slaAtRiskMargin()))) return SlaStatus.AT_RISK;
        return SlaStatus.ON_TIME;
    }

    /** What the sorter at the shipment's (next) facility should do, when that changed. */
    private static Optional<RoutingInstruction> instruction(ShipmentState before, ShipmentState s, Position position, Instant now,
                                                            String reason) {
        String facility = position.facilityId();
        RoutingInstruction.Builder b = RoutingInstruction.newBuilder().setShipmentId(s.getShipmentId()).setFacilityId(facility)
                .setIssuedAt(now).setOutForDelivery(false);
        if (s.getStatus() == ShipmentStatus.HELD) {
            b.setReason("HOLD: " + s.getHoldReason());
        } else if (s.getRouteStatus() == RouteStatus.NO_ROUTE) {
            b.setReason("HOLD: no route to " + s.getDestination());
        } else if (facility.equals(s.getDestination())) {
            b.setOutForDelivery(true).setReason(reason != null ? reason : "deliver");
        } else {
            RoutePlan plan = s.getRoutePlan();
            int i = plan == null ? -1 : legFrom(plan, facility);
            if (i < 0) return Optional.empty();
            RouteLeg leg = plan.getLegs().get(i);
            b.setNextLaneId(leg.getLaneId()).setNextFacilityId(leg.getToFacilityId()).setReason(reason != null ? reason : "as planned");
        }
        RoutingInstruction candidate = b.setInstructionId("").build();
        String key = instructionKey(candidate);
        if (key.equals(before.getLastInstructionKey())) return Optional.empty();
        candidate.setInstructionId(s.getShipmentId() + "@" + key);
        return Optional.of(candidate);
    }

    static String instructionKey(RoutingInstruction i) {
        String what = i.getOutForDelivery() ? "DELIVER" : i.getNextLaneId() != null ? i.getNextLaneId()
                : "HOLD";
        return i.getFacilityId() + "|" + what;
    }

    private static int legFrom(RoutePlan plan, String facility) {
        List<RouteLeg> legs = plan.getLegs();
        for (int i = 0; i < legs.size(); i++) if (legs.get(i).getFromFacilityId().equals(facility)) return i;
        return -1;
    }

    private static int legWithLane(RoutePlan plan, String laneId) {
        List<RouteLeg> legs = plan.getLegs();
        for (int i = 0; i < legs.size(); i++) if (legs.get(i).getLaneId().equals(laneId)) return i;
        return -1;
    }

    private static boolean sameLanes(List<RouteLeg> a, List<RouteLeg> b) {
        if (a.size() != b.size()) return false;
        for (int i = 0; i < a.size(); i++) if (!a.get(i).getLaneId().equals(b.get(i).getLaneId())) return false;
        return true;
    }

    private static String facilityOf(Object payload) {
        return io.waybill.topology.shipment.EventTypes.facilityOf(payload);
    }

    private static String describe(RoutePlan plan, int nextLeg) {
        StringBuilder b = new StringBuilder(plan.getFromFacilityId());
        for (RouteLeg leg : plan.getLegs()) b.append(" → ").append(leg.getToFacilityId());
        return b.toString();
    }

    private static String constraints(ShipmentState s) {
        List<String> parts = new ArrayList<>();
        if (s.getViaFacilityId() != null) parts.add("via " + s.getViaFacilityId());
        if (!s.getAvoidFacilityIds().isEmpty()) parts.add("avoiding facilities " + s.getAvoidFacilityIds());
        if (!s.getAvoidLaneIds().isEmpty()) parts.add("avoiding lanes " + s.getAvoidLaneIds());
        return parts.isEmpty() ? "" : " " + String.join(", ", parts);
    }

    private static String retryReason(Trigger trigger) {
        if (trigger instanceof Trigger.NetworkChange change) return "RETRY after " + change.reason();
        return "RETRY";
    }
}
