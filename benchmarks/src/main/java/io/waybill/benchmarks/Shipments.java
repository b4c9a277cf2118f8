package io.waybill.benchmarks;

import io.waybill.contract.ArrivedAtFacility;
import io.waybill.contract.DepartedFacility;
import io.waybill.contract.Facility;
import io.waybill.contract.FacilityType;
import io.waybill.contract.RouteLeg;
import io.waybill.contract.ServiceLevel;
import io.waybill.contract.ShipmentCreated;
import io.waybill.contract.ShipmentEvent;
import io.waybill.topology.routing.RoutePlanner;
import io.waybill.topology.routing.RouteRequest;
import io.waybill.topology.routing.RouteResult;
import io.waybill.topology.routing.RoutingNetwork;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.IntFunction;

/** Bookings and scans for the scenario benchmarks, and the depot pairs to book between. */
final class Shipments {

    static final String SOURCE = "benchmark";

    private Shipments() {
    }

    /** A depot pair and the route the planner gives a STANDARD shipment ready at the origin at the booking time. */
    record Pair(String origin, String destination, List<RouteLeg> legs, Instant arrival) {
        boolean touches(String facilityId) {
            return legs.stream().anyMatch(l -> l.getFromFacilityId().equals(facilityId) || l.getToFacilityId().equals(facilityId));
        }
    }

    /**
     * Every ordered pair of European depots of the network's first shard (the seed network itself;
     * North America is reachable by air only, which STANDARD shipments do not take) that has a STANDARD
     * route for a shipment ready at {@code readyAt}, in a fixed order.
     */
    static List<Pair> europeanPairs(RoutingNetwork network, Instant readyAt) {
        List<String> depots = network.facilities().stream()
                .filter(f -> f.getType() == FacilityType.DEPOT && f.getRegion().startsWith("EU") && !f.getFacilityId().contains("-S"))
                .map(Facility::getFacilityId).sorted().toList();
        RoutePlanner planner = new RoutePlanner();
        List<Pair> pairs = new ArrayList<>();
        for (String from : depots) {
            for (String to : depots) {
                if (from.equals(to)) continue;
                if (planner.plan(network, RouteRequest.of(from, to, readyAt, ServiceLevel.STANDARD)) instanceof RouteResult.Found found) {
                    pairs.add(new Pair(from, to, found.legs(), found.arrivalAtDestination()));
                }
            }
        }
        return pairs;
    }

    static ShipmentEvent booking(String shipmentId, Pair pair, Instant at, Instant promise) {
        return event(shipmentId + ":booked", shipmentId, at, ShipmentCreated.newBuilder()
                .setOrigin(pair.origin()).setDestination(pair.destination()).setServiceLevel(ServiceLevel.STANDARD)
                .setPromisedDeliveryAt(promise).setWeightKg(2.5).build());
    }

    static ShipmentEvent arrived(String shipmentId, int seq, String facilityId, Instant at) {
        return event(shipmentId + ":scan:" + seq, shipmentId, at, new ArrivedAtFacility(facilityId));
    }

    static ShipmentEvent departed(String shipmentId, int seq, String facilityId, String laneId, Instant at) {
        return event(shipmentId + ":scan:" + seq, shipmentId, at, new DepartedFacility(facilityId, laneId));
    }

    static ShipmentEvent event(String eventId, String shipmentId, Instant at, Object payload) {
        return ShipmentEvent.newBuilder().setEventId(eventId).setShipmentId(shipmentId).setOccurredAt(at).setRecordedAt(at)
                .setSource(SOURCE).setPayload(payload).build();
    }

    /** {@code count} events made on demand by {@code make} (so a million bookings are never all in memory). */
    static Iterator<ShipmentEvent> generate(int count, IntFunction<ShipmentEvent> make) {
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < count;
            }

            @Override
            public ShipmentEvent next() {
                if (next >= count) throw new NoSuchElementException();
                return make.apply(next++);
            }
        };
    }

    /**
     * The scans of shipments following their plans, wave by wave: first every shipment's arrival at its
     * origin, then every departure on its first leg, every arrival at the end of it, and so on, so a
     * shipment's consecutive scans are far apart. Each scan happens when it is taken ({@link #next(Instant)}).
     */
    static final class Journeys {
        private final List<String> ids = new ArrayList<>();
        private final List<List<RouteLeg>> plans = new ArrayList<>();
        private int longest;
        private int stage;
        private int index;
        private long taken;

        void add(String shipmentId, List<RouteLeg> legs) {
            ids.add(shipmentId);
            plans.add(legs);
            longest = Math.max(longest, 2 * legs.size() + 1);
        }

        int shipments() {
            return ids.size();
        }

        long total() {
            return plans.stream().mapToLong(l -> 2L * l.size() + 1).sum();
        }

        long taken() {
            return taken;
        }

        boolean hasNext() {
            skip();
            return stage < longest;
        }

        ShipmentEvent next(Instant at) {
            if (!hasNext()) throw new NoSuchElementException();
            String id = ids.get(index);
            List<RouteLeg> legs = plans.get(index);
            int s = stage;
            index++;
            taken++;
            if (s == 0) return arrived(id, s, legs.get(0).getFromFacilityId(), at);
            RouteLeg leg = legs.get((s - 1) / 2);
            return s % 2 == 1 ? departed(id, s, leg.getFromFacilityId(), leg.getLaneId(), at) : arrived(id, s, leg.getToFacilityId(), at);
        }

        private void skip() {
            while (stage < longest) {
                while (index < ids.size() && 2 * plans.get(index).size() + 1 <= stage) index++;
                if (index < ids.size()) return;
                stage++;
                index = 0;
            }
        }
    }
}
