package io.waybill.topology.capacity;

import io.waybill.contract.RouteLeg;
import io.waybill.contract.RoutePlan;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;

/**
 * Lanes' daily capacity across the whole engine. Shipments are partitioned over many tasks, so no
 * task can count a lane's bookings alone: each task emits +1/-1 per shipment and "laneId@day" when
 * a plan books or releases a departure, one aggregator sums them per key into the compacted
 * lane-load topic, and every task reads that topic as a global store when planning (through a
 * {@link LaneLoadView}). The count is
 * eventually consistent (seconds behind), which suits a soft limit: a lane can be overbooked by
 * the plans made within that window, never by more.
 *
 * <p>The day is the UTC day of the planned departure.
 */
public final class LaneLoad {

    private LaneLoad() {
    }

    public static String key(String laneId, Instant departure) {
        return laneId + "@" + LocalDate.ofInstant(departure, ZoneOffset.UTC);
    }

    /** The bookings a plan holds: one per leg not yet travelled, "laneId@day" → 1. */
    public static Map<String, Long> bookings(RoutePlan plan, int fromLeg) {
        Map<String, Long> bookings = new HashMap<>();
        if (plan == null) return bookings;
        var legs = plan.getLegs();
        for (int i = Math.max(0, fromLeg); i < legs.size(); i++) {
            RouteLeg leg = legs.get(i);
            bookings.merge(key(leg.getLaneId(), leg.getPlannedDeparture()), 1L, Long::sum);
        }
        return bookings;
    }

    /** The deltas from one set of bookings to another. */
    public static Map<String, Long> deltas(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> deltas = new HashMap<>();
        before.forEach((k, n) -> deltas.merge(k, -n, Long::sum));
        after.forEach((k, n) -> deltas.merge(k, n, Long::sum));
        deltas.values().removeIf(d -> d == 0);
        return deltas;
    }
}
