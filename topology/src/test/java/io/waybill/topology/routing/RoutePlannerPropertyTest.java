package io.waybill.topology.routing;

import io.waybill.contract.Facility;
import io.waybill.contract.FacilityStatus;
import io.waybill.contract.HandlingFlag;
import io.waybill.contract.Lane;
import io.waybill.contract.RouteLeg;
import io.waybill.contract.ServiceLevel;
import io.waybill.contract.TransportMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random small networks (4-7 facilities in zones with and without daylight saving, random
 * schedules, statuses, handling flags, disruptions, a random capacity function) and random
 * requests, against a brute force: every simple path is simulated with java.time, taking each
 * lane's earliest departure with room. With FIFO and waiting allowed, the best simple path is the
 * earliest arrival, so the planner must find exactly that arrival, and NoRoute exactly when no
 * simple path arrives within the horizon; every plan it returns must be a valid route. Each case is
 * generated from its seed (shown in the test name).
 */
class RoutePlannerPropertyTest {

    static final int CASES = 300;

    private static final List<String> ZONES = List.of("UTC", "Europe/Berlin", "Europe/London", "America/New_York",
            "America/Chicago", "Asia/Kolkata", "Asia/Tokyo", "Australia/Lord_Howe");
    // Around the DST changes of Europe and the US in 2026, and a quiet week.
    private static final List<Instant> WINDOWS = List.of(Instant.parse("2026-03-27T00:00:00Z"), Instant.parse("2026-10-23T00:00:00Z"),
            Instant.parse("2026-03-06T00:00:00Z"), Instant.parse("2026-10-30T00:00:00Z"), Instant.parse("2026-06-10T00:00:00Z"));
    private static final long NONE = Long.MAX_VALUE;

    static LongStream seeds() {
        return LongStream.range(0, CASES).map(i -> 0xA11CE_000L + i);
    }

    record Case(List<Facility> facilities, List<Lane> lanes, RouteRequest request, Duration horizon, LaneCapacity capacity) {
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void plans_are_valid_and_arrive_as_early_as_the_best_simple_path(long seed) {
        // given a random network, request and capacity
        Case c = generate(new Random(seed));
        RoutingNetwork network = RoutingNetwork.of(c.facilities(), c.lanes());
        assertThat(network.problems()).isEmpty();

        // when planned
        RouteResult result = new RoutePlanner(c.capacity(), c.horizon()).plan(network, c.request());

        // then it agrees with the brute force
        long best = new BruteForce(c).earliestArrival();
        if (best == NONE) {
            assertThat(result).as("brute force finds no route; planner says %s", result).isInstanceOf(RouteResult.NoRoute.class);
        } else {
            assertThat(result).as("brute force arrives at %s", Instant.ofEpochMilli(best)).isInstanceOf(RouteResult.Found.class);
            RouteResult.Found found = (RouteResult.Found) result;
            assertThat(found.arrivalAtDestination()).isEqualTo(Instant.ofEpochMilli(best));
            assertValid(c, found);
        }
        // and shuffling the input changes nothing
        List<Facility> facilities = new ArrayList<>(c.facilities());
        List<Lane> lanes = new ArrayList<>(c.lanes());
        Collections.shuffle(facilities, new Random(seed + 1));
        Collections.shuffle(lanes, new Random(seed + 2));
        assertThat(new RoutePlanner(c.capacity(), c.horizon()).plan(RoutingNetwork.of(facilities, lanes), c.request())).isEqualTo(result);
    }

