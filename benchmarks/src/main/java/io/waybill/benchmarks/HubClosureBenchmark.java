package io.waybill.benchmarks;

import io.waybill.contract.Facility;
import io.waybill.contract.FacilityStatus;
import io.waybill.contract.RouteLeg;
import io.waybill.contract.RoutePlan;
import io.waybill.contract.RouteStatus;
import io.waybill.contract.ShipmentEvent;
import io.waybill.contract.ShipmentState;
import io.waybill.topology.TopologySettings;
import io.waybill.topology.catalogue.WaybillStores;
import io.waybill.topology.routing.RoutingNetwork;
import io.waybill.topology.routing.SeedNetwork;
import io.waybill.topology.routing.SeedNetworkGenerator;
import io.waybill.topology.shipment.ShipmentIndex;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.KeyValueStore;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * "The time to reroute 100,000 in-flight shipments after a hub closure."
 *
 * <p>Set-up, through the engine: shipments booked between European depot pairs whose STANDARD plan
 * passes through the hub (by the planner at the booking time; the engine's own plans and its route
 * index are then the truth), and shipments whose plans do not. A third of each group is then scanned
 * in at its origin depot, another third also departs on its first leg (when that leg does not go
 * to the hub itself: a truck already heading there cannot avoid it), the rest stays booked.
 *
 * <p>Measurement: the hub is published CLOSED on the facilities topic; the engine's next tick notices
 * it, queues every shipment whose remaining route uses the hub, and each tick re-plans up to
 * rerouteBatch of them within the tick budget. Ticks run back to back (no other input), the engine
 * clock advancing a tick interval between ticks, or by the tick's real duration when that is longer,
 * until the reroute queue is empty.
 */
public final class HubClosureBenchmark {

    static final Instant START = Instant.parse("2026-11-02T06:00:00Z");
    static final String AFFECTED = "A", UNAFFECTED = "U";

    public record Options(int shipments, int unaffected, String hub, int scale, int rerouteBatch, int tickBudgetMs, int tickIntervalMs,
                          int commitIntervalMs, Path stateDir, Path out) {

        public static Options defaults() {
            return new Options(100_000, 20_000, "DE-HUB-FRA", 1, 2_000, 500, 1_000, 100, null, null);
        }

        static Options parse(String[] args) {
            Options d = defaults();
            Report.Args a = new Report.Args(args, "shipments", "unaffected", "hub", "scale", "reroute-batch", "tick-budget-ms",
                    "tick-interval-ms", "commit-interval-ms", "state-dir", "out");
            return new Options(a.integer("shipments", d.shipments), a.integer("unaffected", d.unaffected), a.string("hub", d.hub),
                    a.integer("scale", d.scale), a.integer("reroute-batch", d.rerouteBatch), a.integer("tick-budget-ms", d.tickBudgetMs),
                    a.integer("tick-interval-ms", d.tickIntervalMs), a.integer("commit-interval-ms", d.commitIntervalMs),
                    a.path("state-dir"), a.path("out"));
        }
    }

    /** What a run found; {@link #ok()} when every affected shipment was re-planned around the hub and nothing else changed. */
    public record Result(long affected, long replannedAroundHub, long noRoute, long notReplanned, long stillThroughHub,
                         long unaffected, long unaffectedChanged, long indexMismatch, long queueLeft, long engineNanos,
                         long processingNanos, long longestTickNanos, int ticks, String summary) {
        public boolean ok() {
            return affected > 0 && replannedAroundHub + noRoute == affected && notReplanned == 0 && stillThroughHub == 0
                    && unaffectedChanged == 0 && indexMismatch == 0 && queueLeft == 0;
        }
    }

    private HubClosureBenchmark() {
    }

    public static void main(String[] args) {
        Result result = run(Options.parse(args));
        System.exit(result.ok() ? 0 : 1);
    }

    /** Before the closure: the plan's revision and the remaining lanes, and whether the remaining route uses the hub. */
    private record Before(int revision, List<String> remainingLanes, boolean throughHub) {
    }

