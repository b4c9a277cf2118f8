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

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The events one simulated shipment will produce, each after a realistic (simulated) delay:
 * booking, first scan at the origin depot, trunking through the hubs, delivery, with occasional
 * failed attempts, damage and customs holds.
 */
final class ShipmentJourney {

    /** One future event: its payload and how long after the previous step it happens (simulated time). */
    record Step(Duration after, Object payload) {
    }

    static List<Step> plan(Random random, Instant now) {
        var depots = SimulatedNetwork.DEPOTS;
        SimulatedNetwork.Depot origin = depots.get(random.nextInt(depots.size()));
        SimulatedNetwork.Depot destination;
        do {
            destination = depots.get(random.nextInt(depots.size()));
        } while (destination.equals(origin));

        boolean express = random.nextDouble() < 0.2;
        List<HandlingFlag> handling = new ArrayList<>();
        if (random.nextDouble() < 0.1) handling.add(HandlingFlag.FRAGILE);
        if (random.nextDouble() < 0.03) handling.add(HandlingFlag.COLD_CHAIN);
        Duration promise = express ? Duration.ofHours(24) : Duration.ofHours(72);

        List<Step> steps = new ArrayList<>();
        steps.add(new Step(Duration.ZERO, ShipmentCreated.newBuilder()
                .setOrigin(origin.id()).setDestination(destination.id())
                .setServiceLevel(express ? ServiceLevel.EXPRESS : ServiceLevel.STANDARD)
                .setPromisedDeliveryAt(now.plus(promise))
                .setWeightKg(Math.round((0.2 + random.nextExponential() * 4) * 10) / 10.0)
                .setHandling(handling)
                .build()));
        steps.add(new Step(minutes(random, 30, 240), new ArrivedAtFacility(origin.id())));
        steps.add(new Step(minutes(random, 30, 120), new DepartedFacility(origin.id(), origin.id() + ">" + origin.hub())));
        steps.add(new Step(minutes(random, 45, 90), new ArrivedAtFacility(origin.hub())));
        if (random.nextDouble() < 0.01) {
            steps.add(new Step(minutes(random, 10, 60), new Held("customs documents missing")));
            steps.add(new Step(minutes(random, 60, 240), new Released("documents received")));
        }
        if (!origin.hub().equals(destination.hub())) {
            steps.add(new Step(minutes(random, 60, 180), new DepartedFacility(origin.hub(), origin.hub() + ">" + destination.hub())));
            int transit = SimulatedNetwork.transitHours(origin.hub(), destination.hub());
            steps.add(new Step(minutes(random, transit * 50, transit * 75), new ArrivedAtFacility(destination.hub())));
        }
        if (random.nextDouble() < 0.01) {
            steps.add(new Step(minutes(random, 5, 30), new Damaged(destination.hub(), "crushed corner")));
        }
        steps.add(new Step(minutes(random, 60, 180), new DepartedFacility(destination.hub(), destination.hub() + ">" + destination.id())));
        steps.add(new Step(minutes(random, 45, 90), new ArrivedAtFacility(destination.id())));
        int attempts = random.nextDouble() < 0.05 ? 2 : 1;
        for (int a = 1; a <= attempts; a++) {
            steps.add(new Step(minutes(random, 60, 600), new OutForDelivery(destination.id(), "R" + (1 + random.nextInt(40)))));
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
