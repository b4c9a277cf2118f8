package io.waybill.topology.routing;

import io.waybill.contract.Facility;
import io.waybill.contract.FacilityType;
import io.waybill.contract.Lane;
import io.waybill.contract.TransportMode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Larger synthetic networks with the seed network's structure, for benchmarks and load tests.
 * Scale k gives k shards: shard 1 is the seed network itself, shards 2..k are copies of it
 * (ids suffixed "-S2", ...) with facilities moved a little, departures shifted by up to half an
 * hour and transit times and costs varied by up to 10%. Each shard's hubs are linked by road both
 * ways to the same hub of the previous shard, so every rule of the seed network (depots reach
 * each other by road within Europe, North America only by air) holds across the whole network.
 * The same seed and scale always give the same network.
 */
public final class SeedNetworkGenerator {

    public static final long DEFAULT_SEED = 0x5EED_2026L;

    private static final double EARTH_KM = 6371.0;

    private SeedNetworkGenerator() {
    }

    /** The seed network at {@code scale} times its size, from {@link #DEFAULT_SEED}. */
    public static SeedNetwork scaled(int scale) {
        return generate(DEFAULT_SEED, scale);
    }

    public static SeedNetwork generate(long seed, int scale) {
        if (scale < 1) throw new IllegalArgumentException("scale must be at least 1: " + scale);
        SeedNetwork template = SeedNetwork.load();
        Random random = new Random(seed);
        List<Facility> facilities = new ArrayList<>(template.facilities());
        List<Lane> lanes = new ArrayList<>(template.lanes());
        Map<String, Facility> previous = new HashMap<>();
        for (Facility f : template.facilities()) previous.put(f.getFacilityId(), f);
        for (int shard = 2; shard <= scale; shard++) {
            String suffix = "-S" + shard;
            Map<String, Facility> current = new HashMap<>();
            for (Facility f : template.facilities()) {
                Facility copy = Facility.newBuilder(f)
                        .setFacilityId(f.getFacilityId() + suffix)
                        .setName(f.getName() + " (shard " + shard + ")")
                        .setLatitude(round4(f.getLatitude() + (random.nextDouble() - 0.5) * 1.2))
                        .setLongitude(round4(f.getLongitude() + (random.nextDouble() - 0.5) * 1.2))
                        .build();
                facilities.add(copy);
                current.put(f.getFacilityId(), copy);
            }
            for (Lane l : template.lanes()) {
                int shift = (random.nextInt(13) - 6) * 5;
                List<String> departures = new ArrayList<>();
                for (String time : l.getDepartureTimes()) departures.add(shifted(time, shift));
                lanes.add(Lane.newBuilder(l)
                        .setLaneId(l.getLaneId() + suffix)
                        .setFromFacilityId(l.getFromFacilityId() + suffix)
                        .setToFacilityId(l.getToFacilityId() + suffix)
                        .setDepartureTimes(departures)
                        .setTransitMinutes(Math.max(5, round5(l.getTransitMinutes() * (0.9 + 0.2 * random.nextDouble()))))
                        .setCost(Math.round(l.getCost() * (0.9 + 0.2 * random.nextDouble()) * 100) / 100.0)
                        .build());
            }
            for (Facility f : template.facilities()) {
                if (f.getType() != FacilityType.HUB) continue;
                Facility here = current.get(f.getFacilityId());
                Facility there = previous.get(f.getFacilityId());
                lanes.add(link(there, here, random));
                lanes.add(link(here, there, random));
            }
            previous = current;
        }
        return new SeedNetwork(facilities, lanes);
    }

    /** An evening road trunk between the same hub of two shards. */
    private static Lane link(Facility from, Facility to, Random random) {
        double km = distanceKm(from, to);
        int transit = Math.max(60, round5(km * 1.3 / 65 * 60 + 20));
        int minute = 19 * 60 + random.nextInt(7) * 15;
        return Lane.newBuilder()
                .setLaneId("L-" + code(from) + "-" + code(to) + "-X1")
                .setFromFacilityId(from.getFacilityId()).setToFacilityId(to.getFacilityId())
                .setCarrier("Shard Link Haulage").setMode(TransportMode.ROAD).setTransitMinutes(transit)
                .setDepartureTimes(List.of(hhmm(minute), hhmm(minute + 150)))
                .setDailyCapacity(8000).setCost(Math.round((1.5 + 0.004 * km) * 100) / 100.0)
                .setAllowedHandling(List.of()).setDisrupted(false).setUpdatedAt(SeedNetwork.UPDATED_AT)
                .build();
    }

    private static String code(Facility f) {
        String id = f.getFacilityId();
        return id.substring(id.indexOf('-', id.indexOf('-') + 1) + 1);
    }

    private static String shifted(String hhmm, int minutes) {
        String[] parts = hhmm.split(":");
        int minute = Math.floorMod(Integer.parseInt(parts[0].trim()) * 60 + Integer.parseInt(parts[1].trim()) + minutes, 24 * 60);
        return hhmm(minute);
    }

    private static String hhmm(int minuteOfDay) {
        int m = Math.floorMod(minuteOfDay, 24 * 60);
        return String.format("%02d:%02d", m / 60, m % 60);
    }

    private static int round5(double minutes) {
        return (int) (5 * Math.round(minutes / 5));
    }

    private static double round4(double degrees) {
        return Math.round(degrees * 10_000) / 10_000.0;
    }

    static double distanceKm(Facility a, Facility b) {
        double p1 = Math.toRadians(a.getLatitude());
        double p2 = Math.toRadians(b.getLatitude());
        double dp = p2 - p1;
        double dl = Math.toRadians(b.getLongitude() - a.getLongitude());
        double h = Math.sin(dp / 2) * Math.sin(dp / 2) + Math.cos(p1) * Math.cos(p2) * Math.sin(dl / 2) * Math.sin(dl / 2);
        return 2 * EARTH_KM * Math.asin(Math.sqrt(h));
    }
}
