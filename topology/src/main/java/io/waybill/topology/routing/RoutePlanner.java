package io.waybill.topology.routing;

import io.waybill.contract.FacilityStatus;
import io.waybill.contract.HandlingFlag;
import io.waybill.contract.Lane;
import io.waybill.contract.RouteLeg;
import io.waybill.contract.ServiceLevel;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Plans the earliest-arriving route of a shipment through a {@link RoutingNetwork}. Stateless and
 * thread-safe; a plan is a pure function of the network's content, the request and the
 * {@link LaneCapacity} answers.
 *
 * <h2>Semantics</h2>
 * <ul>
 *   <li><b>Time-dependent earliest arrival.</b> The search is Dijkstra's algorithm on the arrival
 *   time at each facility. A lane departs at its next scheduled departure at or after the moment
 *   the shipment is ready at the lane's origin and arrives {@code transitMinutes} later. Waiting
 *   at a facility is allowed, so arriving earlier never makes a later arrival elsewhere (FIFO),
 *   which makes the earliest arrival exact.</li>
 *   <li><b>Schedules.</b> {@code departureTimes} are local "HH:mm" times in the zone of the
 *   lane's origin, every day. A local time that does not exist on a daylight-saving day moves
 *   later by the gap (02:30 becomes 03:30), one that exists twice departs at the first of the
 *   two, as {@link java.time.ZonedDateTime#of} resolves them. A lane without departure times runs
 *   continuously: it departs the moment the shipment is ready.</li>
 *   <li><b>Handling.</b> The shipment is ready at the start at {@code readyAt}. At every other
 *   facility it is ready {@code handlingMinutes} after its arrival, twice that while the facility
 *   is CONGESTED. The arrival at the destination is the arrival of the last leg.</li>
 *   <li><b>Facilities.</b> CLOSED facilities (and UNKNOWN, which the contract defines as not
 *   usable) are neither passed through nor a destination; the start may be CLOSED, since the
 *   shipment is there and must leave. Facilities in {@code avoidFacilityIds} are never used,
 *   except the start.</li>
 *   <li><b>Lanes.</b> Disrupted lanes and lanes in {@code avoidLaneIds} are not used. AIR lanes
 *   only carry EXPRESS and SAME_DAY shipments. A shipment flagged HAZMAT or COLD_CHAIN only uses
 *   lanes whose {@code allowedHandling} lists each of those flags; other flags restrict nothing.</li>
 *   <li><b>Capacity.</b> A departure for which {@link LaneCapacity#hasRoom} says no is skipped
 *   and the lane's next departure is tried; a continuous lane is tried again at the next quarter
 *   hour. Later departures still keep FIFO, so the arrival stays exact.</li>
 *   <li><b>Horizon.</b> Only routes arriving within the horizon after {@code readyAt} (14 days
 *   unless configured, at most {@link #MAX_HORIZON}) are found; otherwise the answer is
 *   {@link RouteResult.NoRoute}. The horizon covers the whole route, via or not.</li>
 *   <li><b>Via.</b> With a via facility the route goes from the start to the via facility, and
 *   from there on, ready after the via facility's handling time. Both parts take their earliest
 *   arrival, which with FIFO is the earliest arrival of the whole. A via facility equal to the
 *   start or the destination is visited anyway and changes nothing. The two parts may pass
 *   through the same facilities (out to the via facility and back).</li>
 *   <li><b>Same place.</b> A shipment already at its destination gets a route without legs that
 *   arrives at {@code readyAt}.</li>
 *   <li><b>Ties and determinism.</b> Facilities and lanes are taken in id order, never in input
 *   or hash order, so the result depends only on the network's content and the request. Routes
 *   with the same arrival are told apart by lower total cost, then fewer legs, then the
 *   lexicographically smaller sequence of lane ids. The earliest arrival is exact; the secondary
 *   tie-breaks are best effort: the search settles each facility once (label setting), keeping
 *   the best label by (arrival, cost, legs, lane ids) at that facility, and a route that reaches
 *   an intermediate facility later but more cheaply can still catch the same final departure.</li>
 * </ul>
 */
public final class RoutePlanner {

    /** How far after {@code readyAt} a route may arrive, unless configured otherwise. */
    public static final Duration DEFAULT_HORIZON = Duration.ofDays(14);

    /** The longest horizon a planner accepts. */
    public static final Duration MAX_HORIZON = Duration.ofDays(366);

    private static final long QUARTER_HOUR = 15 * ZoneTimeline.MINUTE;
    private static final long NONE = Long.MAX_VALUE;

    private final LaneCapacity capacity;
    private final Duration horizon;

    /** Unlimited capacity, 14-day horizon. */
    public RoutePlanner() {
        this(LaneCapacity.UNLIMITED, DEFAULT_HORIZON);
    }

    public RoutePlanner(LaneCapacity capacity) {
        this(capacity, DEFAULT_HORIZON);
    }

    public RoutePlanner(LaneCapacity capacity, Duration horizon) {
        this.capacity = Objects.requireNonNull(capacity, "capacity");
        this.horizon = Objects.requireNonNull(horizon, "horizon");
        // Bounded, so a lane whose departures never have room is given up on.
        if (horizon.isNegative() || horizon.compareTo(MAX_HORIZON) > 0) {
            throw new IllegalArgumentException("horizon must be between 0 and " + MAX_HORIZON.toDays() + " days: " + horizon);
        }
    }

    public Duration horizon() {
        return horizon;
    }

    public RouteResult plan(RoutingNetwork network, RouteRequest request) {
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(request, "request");
        int from = network.facilityIndex(request.fromFacilityId());
        int to = network.facilityIndex(request.toFacilityId());
        if (from < 0) return new RouteResult.NoRoute("origin " + request.fromFacilityId() + " is not in the network");
        if (to < 0) return new RouteResult.NoRoute("destination " + request.toFacilityId() + " is not in the network");
        String viaId = request.viaFacilityId();
        int via = viaId == null ? -1 : network.facilityIndex(viaId);
        if (viaId != null && via < 0) return new RouteResult.NoRoute("via facility " + viaId + " is not in the network");
        if (via == from || via == to) via = -1;
        if (from == to && via < 0) return new RouteResult.Found(List.of(), request.readyAt());

        Rules rules = new Rules(network, request);
        String blocked = rules.unusable(to);
        if (blocked != null) return new RouteResult.NoRoute("destination " + request.toFacilityId() + blocked);
        if (via >= 0) {
            blocked = rules.unusable(via);
            if (blocked != null) return new RouteResult.NoRoute("via facility " + viaId + blocked);
        }

        long ready = request.readyAt().toEpochMilli();
        long deadline = ready + horizon.toMillis();
        if (via < 0) {
            Search search = new Search(network, rules, from, to, ready, deadline);
            return search.reached() ? new RouteResult.Found(search.legs(), Instant.ofEpochMilli(search.arrival())) : search.noRoute();
        }
        Search first = new Search(network, rules, from, via, ready, deadline);
        if (!first.reached()) return new RouteResult.NoRoute("on the way to via facility " + viaId + ": " + first.noRoute().reason());
        long readyAtVia = first.arrival() + network.handlingMillis(via);
        Search second = new Search(network, rules, via, to, readyAtVia, deadline);
        if (!second.reached()) return new RouteResult.NoRoute("after via facility " + viaId + ": " + second.noRoute().reason());
        List<RouteLeg> legs = new ArrayList<>(first.legs());
        legs.addAll(second.legs());
        return new RouteResult.Found(legs, Instant.ofEpochMilli(second.arrival()));
    }

    /** What the request allows, resolved to indices once per plan. */
    private static final class Rules {
        final RoutingNetwork network;
        final RouteRequest request;
        final boolean airAllowed;
        final int requiredHandling;
        final boolean[] facilityUsable;
        final boolean[] avoidedLane; // null when nothing is avoided

        Rules(RoutingNetwork network, RouteRequest request) {
            this.network = network;
            this.request = request;
            this.airAllowed = request.serviceLevel() == ServiceLevel.EXPRESS || request.serviceLevel() == ServiceLevel.SAME_DAY;
            this.requiredHandling = RoutingNetwork.mask(request.handling());
            int n = network.facilities.length;
            facilityUsable = new boolean[n];
            for (int i = 0; i < n; i++) {
                FacilityStatus s = network.status[i];
                facilityUsable[i] = s == FacilityStatus.OPEN || s == FacilityStatus.CONGESTED;
            }
            for (String id : request.avoidFacilityIds()) {
                int i = network.facilityIndex(id);
                if (i >= 0) facilityUsable[i] = false;
            }
            boolean[] avoided = null;
            for (String id : request.avoidLaneIds()) {
                int j = network.laneIndex(id);
                if (j < 0) continue;
                if (avoided == null) avoided = new boolean[network.lanes.length];
                avoided[j] = true;
            }
            avoidedLane = avoided;
        }

        boolean laneUsable(int lane) {
            return !network.disrupted[lane]
                    && (airAllowed || !network.air[lane])
                    && (requiredHandling & ~network.handlingMask[lane]) == 0
                    && (avoidedLane == null || !avoidedLane[lane]);
        }

        /** Why a facility cannot be passed through or reached (" is CLOSED"), or null when it can. */
        String unusable(int facility) {
            String id = network.facilities[facility].getFacilityId();
            if (request.avoidFacilityIds().contains(id)) return " is to be avoided";
            FacilityStatus s = network.status[facility];
            if (s == FacilityStatus.OPEN || s == FacilityStatus.CONGESTED) return null;
            return s == FacilityStatus.CLOSED ? " is CLOSED" : " has status " + s + " (not usable)";
        }

        /** Why a lane cannot carry this shipment, or null. */
        String laneRejection(int lane) {
            Lane l = network.lanes[lane];
            List<String> why = new ArrayList<>();
            if (network.disrupted[lane]) why.add("disrupted");
            if (avoidedLane != null && avoidedLane[lane]) why.add("to be avoided");
            if (network.air[lane] && !airAllowed) why.add("AIR is for EXPRESS and SAME_DAY only");
            int missing = requiredHandling & ~network.handlingMask[lane];
            if ((missing & RoutingNetwork.HAZMAT) != 0) why.add("does not take HAZMAT");
            if ((missing & RoutingNetwork.COLD_CHAIN) != 0) why.add("does not take COLD_CHAIN");
            int target = network.laneTo[lane];
            String blocked = unusable(target);
            if (blocked != null) why.add("leads to " + l.getToFacilityId() + ", which" + blocked);
            return why.isEmpty() ? null : l.getLaneId() + " " + String.join(", ", why);
        }
    }

    /** One earliest-arrival search from a start to a target; runs in the constructor. */
    private final class Search {
        private final RoutingNetwork net;
        private final Rules rules;
        private final int start;
        private final int target;
        private final long deadline;

        private final long[] arrival;
        private final long[] departure;
        private final double[] cost;
        private final int[] legs;
        private final int[] predLane;
        private final boolean[] settled;
        // Indexed binary heap of facilities by (arrival, cost, legs, index).
        private final int[] heap;
        private final int[] position;
        private int size;

        private boolean cutByHorizon;

        Search(RoutingNetwork net, Rules rules, int start, int target, long ready, long deadline) {
            this.net = net;
            this.rules = rules;
            this.start = start;
            this.target = target;
            this.deadline = deadline;
            int n = net.facilities.length;
            arrival = new long[n];
            departure = new long[n];
            cost = new double[n];
            legs = new int[n];
            predLane = new int[n];
            settled = new boolean[n];
            heap = new int[n];
            position = new int[n];
            Arrays.fill(arrival, NONE);
            Arrays.fill(predLane, -1);
            Arrays.fill(position, -1);
            arrival[start] = ready;
            push(start);
            run(ready);
        }

        private void run(long readyAtStart) {
            while (size > 0) {
                int u = pop();
                settled[u] = true;
                if (u == target) return;
                long ready = u == start ? readyAtStart : arrival[u] + net.handlingMillis(u);
                if (ready > deadline) {
                    cutByHorizon = true;
                    continue;
                }
                ZoneTimeline zone = net.zones[u];
                long readyLocal = ready + zone.offsetAt(ready);
                for (int lane : net.outbound[u]) {
                    int v = net.laneTo[lane];
                    if (settled[v] || !rules.facilityUsable[v] || !rules.laneUsable(lane)) continue;
                    long dep = net.scheduledDeparture(lane, ready, readyLocal);
                    long arr = dep + net.transitMillis[lane];
                    if (arr > deadline) {
                        cutByHorizon = true;
                        continue;
                    }
                    double c = cost[u] + net.cost[lane];
                    int k = legs[u] + 1;
                    // Capacity can only push a departure later, and a later departure never arrives
                    // earlier: a lane that does not improve v even at its first departure is skipped
                    // without asking for room (on the 10x network most relaxations end here).
                    if (!better(arr, c, k, u, lane, v)) continue;
                    if (capacity != LaneCapacity.UNLIMITED) {
                        dep = departureWithRoom(lane, dep, zone);
                        arr = dep == NONE ? NONE : dep + net.transitMillis[lane];
                        if (arr > deadline) {
                            cutByHorizon = true;
                            continue;
                        }
                    }
                    if (better(arr, c, k, u, lane, v)) {
                        arrival[v] = arr;
                        departure[v] = dep;
                        cost[v] = c;
                        legs[v] = k;
                        predLane[v] = lane;
                        if (position[v] < 0) push(v);
                        else up(position[v]);
                    }
                }
            }
        }

        /** The first departure of the lane at or after its scheduled one that has room, or NONE within the horizon. */
        private long departureWithRoom(int lane, long scheduled, ZoneTimeline zone) {
            long dep = scheduled;
            String laneId = net.laneIds[lane];
            boolean continuous = net.departures[lane].length == 0;
            while (dep <= deadline && !capacity.hasRoom(laneId, Instant.ofEpochMilli(dep))) {
                if (continuous) {
                    dep = (Math.floorDiv(dep, QUARTER_HOUR) + 1) * QUARTER_HOUR;
                } else {
                    long after = dep + 1;
                    dep = net.scheduledDeparture(lane, after, after + zone.offsetAt(after));
                }
            }
            return dep <= deadline ? dep : NONE;
        }

        /** Whether reaching v over lane from u beats v's current label: arrival, cost, legs, lane ids. */
        private boolean better(long arr, double c, int k, int u, int lane, int v) {
            if (arr != arrival[v]) return arr < arrival[v];
            if (c != cost[v]) return c < cost[v];
            if (k != legs[v]) return k < legs[v];
            return compareLaneSequences(u, lane, v) < 0;
        }

        /** Compares the lanes to u followed by lane with the lanes to v (same length); lane indices follow id order. */
        private int compareLaneSequences(int u, int lane, int v) {
            int k = legs[v];
            int[] a = new int[k];
            int[] b = new int[k];
            a[k - 1] = lane;
            for (int i = k - 2, x = u; i >= 0; i--) {
                a[i] = predLane[x];
                x = net.laneFrom[predLane[x]];
            }
            for (int i = k - 1, x = v; i >= 0; i--) {
                b[i] = predLane[x];
                x = net.laneFrom[predLane[x]];
            }
            return Arrays.compare(a, b);
        }

        boolean reached() {
            return settled[target];
        }

        long arrival() {
            return arrival[target];
        }

        List<RouteLeg> legs() {
            RouteLeg[] out = new RouteLeg[legs[target]];
            for (int x = target, i = out.length - 1; i >= 0; i--) {
                int lane = predLane[x];
                Lane l = net.lanes[lane];
                out[i] = new RouteLeg(l.getLaneId(), l.getFromFacilityId(), l.getToFacilityId(), l.getCarrier(), l.getMode(),
                        Instant.ofEpochMilli(departure[x]), Instant.ofEpochMilli(arrival[x]));
                x = net.laneFrom[lane];
            }
            return List.of(out);
        }

        RouteResult.NoRoute noRoute() {
            String fromId = net.facilities[start].getFacilityId();
            String toId = net.facilities[target].getFacilityId();
            int[] out = net.outbound[start];
            boolean anyUsable = false;
            List<String> rejected = new ArrayList<>();
            for (int lane : out) {
                String why = rules.laneRejection(lane);
                if (why == null) anyUsable = true;
                else rejected.add(why);
            }
            if (!anyUsable) {
                String detail = rejected.isEmpty() ? " (it has no outbound lanes)"
                        : " (" + String.join("; ", rejected.subList(0, Math.min(5, rejected.size())))
                          + (rejected.size() > 5 ? "; " + (rejected.size() - 5) + " more" : "") + ")";
                return new RouteResult.NoRoute("no usable lane out of " + fromId + detail);
            }
            if (cutByHorizon) {
                return new RouteResult.NoRoute("no route from " + fromId + " to " + toId + " within " + describe(horizon));
            }
            StringBuilder reason = new StringBuilder("no route from " + fromId + " to " + toId + " over lanes usable for "
                    + rules.request.serviceLevel() + " service");
            TreeSet<String> restricting = new TreeSet<>();
            for (HandlingFlag flag : rules.request.handling()) {
                if (flag == HandlingFlag.HAZMAT || flag == HandlingFlag.COLD_CHAIN) restricting.add(flag.name());
            }
            if (!restricting.isEmpty()) reason.append(" with ").append(String.join(" and ", restricting));
            if (!rules.request.avoidFacilityIds().isEmpty() || !rules.request.avoidLaneIds().isEmpty()) {
                reason.append(", avoiding ").append(String.join(", ", new TreeSet<>(rules.request.avoidFacilityIds())));
                if (!rules.request.avoidFacilityIds().isEmpty() && !rules.request.avoidLaneIds().isEmpty()) reason.append(", ");
                reason.append(String.join(", ", new TreeSet<>(rules.request.avoidLaneIds())));
            }
            return new RouteResult.NoRoute(reason.toString());
        }

        private void push(int v) {
            heap[size] = v;
            position[v] = size;
            up(size++);
        }

        private int pop() {
            int top = heap[0];
            position[top] = -1;
            size--;
            if (size > 0) {
                heap[0] = heap[size];
                position[heap[0]] = 0;
                down(0);
            }
            return top;
        }

        private boolean less(int a, int b) {
            if (arrival[a] != arrival[b]) return arrival[a] < arrival[b];
            if (cost[a] != cost[b]) return cost[a] < cost[b];
            if (legs[a] != legs[b]) return legs[a] < legs[b];
            return a < b;
        }

        private void up(int i) {
            int v = heap[i];
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (!less(v, heap[parent])) break;
                heap[i] = heap[parent];
                position[heap[i]] = i;
                i = parent;
            }
            heap[i] = v;
            position[v] = i;
        }

        private void down(int i) {
            int v = heap[i];
            while (true) {
                int child = 2 * i + 1;
                if (child >= size) break;
                if (child + 1 < size && less(heap[child + 1], heap[child])) child++;
                if (!less(heap[child], v)) break;
                heap[i] = heap[child];
                position[heap[i]] = i;
                i = child;
            }
            heap[i] = v;
            position[v] = i;
        }
    }

    /** "14 days", "36 hours", "90 minutes". */
    static String describe(Duration d) {
        if (!d.isZero() && d.toSeconds() % 86_400 == 0) return plural(d.toDays(), "day");
        if (!d.isZero() && d.toSeconds() % 3_600 == 0) return plural(d.toHours(), "hour");
        return plural(d.toMinutes(), "minute");
    }

    private static String plural(long n, String unit) {
        return n + " " + unit + (n == 1 ? "" : "s");
    }
}
