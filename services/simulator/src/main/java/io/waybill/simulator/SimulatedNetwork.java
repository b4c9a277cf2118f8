package io.waybill.simulator;

import java.util.List;
import java.util.Map;

/**
 * A small two-region network for simulated traffic: depots feed their region's hub, hubs are
 * linked by line-haul lanes. (The full seed network arrives with the routing work.)
 */
final class SimulatedNetwork {

    record Depot(String id, String hub) {
    }

    static final List<Depot> DEPOTS = List.of(
            new Depot("BER-DEP-1", "BER-HUB"), new Depot("BER-DEP-2", "BER-HUB"),
            new Depot("HAM-DEP-1", "HAM-HUB"), new Depot("HAM-DEP-2", "HAM-HUB"),
            new Depot("MUC-DEP-1", "MUC-HUB"), new Depot("MUC-DEP-2", "MUC-HUB"),
            new Depot("CGN-DEP-1", "CGN-HUB"), new Depot("FRA-DEP-1", "FRA-HUB"));

    /** Line-haul transit between hubs, in hours. */
    static final Map<String, Integer> HUB_TRANSIT_HOURS = Map.ofEntries(
            Map.entry("BER-HUB>HAM-HUB", 3), Map.entry("BER-HUB>MUC-HUB", 6), Map.entry("BER-HUB>CGN-HUB", 6),
            Map.entry("BER-HUB>FRA-HUB", 5), Map.entry("HAM-HUB>MUC-HUB", 7), Map.entry("HAM-HUB>CGN-HUB", 4),
            Map.entry("HAM-HUB>FRA-HUB", 5), Map.entry("MUC-HUB>CGN-HUB", 6), Map.entry("MUC-HUB>FRA-HUB", 4),
            Map.entry("CGN-HUB>FRA-HUB", 2));

    static int transitHours(String fromHub, String toHub) {
        Integer h = HUB_TRANSIT_HOURS.get(fromHub + ">" + toHub);
        if (h == null) h = HUB_TRANSIT_HOURS.get(toHub + ">" + fromHub);
        return h == null ? 1 : h;
    }

    private SimulatedNetwork() {
    }
}