    static Case generate(Random random) {
        int n = 4 + random.nextInt(4);
        List<Facility> facilities = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int s = random.nextInt(30);
            FacilityStatus status = s < 21 ? FacilityStatus.OPEN : s < 26 ? FacilityStatus.CONGESTED : s < 29 ? FacilityStatus.CLOSED : FacilityStatus.UNKNOWN;
            facilities.add(Networks.facilityRecord("F" + i, ZONES.get(random.nextInt(ZONES.size())), status, random.nextInt(5) * 30));
        }
        int laneCount = 2 * n + random.nextInt(2 * n);
        List<Lane> lanes = new ArrayList<>();
        for (int j = 0; j < laneCount; j++) {
            int from = random.nextInt(n);
            int to = (from + 1 + random.nextInt(n - 1)) % n;
            int m = random.nextInt(10);
            TransportMode mode = m < 7 ? TransportMode.ROAD : m < 9 ? TransportMode.AIR : TransportMode.RAIL;
            List<String> departures = new ArrayList<>();
            if (random.nextInt(5) > 0) {
                int count = 1 + random.nextInt(3);
                for (int k = 0; k < count; k++) {
                    // every quarter hour of the day, so DST gaps and overlaps (01:00-03:00) are hit
                    int minute = random.nextInt(3) == 0 ? 60 + random.nextInt(9) * 15 : random.nextInt(96) * 15;
                    departures.add(String.format("%02d:%02d", minute / 60, minute % 60));
                }
            }
            int transit = random.nextInt(4) == 0 ? 15 + random.nextInt(60) : 60 + random.nextInt(3000);
            List<HandlingFlag> allowed = new ArrayList<>();
            if (random.nextBoolean()) allowed.add(HandlingFlag.HAZMAT);
            if (random.nextBoolean()) allowed.add(HandlingFlag.COLD_CHAIN);
            if (random.nextInt(4) == 0) allowed.add(HandlingFlag.FRAGILE);
            lanes.add(Networks.lane("L" + j, "F" + from, "F" + to, mode, transit, random.nextInt(20) / 2.0, allowed,
                    random.nextInt(10) == 0, departures.toArray(String[]::new)));
        }
        String from = "F" + random.nextInt(n);
        String to = random.nextInt(15) == 0 ? from : "F" + ((from.charAt(1) - '0' + 1 + random.nextInt(n - 1)) % n);
        Instant readyAt = WINDOWS.get(random.nextInt(WINDOWS.size())).plusSeconds(random.nextInt(4 * 24 * 3600));
        ServiceLevel level = ServiceLevel.values()[random.nextInt(ServiceLevel.values().length)];
        List<HandlingFlag> handling = new ArrayList<>();
        if (random.nextInt(6) == 0) handling.add(HandlingFlag.HAZMAT);
        if (random.nextInt(6) == 0) handling.add(HandlingFlag.COLD_CHAIN);
        if (random.nextInt(4) == 0) handling.add(HandlingFlag.HIGH_VALUE);
        Set<String> avoidFacilities = new HashSet<>();
        if (random.nextInt(6) == 0) avoidFacilities.add("F" + random.nextInt(n));
        Set<String> avoidLanes = new HashSet<>();
        if (random.nextInt(3) == 0) avoidLanes.add("L" + random.nextInt(laneCount));
        String via = random.nextInt(3) == 0 ? "F" + random.nextInt(n) : null;
        Duration horizon = random.nextInt(3) == 0 ? Duration.ofHours(12 + random.nextInt(72)) : RoutePlanner.DEFAULT_HORIZON;
        LaneCapacity capacity = LaneCapacity.UNLIMITED;
        if (random.nextBoolean()) {
            long salt = random.nextLong();
            capacity = (lane, departure) -> Math.floorMod((lane.hashCode() * 31L + departure.toEpochMilli() / 60_000) ^ salt, 3) != 0;
        }
        return new Case(facilities, lanes, new RouteRequest(from, to, readyAt, level, handling, avoidFacilities, avoidLanes, via),
                horizon, capacity);
    }

