package io.waybill.topology.shipment;

import io.waybill.contract.RouteLeg;
import io.waybill.contract.RoutePlan;
import io.waybill.contract.RouteStatus;
import io.waybill.contract.ShipmentState;
import io.waybill.topology.workflow.Workflow;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Keys of the secondary index that list queries and rerouting scan by prefix. Keys end in the
 * shipmentId and sort by it within a prefix, so a cursor is simply the last key returned.
 *
 * <ul>
 *   <li>{@code status/S/id}, {@code facility/F/id} (where it is or was last), {@code sla/S/id},
 *       {@code workflow/W/id}: list queries;</li>
 *   <li>{@code route/NO_ROUTE/U/id}: shipments to retry when the network changes;</li>
 *   <li>{@code route-facility/F/U/id}, {@code route-lane/L/U/id}: shipments whose remaining route uses
 *       a facility or lane, so closing one re-plans exactly those without scanning every shipment.
 *       U is the urgency, the promised delivery in 13-digit millis (all nines without a promise): a
 *       re-plan walks them most urgent first;</li>
 *   <li>{@code inbound/F/arrival(13 digits)/id}: planned arrivals at a facility, for its expected load.</li>
 * </ul>
 */
public final class ShipmentIndex {

    public static final String BY_STATUS = "status/";
    public static final String BY_FACILITY = "facility/";

    private ShipmentIndex() {
    }

    public static List<String> keys(ShipmentState state) {
        List<String> keys = new ArrayList<>(8);
        if (state == null) return keys;
        String id = state.getShipmentId();
        keys.add(statusPrefix(state.getStatus().name()) + id);
        String facility = state.getCurrentFacilityId() != null ? state.getCurrentFacilityId() : state.getLastFacilityId();
        if (facility != null) keys.add(facilityPrefix(facility) + id);
        keys.add(slaPrefix(state.getSlaStatus().name()) + id);
        if (state.getWorkflowName() != null) keys.add(workflowPrefix(state.getWorkflowName()) + id);
        if (Workflow.FINAL.contains(state.getStatus())) return keys;
        String urgent = urgency(state) + "/" + id;
        if (state.getRouteStatus() == RouteStatus.NO_ROUTE) keys.add(routeStatusPrefix(RouteStatus.NO_ROUTE.name()) + urgent);
        RoutePlan plan = state.getRoutePlan();
        if (plan != null) {
            Set<String> facilities = new LinkedHashSet<>();
            Set<String> lanes = new LinkedHashSet<>();
            List<RouteLeg> legs = plan.getLegs();
            for (int i = Math.max(0, state.getNextLegIndex()); i < legs.size(); i++) {
                RouteLeg leg = legs.get(i);
                facilities.add(leg.getToFacilityId());
                lanes.add(leg.getLaneId());
                keys.add(inboundPrefix(leg.getToFacilityId()) + io.waybill.topology.timer.ShipmentTimers.pad13(leg.getPlannedArrival().toEpochMilli()) + "/" + id);
            }
            facilities.forEach(f -> keys.add(routeFacilityPrefix(f) + urgent));
            lanes.forEach(l -> keys.add(routeLanePrefix(l) + urgent));
        }
        return keys;
    }

    /** The re-planning order: the promised delivery, earliest first; shipments without a promise last. */
    static String urgency(ShipmentState state) {
        return state.getPromisedDeliveryAt() == null ? "9999999999999"
                : io.waybill.topology.timer.ShipmentTimers.pad13(state.getPromisedDeliveryAt().toEpochMilli());
    }

    /** The part of a re-planning index key after its prefix ("urgency/shipmentId"), for merging walks in urgency order. */
    public static String urgencyAndId(String key, String prefix) {
        return key.substring(prefix.length());
    }

    public static String statusPrefix(String status) {
        return BY_STATUS + status + "/";
    }

    public static String facilityPrefix(String facilityId) {
        return BY_FACILITY + facilityId + "/";
    }

    public static String slaPrefix(String slaStatus) {
        return "sla/" + slaStatus + "/";
    }

    public static String workflowPrefix(String workflow) {
        return "workflow/" + workflow + "/";
    }

    public static String routeStatusPrefix(String routeStatus) {
        return "route/" + routeStatus + "/";
    }

    public static String routeFacilityPrefix(String facilityId) {
        return "route-facility/" + facilityId + "/";
    }

    public static String routeLanePrefix(String laneId) {
        return "route-lane/" + laneId + "/";
    }

    public static String inboundPrefix(String facilityId) {
        return "inbound/" + facilityId + "/";
    }

    /** The shipmentId at the end of an index key. */
    public static String shipmentId(String key) {
        return key.substring(key.lastIndexOf('/') + 1);
    }
}
