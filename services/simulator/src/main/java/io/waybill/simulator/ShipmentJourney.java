package io.waybill.simulator;

import io.waybill.contract.ArrivedAtFacility;
import io.waybill.contract.Damaged;
import io.waybill.contract.Delivered;
import io.waybill.contract.DeliveryAttemptFailed;
import io.waybill.contract.DepartedFacility;
import io.waybill.contract.HandlingFlag;
import io.waybill.contract.Held;
import io.waybill.contract.OutForDelivery;
import io.waybill.contract.Released;
import io.waybill.contract.ServiceLevel;
import io.waybill.contract.ShipmentCreated;

import io.waybill.contract.Facility;
import io.waybill.contract.FacilityType;
import io.waybill.contract.RouteLeg;
import io.waybill.topology.routing.RoutePlanner;
import io.waybill.topology.routing.RouteRequest;
import io.waybill.topology.routing.RouteResult;
import io.waybill.topology.routing.RoutingNetwork;
import io.waybill.topology.routing.SeedNetwork;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * The events one simulated shipment will produce, each after a realistic (simulated) delay:
 * booking, first scan at the origin depot, the legs of its route plan over the seed network (as the
 * engine plans it), delivery, with occasional lost scans, failed attempts, damage and customs holds.
 */
final class ShipmentJourney {

    /** One future event: its payload and how long after the previous step it happens (simulated time). */
    record Step(Duration after, Object payload) {
    }

    /** The seed network (the one scripts/run-local publishes) and a planner over it: journeys follow real route plans. */
    private static final RoutingNetwork NETWORK;
    private static final List<String> DEPOTS;
    private static final RoutePlanner PLANNER = new RoutePlanner();

    static {
        SeedNetwork seed = SeedNetwork.load();
        NETWORK = RoutingNetwork.of(seed.facilities(), seed.lanes());
        DEPOTS = seed.facilities().stream()
                .filter(f -> f.getType() == FacilityType.DEPOT && f.getRegion().startsWith("EU"))
                .map(Facility::getFacilityId).sorted().toList();
    }

    static List<Step> plan(Random random, Instant now) {
        boolean express = random.nextDouble() < 0.2;
        List<HandlingFlag> handling = new ArrayList<>();
        if (random.nextDouble() < 0.1) handling.add(HandlingFlag.FRAGILE);
        if (random.nextDouble() < 0.03) handling.add(HandlingFlag.COLD_CHAIN);
        ServiceLevel level = express ? ServiceLevel.EXPRESS : ServiceLevel.STANDARD;

        String origin;
        String destination;
        RouteResult.Found route = null;
        Instant firstScan = now.plus(minutes(random, 30, 240));
        do {
            origin = DEPOTS.get(random.nextInt(DEPOTS.size()));
            do {
                destination = DEPOTS.get(random.nextInt(DEPOTS.size()));
            } while (destination.equals(origin));
            if (PLANNER.plan(NETWORK, new RouteRequest(origin, destination, firstScan, level, handling, Set.of(), Set.of(), null))
                    instanceof RouteResult.Found found) {
                route = found;
            }
        } while (route == null);
        // Promise: the planned arrival plus a day's slack (express: half a day), so most are on time.
        Instant promise = route.arrivalAtDestination().plus(express ? Duration.ofHours(12) : Duration.ofHours(24));

        List<Step> steps = new ArrayList<>();
        steps.add(new Step(Duration.ZERO, ShipmentCreated.newBuilder()
                .setOrigin(origin).setDestination(destination)
                .setServiceLevel(level)
                .setPromisedDeliveryAt(promise)
                .setWeightKg(Math.round((0.2 + random.nextExponential() * 4) * 10) / 10.0)
                .setHandling(handling)
                .build()));
        steps.add(new Step(Duration.between(now, firstScan), new ArrivedAtFacility(origin)));
        Instant clock = firstScan;
        for (RouteLeg leg : route.legs()) {
            // Trucks leave on schedule, give or take a few minutes, and arrive with some spread.
            Instant departs = leg.getPlannedDeparture().plus(minutes(random, 0, 20));
            if (departs.isBefore(clock)) departs = clock.plusSeconds(60);
            steps.add(new Step(Duration.between(clock, departs), new DepartedFacility(leg.getFromFacilityId(), leg.getLaneId())));
            long transit = Duration.between(leg.getPlannedDeparture(), leg.getPlannedArrival()).toMinutes();
            Instant arrives = departs.plus(Duration.ofMinutes(Math.max(5, Math.round(transit * (0.9 + random.nextDouble() * 0.25)))));
            if (random.nextDouble() < 0.01) {
                // A lost scan: the shipment moves on but this arrival is never reported (the engine's MISSED_SCAN timer notices).
                clock = arrives;
                continue;
            }
            steps.add(new Step(Duration.between(departs, arrives), new ArrivedAtFacility(leg.getToFacilityId())));
            clock = arrives;
            if (random.nextDouble() < 0.003) {
                steps.add(new Step(minutes(random, 10, 60), new Held("customs documents missing")));
                steps.add(new Step(minutes(random, 60, 240), new Released("documents received")));
            }
        }
        if (random.nextDouble() < 0.01) {
            steps.add(new Step(minutes(random, 5, 30), new Damaged(destination, "crushed corner")));
        }
        int attempts = random.nextDouble() < 0.05 ? 2 : 1;
        for (int a = 1; a <= attempts; a++) {
            steps.add(new Step(minutes(random, 60, 600), new OutForDelivery(destination, "R" + (1 + random.nextInt(40)))));
            if (a < attempts) {
                steps.add(new Step(minutes(random, 60, 300), new DeliveryAttemptFailed("recipient not at home")));
            }
        }
        steps.add(new Step(minutes(random, 30, 300), new Delivered(random.nextBoolean() ? "recipient" : "neighbour", null)));
        return steps;
    }

    private static Duration minutes(Random random, int min, int max) {
        return Duration.ofMinutes(min + random.nextInt(Math.max(1, max - min)));
    }

    private ShipmentJourney() {
    }
}