    /** Everything the planner promises about a plan, checked with java.time rather than the planner's tables. */
    private static void assertValid(Case c, RouteResult.Found found) {
        RouteRequest r = c.request();
        Map<String, Facility> facilities = byId(c.facilities());
        Map<String, Lane> lanes = new HashMap<>();
        for (Lane l : c.lanes()) lanes.put(l.getLaneId(), l);
        List<RouteLeg> legs = found.legs();
        if (legs.isEmpty()) {
            assertThat(r.fromFacilityId()).isEqualTo(r.toFacilityId());
            assertThat(found.arrivalAtDestination()).isEqualTo(r.readyAt());
            return;
        }
        assertThat(legs.get(0).getFromFacilityId()).isEqualTo(r.fromFacilityId());
        assertThat(legs.get(legs.size() - 1).getToFacilityId()).isEqualTo(r.toFacilityId());
        assertThat(found.arrivalAtDestination()).isEqualTo(legs.get(legs.size() - 1).getPlannedArrival());
        assertThat(found.arrivalAtDestination()).isBeforeOrEqualTo(r.readyAt().plus(c.horizon()));
        String via = r.viaFacilityId();
        if (via != null && !via.equals(r.fromFacilityId()) && !via.equals(r.toFacilityId())) {
            assertThat(legs).as("visits %s", via).anyMatch(leg -> leg.getToFacilityId().equals(via));
        }
        Instant ready = r.readyAt();
        for (int i = 0; i < legs.size(); i++) {
            RouteLeg leg = legs.get(i);
            Lane lane = lanes.get(leg.getLaneId());
            assertThat(lane).as("lane %s exists", leg.getLaneId()).isNotNull();
            assertThat(leg.getFromFacilityId()).isEqualTo(lane.getFromFacilityId());
            assertThat(leg.getToFacilityId()).isEqualTo(lane.getToFacilityId());
            assertThat(leg.getCarrier()).isEqualTo(lane.getCarrier());
            assertThat(leg.getMode()).isEqualTo(lane.getMode());
            if (i > 0) {
                assertThat(leg.getFromFacilityId()).as("leg %d connects", i).isEqualTo(legs.get(i - 1).getToFacilityId());
                Facility at = facilities.get(leg.getFromFacilityId());
                ready = legs.get(i - 1).getPlannedArrival().plus(handling(at));
            }
            assertThat(usable(lane, r)).as("lane %s usable", lane.getLaneId()).isTrue();
            Facility target = facilities.get(lane.getToFacilityId());
            assertThat(usable(target, r)).as("facility %s usable", target.getFacilityId()).isTrue();
            assertThat(leg.getPlannedDeparture()).as("leg %d departs after the shipment is ready", i).isAfterOrEqualTo(ready);
            assertThat(scheduled(lane, facilities.get(lane.getFromFacilityId()), leg.getPlannedDeparture()))
                    .as("leg %d departs at a scheduled time of %s", i, lane.getLaneId()).isTrue();
            assertThat(c.capacity().hasRoom(lane.getLaneId(), leg.getPlannedDeparture())).as("leg %d has room", i).isTrue();
            assertThat(leg.getPlannedArrival()).isEqualTo(leg.getPlannedDeparture().plus(Duration.ofMinutes(lane.getTransitMinutes())));
        }
    }

    private static boolean scheduled(Lane lane, Facility origin, Instant departure) {
        if (lane.getDepartureTimes().isEmpty()) return true;
        ZoneId zone = ZoneId.of(origin.getTimeZone());
        LocalDate date = departure.atZone(zone).toLocalDate();
        for (LocalDate d = date.minusDays(1); !d.isAfter(date.plusDays(1)); d = d.plusDays(1)) {
            for (String time : lane.getDepartureTimes()) {
                if (ZonedDateTime.of(d, LocalTime.parse(time), zone).toInstant().equals(departure)) return true;
            }
        }
        return false;
    }

    static boolean usable(Lane lane, RouteRequest r) {
        if (lane.getDisrupted() || r.avoidLaneIds().contains(lane.getLaneId())) return false;
        if (lane.getMode() == TransportMode.AIR && r.serviceLevel() != ServiceLevel.EXPRESS && r.serviceLevel() != ServiceLevel.SAME_DAY) return false;
        for (HandlingFlag flag : r.handling()) {
            if ((flag == HandlingFlag.HAZMAT || flag == HandlingFlag.COLD_CHAIN) && !lane.getAllowedHandling().contains(flag)) return false;
        }
        return true;
    }

    static boolean usable(Facility f, RouteRequest r) {
        return (f.getStatus() == FacilityStatus.OPEN || f.getStatus() == FacilityStatus.CONGESTED) && !r.avoidFacilityIds().contains(f.getFacilityId());
    }

    static Duration handling(Facility f) {
        return Duration.ofMinutes(f.getStatus() == FacilityStatus.CONGESTED ? 2L * f.getHandlingMinutes() : f.getHandlingMinutes());
    }

    private static Map<String, Facility> byId(List<Facility> facilities) {
        Map<String, Facility> map = new HashMap<>();
        for (Facility f : facilities) map.put(f.getFacilityId(), f);
        return map;
    }