    public static Result run(Options o) {
        String machineAtStart = Report.machine();
        long wallStart = System.nanoTime();
        TopologySettings defaults = TopologySettings.DEFAULTS;
        TopologySettings settings = new TopologySettings(defaults.dedupeWindow(), Duration.ofMillis(o.tickIntervalMs()),
                defaults.timerBatch(), o.rerouteBatch(), Duration.ofMillis(o.tickBudgetMs()));
        Report report = new Report();
        // Each re-plan's wait, in the order the engine re-planned (most urgent promise first).
        List<Long> waits = java.util.Collections.synchronizedList(new ArrayList<>());
        io.waybill.topology.EngineMeters meters = new io.waybill.topology.EngineMeters() {
            @Override
            public void replanned(long waitedMillis) {
                waits.add(waitedMillis);
            }
        };
        try (EngineHarness engine = new EngineHarness(settings, START, o.stateDir(), Duration.ofMillis(o.commitIntervalMs()), meters)) {
            System.out.printf("hub closure: %,d shipments through %s, %,d elsewhere, network scale %d; state in %s%n", o.shipments(), o.hub(),
                    o.unaffected(), o.scale(), engine.stateDir());
            SeedNetwork network = o.scale() == 1 ? SeedNetwork.load() : SeedNetworkGenerator.scaled(o.scale());
            engine.publish(network);
            RoutingNetwork routing = network.routingNetwork();
            Facility hub = routing.facility(o.hub()).orElseThrow(() -> new IllegalArgumentException("no facility " + o.hub()));

            // ---- set-up -------------------------------------------------------------------------------------
            engine.keepExceptions(false);
            Instant bookedAt = START.minusSeconds(60);
            List<Shipments.Pair> pairs = Shipments.europeanPairs(routing, bookedAt);
            List<Shipments.Pair> through = pairs.stream().filter(p -> p.touches(o.hub())).toList();
            List<Shipments.Pair> elsewhere = pairs.stream().filter(p -> !p.touches(o.hub())).toList();
            if (through.isEmpty() || (o.unaffected() > 0 && elsewhere.isEmpty())) {
                throw new IllegalStateException("no depot pairs " + (through.isEmpty() ? "through " : "avoiding ") + o.hub());
            }
            Instant promise = START.plus(Duration.ofDays(6));
            long setupStart = System.nanoTime();
            // Lanes have a daily capacity the planner respects: once the hub's lanes are full for a day, a
            // later booking may take another route. So book until the engine's route index holds the target.
            KeyValueStore<String, String> index = engine.store(WaybillStores.SHIPMENT_INDEX);
            String hubPrefix = ShipmentIndex.routeFacilityPrefix(o.hub());
            int booked = 0;
            long planned = 0;
            while (planned < o.shipments() && booked < 3L * o.shipments()) {
                int from = booked, more = (int) Math.min(o.shipments() - planned, 3L * o.shipments() - booked);
                engine.pipe(Shipments.generate(more, i -> Shipments.booking(id(AFFECTED, from + i), through.get((from + i) % through.size()),
                        bookedAt, promise)), "bookings between depots whose route goes through " + o.hub(), more);
                booked += more;
                planned = engine.countIndex(hubPrefix);
            }
            int throughBooked = booked;
            engine.pipe(Shipments.generate(o.unaffected(), i -> Shipments.booking(id(UNAFFECTED, i), elsewhere.get(i % elsewhere.size()),
                    bookedAt, promise)), "bookings elsewhere", o.unaffected());

            // In flight: a third scanned in at the origin, a third also on its way on the first leg.
            engine.advanceTo(START.plus(Duration.ofHours(1)));
            KeyValueStore<String, ShipmentState> states = engine.store(WaybillStores.SHIPMENT_STATE);
            List<String> ids = new ArrayList<>(throughBooked + o.unaffected());
            for (int i = 0; i < throughBooked; i++) ids.add(id(AFFECTED, i));
            for (int i = 0; i < o.unaffected(); i++) ids.add(id(UNAFFECTED, i));
            Instant arrivedAt = START.plus(Duration.ofMinutes(30));
            Instant departedAt = START.plus(Duration.ofMinutes(50));
            List<ShipmentEvent> scans = new ArrayList<>();
            for (int n = 0; n < ids.size(); n++) {
                if (n % 3 == 0) continue;
                ShipmentState s = states.get(ids.get(n));
                if (s == null || s.getRoutePlan() == null || s.getRoutePlan().getLegs().isEmpty()) continue;
                RouteLeg first = s.getRoutePlan().getLegs().get(0);
                scans.add(Shipments.arrived(s.getShipmentId(), 0, first.getFromFacilityId(), arrivedAt));
                if (n % 3 == 2 && !first.getToFacilityId().equals(o.hub())) {
                    scans.add(Shipments.departed(s.getShipmentId(), 1, first.getFromFacilityId(), first.getLaneId(), departedAt));
                }
            }
            engine.pipe(scans.iterator(), "scans", scans.size());
            scans = null;
            engine.advanceTo(engine.nextTick());

            // What the engine planned, and what its route index says is affected.
            Map<String, Before> before = new HashMap<>();
            Map<String, ShipmentState> unaffectedBefore = new HashMap<>();
            long bookedNoRoute = 0;
            for (String id : ids) {
                ShipmentState s = states.get(id);
                if (s == null || s.getRoutePlan() == null) {
                    bookedNoRoute++;
                    continue;
                }
                Before b = describe(s, o.hub());
                before.put(id, b);
                if (!b.throughHub()) unaffectedBefore.put(id, s);
            }
            Set<String> indexed = new HashSet<>();
            try (var it = index.prefixScan(hubPrefix, Serdes.String().serializer())) {
                it.forEachRemaining(kv -> indexed.add(ShipmentIndex.shipmentId(kv.key)));
            }
            long affected = before.values().stream().filter(Before::throughHub).count();
            long elsewhereThroughHub = before.entrySet().stream().filter(e -> e.getKey().startsWith(UNAFFECTED) && e.getValue().throughHub())
                    .count();
            long indexMismatch = before.entrySet().stream().filter(e -> e.getValue().throughHub() != indexed.contains(e.getKey())).count()
                    + indexed.stream().filter(id -> !before.containsKey(id)).count();
            Map<String, Long> states0 = countStates(states, ids);
            long setupNanos = System.nanoTime() - setupStart;
            long stateBytes = engine.stateBytes();
            System.out.printf("  set-up done in %s: %,d shipments planned through %s (route index: %,d), %,d elsewhere%n",
                    Report.s(setupNanos), affected, o.hub(), indexed.size(), unaffectedBefore.size());

            // ---- measurement: close the hub, tick until the queue is empty -------------------------------------
            long gcBefore = Report.gcMillis();
            Instant closedAt = engine.now();
            engine.publish(Facility.newBuilder(hub).setStatus(FacilityStatus.CLOSED).setUpdatedAt(closedAt).build());
            List<EngineHarness.Punctuation> ticks = new ArrayList<>();
            List<Long> commits = new ArrayList<>();
            List<Long> queueAfter = new ArrayList<>();
            long queueLeft = -1;
            waits.clear();
            long fedBack = 0, fedBackNanos = 0;
            int maxTicks = (int) Math.max(600, 20L * (affected / Math.max(1, o.rerouteBatch()) + 1));
            while (ticks.size() < maxTicks) {
                if (engine.hasQueued()) {
                    // what the last commit fed back into the task: the re-plans' lane-load deltas for the aggregator
                    fedBackNanos += engine.processOne(true);
                    fedBack++;
                } else {
                    engine.idleUntil(engine.nextTick());
                }
                EngineHarness.Punctuation tick = engine.punctuateIfDue(true);
                if (tick != null) ticks.add(tick);
                long commit = engine.commitIfDue(true);
                if (commit >= 0) commits.add(commit);
                if (tick == null) continue;
                // The engine keeps one job per change, not a queue of shipments: what is left is the
                // affected shipments not re-planned yet, and the job until its walk is done.
                queueLeft = engine.count(WaybillStores.REROUTE_QUEUE);
                queueAfter.add(Math.max(0, affected - waits.size()));
                if (queueLeft == 0) break;
            }
            long tickTotal = ticks.stream().mapToLong(EngineHarness.Punctuation::nanos).sum();
            long commitTotal = commits.stream().mapToLong(Long::longValue).sum();
            long processingNanos = tickTotal + commitTotal + fedBackNanos;
            Instant doneAt = engine.now();
            long engineNanos = Duration.between(closedAt, doneAt).toNanos();
            long gcDuring = Report.gcMillis() - gcBefore;
            String machineAtEnd = Report.machine();

            // ---- verification ----------------------------------------------------------------------------
            long replanned = 0, noRoute = 0, notReplanned = 0, stillThrough = 0, unaffectedChanged = 0;
            Map<String, Integer> reasons = new HashMap<>();
            List<String> examples = new ArrayList<>();
            for (Map.Entry<String, Before> e : before.entrySet()) {
                ShipmentState s = states.get(e.getKey());
                Before b = e.getValue();
                if (!b.throughHub()) {
                    if (!unaffectedBefore.get(e.getKey()).equals(s)) {
                        unaffectedChanged++;
                        if (examples.size() < 5) examples.add(e.getKey() + " changed although its route avoided " + o.hub());
                    }
                    continue;
                }
                if (s.getRouteStatus() == RouteStatus.NO_ROUTE) {
                    noRoute++;
                    continue;
                }
                RoutePlan plan = s.getRoutePlan();
                // Made before the closure: not re-planned. (Not the revision: a plan found again after NO_ROUTE starts at 1.)
                if (plan == null || plan.getPlannedAt().isBefore(closedAt)) {
                    notReplanned++;
                    if (examples.size() < 5) {
                        examples.add(e.getKey() + " not re-planned (" + s.getStatus() + ", promise " + s.getPromisedDeliveryAt()
                                + ", remaining lanes before " + b.remainingLanes() + ", plan now revision "
                                + (plan == null ? "none" : plan.getRevision() + " " + plan.getReason()) + ")");
                    }
                    continue;
                }
                reasons.merge(plan.getReason(), 1, Integer::sum);
                if (describe(s, o.hub()).throughHub()) {
                    stillThrough++;
                    if (examples.size() < 5) examples.add(e.getKey() + " re-planned but still through " + o.hub());
                    continue;
                }
                replanned++;
            }
            Map<String, Long> states1 = countStates(states, ids);

            long[] tickNanos = Report.sorted(ticks.stream().mapToLong(EngineHarness.Punctuation::nanos).toArray());
            long longest = tickNanos.length == 0 ? 0 : tickNanos[tickNanos.length - 1];
            long[] commitNanos = Report.sorted(commits.stream().mapToLong(Long::longValue).toArray());
            report.line("hub closure, %s", Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
            report.line("machine at start: %s", machineAtStart);
            report.line("machine at end:   %s", machineAtEnd);
            report.line("engine: WaybillTopology.build in a TopologyTestDriver: ONE task, in-process, real RocksDB stores (state dir %s),",
                    engine.stateDir());
            report.line("        exactly_once_v2, changelogs to the driver's mock producer, NO broker. The numbers are the processor's own");
            report.line("        cost (with RocksDB and a commit after each tick), not end-to-end latency.");
            report.line("settings: tick interval %d ms, reroute batch %,d, tick budget %d ms (TopologySettings.DEFAULTS: 1000 ms, 2,000, 500 ms)",
                    o.tickIntervalMs(), o.rerouteBatch(), o.tickBudgetMs());
            report.line("network: %s, %d facilities, %d lanes; closed: %s", o.scale() == 1 ? "the seed network" : "the seed network x" + o.scale(),
                    routing.facilities().size(), routing.lanes().size(), o.hub());
            report.line();
            report.line("population (booked and scanned through the engine): %,d shipments, %,d of them with the hub on their remaining route",
                    before.size(), affected);
            report.line("  (%,d booked between depots whose route goes through the hub until the engine had planned %,d through it: lane",
                    throughBooked, planned);
            report.line("  capacity sends later bookings on other routes or later days; %,d booked elsewhere, of which the engine planned",
                    o.unaffected());
            report.line("  %,d through the hub all the same: lanes elsewhere were full)", elsewhereThroughHub);
            report.line("  (%d depot pairs through the hub, %d elsewhere; a third booked, a third at the origin depot, a third on the first leg",
                    through.size(), elsewhere.size());
            report.line("  where that leg does not end at the hub); states before: %s; without a route at booking: %,d", states0, bookedNoRoute);
            report.line("  route index route-facility/%s/: %,d entries; disagreements with the plans: %,d", o.hub(), indexed.size(), indexMismatch);
            report.line("  set-up took %s; state on disk %,d MiB", Report.s(setupNanos), stateBytes >> 20);
            report.line();
            report.line("rerouting (the hub published CLOSED at engine time 0; ticks back to back, no other input):");
            report.line("  every job done after %d ticks: %s of engine time (closure to the end of the last tick)", ticks.size(), Report.s(engineNanos));
            long[] waited = Report.sorted(waits.stream().mapToLong(Long::longValue).toArray());
            if (waited.length > 0) {
                long urgentTenth = waits.subList(0, Math.max(1, waits.size() / 10)).stream().mapToLong(Long::longValue).max().orElse(0);
                report.line("  wait per shipment (from the closure being noticed to its re-plan, engine time): p50 %,d ms, p99 %,d ms, "
                        + "the last one %,d ms; the most urgent tenth (closest promises, re-planned first) at most %,d ms; %,d re-plans reported",
                        Report.percentile(waited, 50), Report.percentile(waited, 99), waited[waited.length - 1], urgentTenth, waits.size());
            }
            report.line("  thread time meanwhile: %s (ticks %s, commits %s, %,d lane-load deltas fed back to the aggregator %s)",
                    Report.s(processingNanos), Report.s(tickTotal), Report.s(commitTotal), fedBack, Report.s(fedBackNanos));
            report.line("  re-plans: %,.0f per second of engine time, %,.0f per second of thread time", affected / (engineNanos / 1e9),
                    affected / Math.max(1e-9, processingNanos / 1e9));
            if (!ticks.isEmpty()) {
                report.line("  first tick (notices the closure, starts one re-plan job, then re-plans its first batch): %s",
                        Report.ms(ticks.get(0).nanos()));
            }
            report.line("  ticks: p50 %s, p99 %s, max %s; CPU time of the thread in all ticks %s of %s real",
                    Report.ms(Report.percentile(tickNanos, 50)), Report.ms(Report.percentile(tickNanos, 99)), Report.ms(longest),
                    Report.s(ticks.stream().mapToLong(EngineHarness.Punctuation::cpuNanos).sum()), Report.s(tickTotal));
            report.line("  commits: p50 %s, max %s; GC time %,d ms", Report.ms(Report.percentile(commitNanos, 50)),
                    Report.ms(Report.percentile(commitNanos, 100)), gcDuring);
            report.line("  shipments left to re-plan after each of the first ticks: %s%s", queueAfter.subList(0, Math.min(8, queueAfter.size())),
                    queueAfter.size() > 8 ? " ..." : "");
            report.line();
            report.line("verification (each shipment's state before and after):");
            report.line("  affected %,d: re-planned around %s %,d, NO_ROUTE %,d, not re-planned %,d, re-planned but still through it %,d",
                    affected, o.hub(), replanned, noRoute, notReplanned, stillThrough);
            report.line("  plan reasons: %s", reasons);
            report.line("  unaffected %,d: changed %,d; states after: %s", unaffectedBefore.size(), unaffectedChanged, states1);
            if (!examples.isEmpty()) report.line("  examples: %s", examples);
            report.line("  re-plan jobs left: %,d", queueLeft);
            report.line("run took %s of real time", Report.s(System.nanoTime() - wallStart));
            report.emit(o.out());
            return new Result(affected, replanned, noRoute, notReplanned, stillThrough, unaffectedBefore.size(), unaffectedChanged,
                    indexMismatch, queueLeft, engineNanos, processingNanos, longest, ticks.size(), report.toString());
        }
    }

    private static Before describe(ShipmentState s, String hub) {
        List<RouteLeg> legs = s.getRoutePlan().getLegs();
        List<String> lanes = new ArrayList<>();
        boolean through = false;
        for (int i = Math.max(0, s.getNextLegIndex()); i < legs.size(); i++) {
            RouteLeg leg = legs.get(i);
            lanes.add(leg.getLaneId());
            through |= leg.getToFacilityId().equals(hub);
        }
        return new Before(s.getRoutePlan().getRevision(), lanes, through);
    }

    private static Map<String, Long> countStates(KeyValueStore<String, ShipmentState> states, List<String> ids) {
        Map<String, Long> counts = new java.util.TreeMap<>();
        for (String id : ids) {
            ShipmentState s = states.get(id);
            counts.merge(s == null ? "none" : s.getStatus().name(), 1L, Long::sum);
        }
        return counts;
    }

    static String id(String group, int i) {
        return group + String.format("%07d", i);
    }
}
