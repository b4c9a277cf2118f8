package io.waybill.topology.routing;

import io.waybill.contract.Facility;
import io.waybill.contract.FacilityStatus;
import io.waybill.contract.HandlingFlag;
import io.waybill.contract.Lane;
import io.waybill.contract.TransportMode;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * An immutable snapshot of the network for {@link RoutePlanner}: facilities and lanes indexed by
 * id, outbound lanes per facility, and each lane's departures as minutes of the day in its
 * origin's time zone. Safe to share between threads.
 *
 * <p>Bad data never makes it fail: a facility without an id or with an unknown time zone, and a
 * lane that names an unknown facility, has an unparsable departure time or a negative transit
 * time or cost, is left out and named in {@link #problems()}. When an id appears twice the record
 * with the latest updatedAt wins (equal times: the larger record text), so the snapshot never
 * depends on the order of the input collections.
 *
 * <p>The Avro records are kept, not copied (a snapshot of the whole network is rebuilt after
 * every change, so copying would cost on each rebuild): treat the records given to and returned
 * by a snapshot as read-only.
 */
public final class RoutingNetwork {

    private static final int[] NO_DEPARTURES = new int[0];

    static final int HAZMAT = 1;
    static final int COLD_CHAIN = 2;

    /** Facilities indexed 0..n-1 in id order. */
    final Facility[] facilities;
    final ZoneTimeline[] zones;
    final FacilityStatus[] status;
    final int[] handlingMinutes;
    final int[][] outbound;

    /** Lanes indexed 0..m-1 in id order. */
    final Lane[] lanes;
    final String[] laneIds;
    final int[] laneFrom;
    final int[] laneTo;
    final long[] transitMillis;
    final double[] cost;
    /** Sorted distinct minutes of the day; empty for a continuous lane. */
    final int[][] departures;
    final boolean[] air;
    final boolean[] disrupted;
    final int[] handlingMask;

    private final Map<String, Integer> facilityIndex;
    private final Map<String, Integer> laneIndex;
    private final List<String> problems;

    private RoutingNetwork(Collection<Facility> facilityInput, Collection<Lane> laneInput) {
        List<String> problems = new ArrayList<>();

        // Facilities: latest record per id, valid zone, sorted by id.
        TreeMap<String, Facility> byId = new TreeMap<>();
        TreeSet<String> duplicates = new TreeSet<>();
        for (Facility f : facilityInput) {
            if (f == null || f.getFacilityId() == null || f.getFacilityId().isBlank()) {
                problems.add("facility without an id left out");
                continue;
            }
            Facility other = byId.get(f.getFacilityId());
            byId.put(f.getFacilityId(), other == null ? f : newer(other, f, other.getUpdatedAt(), f.getUpdatedAt()));
            if (other != null) duplicates.add("facility " + f.getFacilityId());
        }
        List<Facility> kept = new ArrayList<>();
        List<ZoneTimeline> keptZones = new ArrayList<>();
        for (Facility f : byId.values()) {
            ZoneTimeline zone = zone(f.getTimeZone());
            if (zone == null) {
                problems.add("facility " + f.getFacilityId() + ": unknown time zone '" + f.getTimeZone() + "', left out");
                continue;
            }
            kept.add(f);
            keptZones.add(zone);
        }
        int n = kept.size();
        facilities = kept.toArray(new Facility[0]);
        zones = keptZones.toArray(new ZoneTimeline[0]);
        status = new FacilityStatus[n];
        handlingMinutes = new int[n];
        facilityIndex = new HashMap<>(n * 2);
        for (int i = 0; i < n; i++) {
            Facility f = facilities[i];
            facilityIndex.put(f.getFacilityId(), i);
            status[i] = f.getStatus() == null ? FacilityStatus.UNKNOWN : f.getStatus();
            int handling = f.getHandlingMinutes();
            if (handling < 0) {
                problems.add("facility " + f.getFacilityId() + ": negative handlingMinutes " + handling + " read as 0");
                handling = 0;
            }
            handlingMinutes[i] = handling;
        }

        // Lanes: latest record per id, sorted by id, only those that make sense.
        TreeMap<String, Lane> lanesById = new TreeMap<>();
        for (Lane l : laneInput) {
            if (l == null || l.getLaneId() == null || l.getLaneId().isBlank()) {
                problems.add("lane without an id left out");
                continue;
            }
            Lane other = lanesById.get(l.getLaneId());
            lanesById.put(l.getLaneId(), other == null ? l : newer(other, l, other.getUpdatedAt(), l.getUpdatedAt()));
            if (other != null) duplicates.add("lane " + l.getLaneId());
        }
        for (String duplicate : duplicates) problems.add(duplicate + " given more than once; the latest record is used");
        List<Lane> usable = new ArrayList<>();
        List<int[]> usableDepartures = new ArrayList<>();
        for (Lane l : lanesById.values()) {
            int[] deps = check(l, problems);
            if (deps != null) {
                usable.add(l);
                usableDepartures.add(deps);
            }
        }
        int m = usable.size();
        lanes = usable.toArray(new Lane[0]);
        laneIds = new String[m];
        laneFrom = new int[m];
        laneTo = new int[m];
        transitMillis = new long[m];
        cost = new double[m];
        departures = usableDepartures.toArray(new int[0][]);
        air = new boolean[m];
        disrupted = new boolean[m];
        handlingMask = new int[m];
        laneIndex = new HashMap<>(m * 2);
        int[] outCount = new int[n];
        for (int j = 0; j < m; j++) {
            Lane l = lanes[j];
            laneIds[j] = l.getLaneId();
            laneIndex.put(l.getLaneId(), j);
            laneFrom[j] = facilityIndex.get(l.getFromFacilityId());
            laneTo[j] = facilityIndex.get(l.getToFacilityId());
            transitMillis[j] = l.getTransitMinutes() * ZoneTimeline.MINUTE;
            cost[j] = l.getCost();
            air[j] = l.getMode() == TransportMode.AIR;
            disrupted[j] = l.getDisrupted();
            handlingMask[j] = mask(l.getAllowedHandling());
            outCount[laneFrom[j]]++;
        }
        outbound = new int[n][];
        for (int i = 0; i < n; i++) outbound[i] = new int[outCount[i]];
        int[] filled = new int[n];
        for (int j = 0; j < m; j++) outbound[laneFrom[j]][filled[laneFrom[j]]++] = j; // lane id order
        this.problems = List.copyOf(problems);
    }

    /** The snapshot of these facilities and lanes; never fails, see {@link #problems()}. */
    public static RoutingNetwork of(Collection<Facility> facilities, Collection<Lane> lanes) {
        return new RoutingNetwork(facilities, lanes);
    }

    /** What was left out of the snapshot and why, in id order. Empty for a clean network. */
    public List<String> problems() {
        return problems;
    }

    /** Facilities in the snapshot, in id order. */
    public List<Facility> facilities() {
        return List.of(facilities);
    }

    /** Lanes in the snapshot (the invalid ones left out), in id order. */
    public List<Lane> lanes() {
        return List.of(lanes);
    }

    public Optional<Facility> facility(String facilityId) {
        Integer i = facilityIndex.get(facilityId);
        return i == null ? Optional.empty() : Optional.of(facilities[i]);
    }

    public Optional<Lane> lane(String laneId) {
        Integer j = laneIndex.get(laneId);
        return j == null ? Optional.empty() : Optional.of(lanes[j]);
    }

    /** Lanes leaving a facility, in id order (empty for an unknown facility). */
    public List<Lane> outboundLanes(String facilityId) {
        Integer i = facilityIndex.get(facilityId);
        if (i == null) return List.of();
        List<Lane> out = new ArrayList<>(outbound[i].length);
        for (int j : outbound[i]) out.add(lanes[j]);
        return out;
    }

    /** A lane's departures as minutes of the day in its origin's zone, ascending; empty when continuous or unknown. */
    public List<Integer> departureMinutes(String laneId) {
        Integer j = laneIndex.get(laneId);
        if (j == null) return List.of();
        return Arrays.stream(departures[j]).boxed().toList();
    }

    /**
     * The lane's first scheduled departure at or after {@code notBefore}, as the planner computes
     * it (ignoring disruption and capacity); empty for an unknown lane. A continuous lane departs
     * at {@code notBefore}.
     */
    public Optional<Instant> nextDeparture(String laneId, Instant notBefore) {
        Integer j = laneIndex.get(laneId);
        if (j == null) return Optional.empty();
        long ready = notBefore.toEpochMilli();
        return Optional.of(Instant.ofEpochMilli(scheduledDeparture(j, ready, ready + zones[laneFrom[j]].offsetAt(ready))));
    }

    /**
     * The first scheduled departure of a lane at or after ready (epoch millis; readyLocal is ready
     * in the origin's local time). Local times map to instants monotonically, so walking the
     * schedule in local order from a little before the ready time (by the zone's largest offset
     * jump, for departures moved later by a DST gap) finds it.
     */
    long scheduledDeparture(int lane, long ready, long readyLocal) {
        int[] minutes = departures[lane];
        if (minutes.length == 0) return ready;
        ZoneTimeline zone = zones[laneFrom[lane]];
        long from = readyLocal - zone.maxShift();
        long day = Math.floorDiv(from, ZoneTimeline.DAY);
        long timeOfDay = from - day * ZoneTimeline.DAY;
        int i = 0;
        while (i < minutes.length && minutes[i] * ZoneTimeline.MINUTE < timeOfDay) i++;
        while (true) {
            if (i == minutes.length) {
                i = 0;
                day++;
            }
            long instant = zone.toInstant(day * ZoneTimeline.DAY + minutes[i] * ZoneTimeline.MINUTE);
            if (instant >= ready) return instant;
            i++;
        }
    }

    int facilityIndex(String facilityId) {
        Integer i = facilityIndex.get(facilityId);
        return i == null ? -1 : i;
    }

    int laneIndex(String laneId) {
        Integer j = laneIndex.get(laneId);
        return j == null ? -1 : j;
    }

    /** Handling time at a facility as the planner applies it: doubled while CONGESTED. */
    long handlingMillis(int facility) {
        long minutes = status[facility] == FacilityStatus.CONGESTED ? 2L * handlingMinutes[facility] : handlingMinutes[facility];
        return minutes * ZoneTimeline.MINUTE;
    }

    static int mask(Collection<HandlingFlag> flags) {
        int mask = 0;
        if (flags == null) return mask;
        for (HandlingFlag flag : flags) {
            if (flag == HandlingFlag.HAZMAT) mask |= HAZMAT;
            else if (flag == HandlingFlag.COLD_CHAIN) mask |= COLD_CHAIN;
        }
        return mask;
    }

    /** The lane's departures if it can be used, otherwise null with the reason added to problems. */
    private int[] check(Lane l, List<String> problems) {
        String id = l.getLaneId();
        List<String> wrong = new ArrayList<>();
        if (l.getFromFacilityId() == null || !facilityIndex.containsKey(l.getFromFacilityId())) {
            wrong.add("unknown origin facility " + l.getFromFacilityId());
        }
        if (l.getToFacilityId() == null || !facilityIndex.containsKey(l.getToFacilityId())) {
            wrong.add("unknown destination facility " + l.getToFacilityId());
        }
        if (wrong.isEmpty() && l.getFromFacilityId().equals(l.getToFacilityId())) {
            wrong.add("starts and ends at " + l.getFromFacilityId());
        }
        if (l.getTransitMinutes() < 0) {
            wrong.add("negative transitMinutes " + l.getTransitMinutes());
        }
        if (!(l.getCost() >= 0) || Double.isInfinite(l.getCost())) {
            wrong.add("cost " + l.getCost());
        }
        int[] deps = NO_DEPARTURES;
        List<String> times = l.getDepartureTimes() == null ? List.of() : l.getDepartureTimes();
        if (!times.isEmpty()) {
            deps = new int[times.size()];
            for (int k = 0; k < times.size(); k++) {
                deps[k] = minuteOfDay(times.get(k));
                if (deps[k] < 0) wrong.add("departure time '" + times.get(k) + "' is not HH:mm");
            }
            deps = sortedDistinct(deps);
        }
        if (!wrong.isEmpty()) {
            problems.add("lane " + id + ": " + String.join(", ", wrong) + "; left out");
            return null;
        }
        return deps;
    }

    /** "HH:mm" (or "H:mm") as minutes of the day, -1 if it is not a time of day. */
    static int minuteOfDay(String time) {
        if (time == null) return -1;
        String t = time.trim();
        int colon = t.indexOf(':');
        if (colon < 1 || colon > 2 || t.length() != colon + 3) return -1;
        int hours = digits(t, 0, colon);
        int minutes = digits(t, colon + 1, colon + 3);
        return hours < 0 || hours > 23 || minutes < 0 || minutes > 59 ? -1 : hours * 60 + minutes;
    }

    private static int digits(String s, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') return -1;
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static int[] sortedDistinct(int[] values) {
        int[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = 0;
        for (int v : sorted) {
            if (n == 0 || sorted[n - 1] != v) sorted[n++] = v;
        }
        return n == sorted.length ? sorted : Arrays.copyOf(sorted, n);
    }

    private static ZoneTimeline zone(String timeZone) {
        if (timeZone == null) return null;
        try {
            return ZoneTimeline.of(ZoneId.of(timeZone));
        } catch (DateTimeException e) {
            return null;
        }
    }

    private static final Comparator<Instant> UPDATED = Comparator.nullsFirst(Comparator.naturalOrder());

    /** The later of two records with the same id; equal times fall back to the text of the records, so input order never matters. */
    private static <T> T newer(T a, T b, Instant updatedA, Instant updatedB) {
        int c = UPDATED.compare(updatedA, updatedB);
        if (c == 0) c = String.valueOf(a).compareTo(String.valueOf(b));
        return c >= 0 ? a : b;
    }
}
