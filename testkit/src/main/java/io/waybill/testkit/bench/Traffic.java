package io.waybill.testkit.bench;

import io.waybill.contract.ArrivedAtFacility;
import io.waybill.contract.Damaged;
import io.waybill.contract.Delivered;
import io.waybill.contract.DeliveryAttemptFailed;
import io.waybill.contract.DepartedFacility;
import io.waybill.contract.Facility;
import io.waybill.contract.FacilityType;
import io.waybill.contract.HandlingFlag;
import io.waybill.contract.Lane;
import io.waybill.contract.OutForDelivery;
import io.waybill.contract.RouteLeg;
import io.waybill.contract.ServiceLevel;
import io.waybill.contract.ShipmentCreated;
import io.waybill.contract.ShipmentEvent;
import io.waybill.topology.routing.RoutePlanner;
import io.waybill.topology.routing.RouteRequest;
import io.waybill.topology.routing.RouteResult;
import io.waybill.topology.routing.RoutingNetwork;
import io.waybill.topology.routing.SeedNetwork;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Realistic shipment traffic for the engine benchmark, deterministic by seed: journeys along the
 * route plans the engine itself makes ({@link RoutePlanner} over the seed network, the request the
 * engine makes at booking: origin, destination, ready at the booking's occurredAt), interleaved as
 * real traffic is (a pool of shipments in flight, the next event taken from a random one of them).
 *
 * <p>A journey: ShipmentCreated; ArrivedAtFacility at the origin depot; per planned leg a
 * DepartedFacility on the leg's lane and an ArrivedAtFacility at its end; OutForDelivery; Delivered.
 * Mixed in by seed: damage at the delivering facility (~3 %), a failed delivery attempt before the
 * successful one (~3 %), a mis-sort (~2 %: an arrival at a neighbour of the leg's origin that is not
 * on the plan, after which the journey follows the plan the engine makes from there), a late scan
 * (~3 %: an arrival sent after the departure that follows it) and a resend (~2 %: one event sent
 * twice, same eventId). Shipments are booked {@code spacing} apart from {@code start} (near the wall
 * clock), and their scans follow the plan's times, so timers (missed scan, dwell, SLA) lie ahead.
 * Copied in spirit from services/simulator ShipmentJourney (testkit may not depend on the simulator).
 */
public final class Traffic {

    /** How many of each kind of event, and of each mixed-in anomaly. */
    public static final class Mix {
        final Map<String, Long> events = new TreeMap<>();
        long shipments;
        long damaged;
        long failedAttempts;
        long misSorts;
        long misSortsSkipped;
        long lateScans;
        long resends;
        long express;
        long coldChain;
        long total;

        void count(ShipmentEvent e) {
            events.merge(e.getPayload().getClass().getSimpleName(), 1L, Long::sum);
            total++;
        }

        public String describe() {
            StringBuilder b = new StringBuilder();
            b.append(String.format("%,d events, %,d shipments (%,d express, %,d cold chain)%n", total, shipments, express, coldChain));
            b.append("  by type:");
            events.forEach((k, v) -> b.append(String.format(" %s %,d;", k, v)));
            b.append(String.format("%n  mixed in: damaged %,d, failed delivery attempts %,d, mis-sorts %,d, late (out-of-order) scans %,d, "
                    + "resends (same eventId) %,d", damaged, failedAttempts, misSorts, lateScans, resends));
            if (misSortsSkipped > 0) b.append(String.format(" (%,d mis-sorts skipped: no neighbour with a route)", misSortsSkipped));
            return b.toString();
        }
    }

    private static final RoutePlanner PLANNER = new RoutePlanner();

    private final RoutingNetwork network;
    private final List<String> depots;
    private final Random random;
    private final String idPrefix;
    private final Instant start;
    private final Duration spacing;
    private final int inFlight;
    public final Mix mix = new Mix();

    /**
     * @param inFlight shipments in flight at once: the next event is taken from a random one of them
     */
    public Traffic(long seed, String idPrefix, Instant start, Duration spacing, int inFlight) {
        SeedNetwork seedNetwork = SeedNetwork.load();
        this.network = seedNetwork.routingNetwork();
        this.depots = seedNetwork.facilities().stream()
                .filter(f -> f.getType() == FacilityType.DEPOT && f.getRegion().startsWith("EU"))
                .map(Facility::getFacilityId).sorted().toList();
        this.random = new Random(seed);
        this.idPrefix = idPrefix;
        this.start = start;
        this.spacing = spacing;
        this.inFlight = inFlight;
    }

    /** At least {@code events} events (whole journeys are started until there are enough, then the pool is drained). */
    public List<ShipmentEvent> generate(long events) {
        List<ShipmentEvent> out = new ArrayList<>((int) Math.min(Integer.MAX_VALUE - 16, events + 64));
        List<List<ShipmentEvent>> pool = new ArrayList<>();
        List<Integer> cursor = new ArrayList<>();
        long planned = 0;
        int next = 0;
        while (true) {
            while (pool.size() < inFlight && planned < events) {
                List<ShipmentEvent> journey = journey(next++);
                planned += journey.size();
                pool.add(journey);
                cursor.add(0);
            }
            if (pool.isEmpty()) break;
            int i = random.nextInt(pool.size());
            List<ShipmentEvent> journey = pool.get(i);
            int c = cursor.get(i);
            ShipmentEvent e = journey.get(c);
            out.add(e);
            mix.count(e);
            if (c + 1 == journey.size()) {
                int last = pool.size() - 1;
                pool.set(i, pool.get(last));
                cursor.set(i, cursor.get(last));
                pool.remove(last);
                cursor.remove(last);
            } else {
                cursor.set(i, c + 1);
            }
        }
        return out;
    }

    /** One shipment's events in the order they are sent. */
    private List<ShipmentEvent> journey(int n) {
        String shipmentId = idPrefix + n;
        mix.shipments++;
        boolean express = random.nextDouble() < 0.2;
        List<HandlingFlag> handling = new ArrayList<>();
        if (random.nextDouble() < 0.1) handling.add(HandlingFlag.FRAGILE);
        if (random.nextDouble() < 0.03) handling.add(HandlingFlag.COLD_CHAIN);
        ServiceLevel level = express ? ServiceLevel.EXPRESS : ServiceLevel.STANDARD;
        Instant booked = start.plus(spacing.multipliedBy(n)).plusMillis(random.nextInt(1000));

        String origin;
        String destination;
        RouteResult.Found route = null;
        do {
            origin = depots.get(random.nextInt(depots.size()));
            do {
                destination = depots.get(random.nextInt(depots.size()));
            } while (destination.equals(origin));
            // The request the engine makes at booking: from the origin, ready at the booking's occurredAt.
            if (PLANNER.plan(network, new RouteRequest(origin, destination, booked, level, handling, Set.of(), Set.of(), null))
                    instanceof RouteResult.Found found) {
                route = found;
            }
        } while (route == null);
        if (express) mix.express++;
        if (handling.contains(HandlingFlag.COLD_CHAIN)) mix.coldChain++;
        Instant promise = route.arrivalAtDestination().plus(express ? Duration.ofHours(12) : Duration.ofHours(24));

        // Decide the anomalies up front (one draw each, so the mix is independent of the route's length).
        boolean damaged = random.nextDouble() < 0.03;
        boolean failedAttempt = random.nextDouble() < 0.03;
        boolean misSort = random.nextDouble() < 0.02;
        boolean lateScan = random.nextDouble() < 0.03;
        boolean resend = random.nextDouble() < 0.02;

        List<Step> steps = new ArrayList<>();
        steps.add(new Step(booked, ShipmentCreated.newBuilder()
                .setOrigin(origin).setDestination(destination).setServiceLevel(level).setPromisedDeliveryAt(promise)
                .setWeightKg(Math.round((0.2 + random.nextExponential() * 4) * 10) / 10.0).setHandling(handling).build()));
        List<RouteLeg> legs = new ArrayList<>(route.legs());
        Instant firstDeparture = legs.get(0).getPlannedDeparture();
        // The first scan at the origin comes before the first planned departure (or just after the booking).
        long window = Math.max(1, Duration.between(booked, firstDeparture).toMinutes() - 15);
        Instant clock = booked.plus(Duration.ofMinutes(1 + random.nextInt((int) Math.min(window, 240))));
        steps.add(new Step(clock, new ArrivedAtFacility(origin)));
        int misSortLeg = misSort ? random.nextInt(legs.size()) : -1;
        boolean misSorted = false;
        for (int i = 0; i < legs.size(); i++) {
            RouteLeg leg = legs.get(i);
            Instant departs = leg.getPlannedDeparture().plus(minutes(0, 20));
            if (!departs.isAfter(clock)) departs = clock.plusSeconds(60);
            steps.add(new Step(departs, new DepartedFacility(leg.getFromFacilityId(), leg.getLaneId())));
            long transit = Duration.between(leg.getPlannedDeparture(), leg.getPlannedArrival()).toMinutes();
            Instant arrives = departs.plus(Duration.ofMinutes(Math.max(5, Math.round(transit * (0.9 + random.nextDouble() * 0.2)))));
            if (i == misSortLeg && !misSorted) {
                // Sorted onto the wrong truck: it arrives at another neighbour of the leg's origin, off the plan; the engine
                // re-plans from there (ready at the arrival), and the journey continues along that plan.
                RouteResult.Found replanned = misSort(leg, legs, destination, level, handling, arrives);
                if (replanned != null) {
                    misSorted = true;
                    mix.misSorts++;
                    String wrong = replanned.legs().get(0).getFromFacilityId();
                    steps.add(new Step(arrives, new ArrivedAtFacility(wrong)));
                    clock = arrives;
                    legs = new ArrayList<>(legs.subList(0, i + 1));
                    legs.addAll(replanned.legs());
                    continue;
                }
                mix.misSortsSkipped++;
            }
            steps.add(new Step(arrives, new ArrivedAtFacility(leg.getToFacilityId())));
            clock = arrives;
        }
        if (damaged) {
            mix.damaged++;
            clock = clock.plus(minutes(5, 30));
            steps.add(new Step(clock, new Damaged(destination, "crushed corner")));
        }
        int attempts = failedAttempt ? 2 : 1;
        for (int a = 1; a <= attempts; a++) {
            // Out for delivery within the engine's last-mile allowance (4 h from the arrival), a second attempt the next round.
            clock = clock.plus(a == 1 ? minutes(30, 150) : minutes(60, 180));
            steps.add(new Step(clock, new OutForDelivery(destination, "R" + (1 + random.nextInt(40)))));
            if (a < attempts) {
                mix.failedAttempts++;
                clock = clock.plus(minutes(30, 120));
                steps.add(new Step(clock, new DeliveryAttemptFailed("recipient not at home")));
            }
        }
        clock = clock.plus(minutes(20, 120));
        steps.add(new Step(clock, new Delivered(random.nextBoolean() ? "recipient" : "neighbour", null)));

        List<ShipmentEvent> events = new ArrayList<>(steps.size() + 1);
        for (Step s : steps) {
            events.add(ShipmentEvent.newBuilder().setEventId(new UUID(random.nextLong(), random.nextLong()).toString())
                    .setShipmentId(shipmentId).setOccurredAt(s.at()).setRecordedAt(s.at().plusSeconds(random.nextInt(30)))
                    .setSource("bench").setPayload(s.payload()).build());
        }
        if (lateScan) {
            // An arrival at a hub reaches the engine after the departure that follows it.
            List<Integer> candidates = new ArrayList<>();
            for (int i = 2; i + 1 < events.size(); i++) {
                if (events.get(i).getPayload() instanceof ArrivedAtFacility && events.get(i + 1).getPayload() instanceof DepartedFacility) {
                    candidates.add(i);
                }
            }
            if (!candidates.isEmpty()) {
                int i = candidates.get(random.nextInt(candidates.size()));
                ShipmentEvent late = events.remove(i);
                events.add(i + 1, late);
                mix.lateScans++;
            }
        }
        if (resend) {
            // A scanner resends one event (same eventId) a little later.
            int i = 1 + random.nextInt(events.size() - 1);
            events.add(Math.min(events.size(), i + 1 + random.nextInt(2)), events.get(i));
            mix.resends++;
        }
        return events;
    }

    private RouteResult.Found misSort(RouteLeg leg, List<RouteLeg> plan, String destination, ServiceLevel level,
                                      List<HandlingFlag> handling, Instant arrives) {
        Set<String> onPlan = new HashSet<>();
        for (RouteLeg l : plan) {
            onPlan.add(l.getFromFacilityId());
            onPlan.add(l.getToFacilityId());
        }
        List<String> neighbours = new ArrayList<>();
        for (Lane lane : network.outboundLanes(leg.getFromFacilityId())) {
            String to = lane.getToFacilityId();
            if (!onPlan.contains(to) && !to.equals(destination) && !neighbours.contains(to)) neighbours.add(to);
        }
        while (!neighbours.isEmpty()) {
            String wrong = neighbours.remove(random.nextInt(neighbours.size()));
            if (PLANNER.plan(network, new RouteRequest(wrong, destination, arrives, level, handling, Set.of(), Set.of(), null))
                    instanceof RouteResult.Found found && !found.legs().isEmpty()) {
                return found;
            }
        }
        return null;
    }

    private Duration minutes(int min, int max) {
        return Duration.ofMinutes(min + random.nextInt(Math.max(1, max - min)));
    }

    private record Step(Instant at, Object payload) {
    }
}