    /** Enumerates simple paths (pairs of them with a via) and simulates each with java.time. */
    static final class BruteForce {
        private final Case c;
        private final RouteRequest r;
        private final Map<String, Facility> facilities;
        private final long deadline;

        BruteForce(Case c) {
            this.c = c;
            this.r = c.request();
            this.facilities = byId(c.facilities());
            this.deadline = r.readyAt().plus(c.horizon()).toEpochMilli();
        }

        long earliestArrival() {
            String from = r.fromFacilityId();
            String to = r.toFacilityId();
            String via = r.viaFacilityId();
            if (via != null && (via.equals(from) || via.equals(to))) via = null;
            if (via == null) {
                if (from.equals(to)) return r.readyAt().toEpochMilli();
                return best(paths(from, to), r.readyAt().toEpochMilli());
            }
            List<List<Lane>> second = paths(via, to);
            long best = NONE;
            for (List<Lane> first : paths(from, via)) {
                long atVia = simulate(first, r.readyAt().toEpochMilli());
                if (atVia == NONE) continue;
                long ready = atVia + handling(facilities.get(via)).toMillis();
                best = Math.min(best, best(second, ready));
            }
            return best;
        }

        private long best(List<List<Lane>> paths, long ready) {
            long best = NONE;
            for (List<Lane> path : paths) best = Math.min(best, simulate(path, ready));
            return best;
        }

        /** Simple paths over usable lanes whose every facility after the start is usable. */
        private List<List<Lane>> paths(String from, String to) {
            List<List<Lane>> out = new ArrayList<>();
            Set<String> visited = new HashSet<>();
            visited.add(from);
            extend(from, to, new ArrayList<>(), visited, out);
            return out;
        }

        private void extend(String at, String to, List<Lane> path, Set<String> visited, List<List<Lane>> out) {
            for (Lane lane : c.lanes()) {
                if (!lane.getFromFacilityId().equals(at) || visited.contains(lane.getToFacilityId())) continue;
                if (!usable(lane, r) || !usable(facilities.get(lane.getToFacilityId()), r)) continue;
                path.add(lane);
                if (lane.getToFacilityId().equals(to)) {
                    out.add(new ArrayList<>(path));
                } else {
                    visited.add(lane.getToFacilityId());
                    extend(lane.getToFacilityId(), to, path, visited, out);
                    visited.remove(lane.getToFacilityId());
                }
                path.remove(path.size() - 1);
            }
        }

        /** Arrival at the end of the path, taking each lane's earliest departure with room, or NONE past the horizon. */
        private long simulate(List<Lane> path, long ready) {
            long t = ready;
            for (int i = 0; i < path.size(); i++) {
                Lane lane = path.get(i);
                if (i > 0) t += handling(facilities.get(lane.getFromFacilityId())).toMillis();
                long dep = departure(lane, t);
                if (dep == NONE) return NONE;
                t = dep + lane.getTransitMinutes() * 60_000L;
                if (t > deadline) return NONE;
            }
            return t;
        }

        private long departure(Lane lane, long ready) {
            if (lane.getDepartureTimes().isEmpty()) {
                long quarter = 15 * 60_000L;
                for (long t = ready; t <= deadline; t = (Math.floorDiv(t, quarter) + 1) * quarter) {
                    if (c.capacity().hasRoom(lane.getLaneId(), Instant.ofEpochMilli(t))) return t;
                }
                return NONE;
            }
            ZoneId zone = ZoneId.of(facilities.get(lane.getFromFacilityId()).getTimeZone());
            LocalDate first = Instant.ofEpochMilli(ready).atZone(zone).toLocalDate().minusDays(1);
            LocalDate last = Instant.ofEpochMilli(deadline).atZone(zone).toLocalDate().plusDays(1);
            long best = NONE;
            for (LocalDate d = first; !d.isAfter(last); d = d.plusDays(1)) {
                for (String time : lane.getDepartureTimes()) {
                    long t = ZonedDateTime.of(d, LocalTime.parse(time), zone).toInstant().toEpochMilli();
                    if (t >= ready && t <= deadline && t < best && c.capacity().hasRoom(lane.getLaneId(), Instant.ofEpochMilli(t))) best = t;
                }
                if (best != NONE && ZonedDateTime.of(d, LocalTime.MIN, zone).toInstant().toEpochMilli() > best) break;
            }
            return best;
        }
    }
}
