package io.waybill.testkit.bench;

import io.waybill.contract.ArrivedAtFacility;
import io.waybill.contract.DepartedFacility;
import io.waybill.contract.RouteLeg;
import io.waybill.contract.RoutePlan;
import io.waybill.contract.RouteStatus;
import io.waybill.contract.ShipmentEvent;
import io.waybill.contract.ShipmentState;
import io.waybill.contract.WaybillTopic;
import io.waybill.topology.routing.NetworkAdmin;
import io.waybill.topology.routing.RoutingNetwork;
import io.waybill.topology.routing.SeedNetwork;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A hub closure on a real 3-broker cluster: N shipments whose plans go through the hub (DE-HUB-FRA), some
 * elsewhere, scans of other shipments running at half the engine's max rate; then the hub is published
 * CLOSED the way an admin does it ({@link NetworkAdmin}). How long until every affected shipment's new
 * plan is on the state topic, and what happens to the scans meanwhile?
 *
 * <p>Set-up, through the engine's input topic: bookings between depot pairs whose STANDARD route goes
 * through the hub until the engine has planned N shipments through it (lane capacity sends later
 * bookings elsewhere or to later days; the state topic's plans are the truth), bookings elsewhere, and
 * the scanned group; then a third of the first two groups is scanned in at its origin and a third also
 * departs on its first leg (unless that leg ends at the hub: a truck heading there cannot avoid it).
 *
 * <pre>scripts/benchmark reroute --cluster [--quick] [--shipments N] [--rate N] [--out FILE]</pre>
 */
public final class HubClosureOnCluster extends ClusterScenario {

    static final String AFFECTED = "A", UNAFFECTED = "U", SCANNED = "S";

    private int shipments;
    private int unaffected = -1;
    private String hub = "DE-HUB-FRA";
    private int beforeSeconds;
    private int afterSeconds;
    private long maxRateEvents;

    /** The latest state of every shipment of the three groups, from the state topic. */
    private final Map<String, ShipmentState> latest = new ConcurrentHashMap<>();
    /** Before the closure: what each shipment's plan was (set just before the hub is closed). */
    private volatile Map<String, Before> before;
    private volatile long closingFromMs = Long.MAX_VALUE;
    /** Affected shipments whose new plan (or NO_ROUTE) was seen, with the arrival time. */
    private final Map<String, Long> replannedAt = new ConcurrentHashMap<>();
    /** Shipments not through the hub that got any state record after the closure. */
    private final Set<String> touchedAfterClosure = ConcurrentHashMap.newKeySet();

    /** A shipment just before the closure. */
    private record Before(ShipmentState state, int revision, String planId, boolean throughHub, boolean noRoute) {
    }

    private HubClosureOnCluster(boolean quick) {
        super("reroute-cluster", quick);
        shipments = quick ? 5_000 : 50_000;
        beforeSeconds = quick ? 20 : 60;
        afterSeconds = quick ? 20 : 60;
        maxRateEvents = quick ? 3_000 : 20_000;
    }

    public static void main(String[] args) {
        boolean quick = Arrays.asList(args).contains("--quick");
        HubClosureOnCluster run = new HubClosureOnCluster(quick);
        var it = Arrays.asList(args).iterator();
        while (it.hasNext()) {
            String a = it.next();
            if (run.commonOption(a, it)) continue;
            switch (a) {
                case "--shipments" -> run.shipments = Integer.parseInt(it.next());
                case "--unaffected" -> run.unaffected = Integer.parseInt(it.next());
                case "--hub" -> run.hub = it.next();
                case "--before-s" -> run.beforeSeconds = Integer.parseInt(it.next());
                case "--after-s" -> run.afterSeconds = Integer.parseInt(it.next());
                case "--max-rate-events" -> run.maxRateEvents = Long.parseLong(it.next());
                default -> throw new IllegalArgumentException("unknown argument " + a + " (--quick, --shipments N, --unaffected N, --hub ID, "
                        + "--rate N, --before-s N, --after-s N, --max-rate-events N, --seed N, --out FILE)");
            }
        }
        if (run.unaffected < 0) run.unaffected = Math.max(1_000, run.shipments / 5);
        run.defaultOut();
        System.exit(run.run());
    }

    @Override
    long maxRateEvents() {
        return maxRateEvents;
    }

    @Override
    Duration hardLimit() {
        return quick ? Duration.ofMinutes(10) : Duration.ofMinutes(60);
    }

    @Override
    long[] counts() {
        return new long[]{replannedAt.size()};
    }

    @Override
    void onState(TopicTail.Seen<ShipmentState> r) {
        ShipmentState s = r.value();
        String id = r.key();
        if (s == null || !(indexOf(AFFECTED, id) >= 0 || indexOf(UNAFFECTED, id) >= 0 || indexOf(SCANNED, id) >= 0)) return;
        latest.put(id, s);
        Map<String, Before> was = before;
        if (was == null || r.receivedMs() < closingFromMs) return;
        Before b = was.get(id);
        if (b == null) return;
        if (b.throughHub()) {
            boolean replanned = s.getRouteStatus() == RouteStatus.NO_ROUTE
                    || (s.getRoutePlan() != null && s.getRoutePlan().getRevision() > b.revision());
            if (replanned) replannedAt.putIfAbsent(id, r.receivedMs());
        } else {
            touchedAfterClosure.add(id);
        }
    }

    @Override
    void scenario() throws Exception {
        Instant setupStart = Instant.now();
        RoutingNetwork network = SeedNetwork.load().routingNetwork();
        if (network.facility(hub).isEmpty()) throw new IllegalArgumentException("no facility " + hub + " in the seed network");
        List<Pair> pairs = europeanPairs(network, setupStart);
        List<Pair> through = pairs.stream().filter(p -> p.touches(hub)).toList();
        List<Pair> elsewhere = pairs.stream().filter(p -> !p.touches(hub)).toList();
        if (through.isEmpty() || elsewhere.isEmpty()) throw new IllegalStateException("no depot pairs through and avoiding " + hub);
        Instant promise = setupStart.plus(Duration.ofDays(6));

        // ---- set-up: bookings -----------------------------------------------------------------------------
        double scansPerShipment = elsewhere.stream().mapToDouble(p -> 2.0 * p.legs().size() + 1).average().orElse(5);
        // Enough scans for the windows and re-planning at a modest 100/s.
        double scanSeconds = beforeSeconds + afterSeconds + 30 + shipments / 100.0;
        int scanned = (int) Math.ceil(1.2 * scanRate * scanSeconds / scansPerShipment);
        Instant now = Instant.now();
        List<ShipmentEvent> bookings = new ArrayList<>();
        for (int i = 0; i < shipments; i++) bookings.add(booking(id(AFFECTED, i), through.get(i % through.size()), now, promise));
        for (int i = 0; i < unaffected; i++) bookings.add(booking(id(UNAFFECTED, i), elsewhere.get(i % elsewhere.size()), now, promise));
        for (int i = 0; i < scanned; i++) bookings.add(booking(id(SCANNED, i), elsewhere.get((7 * i) % elsewhere.size()), now, promise));
        double bookingSeconds = feed(bookings, String.format("bookings: %,d through %s, %,d elsewhere, %,d to be scanned", shipments, hub,
                unaffected, scanned));
        int booked = shipments;
        long planned = countThroughHub(AFFECTED, booked);
        // Lanes have a daily capacity the planner respects: once the hub's lanes are full, later bookings go other ways.
        while (planned < shipments && booked < 3 * shipments) {
            int more = (int) Math.min(3L * shipments - booked, Math.round(1.2 * (shipments - planned)) + 10);
            now = Instant.now();
            bookings = new ArrayList<>(more);
            for (int i = booked; i < booked + more; i++) bookings.add(booking(id(AFFECTED, i), through.get(i % through.size()), now, promise));
            bookingSeconds += feed(bookings, "more bookings through " + hub + " (lane capacity sent some elsewhere)");
            booked += more;
            planned = countThroughHub(AFFECTED, booked);
        }
        int affectedBooked = booked;

        // ---- set-up: in flight: a third scanned in at the origin, a third also on its first leg ----------------
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < affectedBooked; i++) ids.add(id(AFFECTED, i));
        for (int i = 0; i < unaffected; i++) ids.add(id(UNAFFECTED, i));
        now = Instant.now();
        List<ShipmentEvent> inFlight = new ArrayList<>();
        for (int n = 0; n < ids.size(); n++) {
            if (n % 3 == 0) continue;
            ShipmentState s = latest.get(ids.get(n));
            if (s == null || s.getRoutePlan() == null || s.getRoutePlan().getLegs().isEmpty()) continue;
            RouteLeg first = s.getRoutePlan().getLegs().get(0);
            inFlight.add(scan(s.getShipmentId(), 0, now, new ArrivedAtFacility(first.getFromFacilityId())));
            if (n % 3 == 2 && !first.getToFacilityId().equals(hub)) {
                inFlight.add(scan(s.getShipmentId(), 1, now.plusSeconds(1), new DepartedFacility(first.getFromFacilityId(), first.getLaneId())));
            }
        }
        double inFlightSeconds = feed(inFlight, "in-flight scans");

        // ---- what the engine planned, just before the closure ---------------------------------------------------
        Map<String, Before> snapshot = new TreeMap<>();
        for (int i = 0; i < scanned; i++) ids.add(id(SCANNED, i));
        long withoutRoute = 0;
        for (String id : ids) {
            ShipmentState s = latest.get(id);
            if (s == null) continue;
            RoutePlan plan = s.getRoutePlan();
            boolean noRoute = s.getRouteStatus() == RouteStatus.NO_ROUTE;
            if (noRoute) withoutRoute++;
            snapshot.put(id, new Before(s, plan == null ? 0 : plan.getRevision(), plan == null ? null : plan.getPlanId(), throughHub(s), noRoute));
        }
        long missing = ids.size() - snapshot.size();
        List<String> affected = snapshot.entrySet().stream().filter(e -> e.getValue().throughHub()).map(Map.Entry::getKey).toList();
        Map<String, List<RouteLeg>> scanPlans = new TreeMap<>();
        snapshot.forEach((id, b) -> {
            if (id.startsWith(SCANNED) && !b.throughHub() && b.state().getRoutePlan() != null && !b.state().getRoutePlan().getLegs().isEmpty()) {
                scanPlans.put(id, b.state().getRoutePlan().getLegs());
            }
        });
        Map<String, Long> statesBefore = countStatuses(snapshot.keySet());
        double setupSeconds = ClusterBench.secondsSince(setupStart);
        ClusterBench.progress(String.format("set-up done in %.0f s: %,d shipments planned through %s (%,d of the %,d booked through it, "
                        + "%,d of the others), %,d elsewhere; %,d scanned shipments", setupSeconds, affected.size(), hub,
                affected.stream().filter(id -> id.startsWith(AFFECTED)).count(), affectedBooked,
                affected.stream().filter(id -> !id.startsWith(AFFECTED)).count(), snapshot.size() - affected.size() - scanPlans.size(),
                scanPlans.size()));

        // ---- measurement: scans, then the closure ---------------------------------------------------------------
        startScans(scanPlans);
        long scansFrom = System.currentTimeMillis();
        ClusterBench.progress(String.format("scans at %,.0f/s for %d s, then %s is closed", scanRate, beforeSeconds, hub));
        before = snapshot;
        sleepUntil(scansFrom + beforeSeconds * 1000L);
        timeline.sample(); // a window boundary
        closingFromMs = System.currentTimeMillis();
        String[] close = {"--bootstrap-servers", cluster.bootstrap(), "--registry-url", cluster.registryUrl(), "set-facility-status", hub, "CLOSED"};
        if (NetworkAdmin.run(close) != 0) throw new IllegalStateException("closing " + hub + " failed");
        long adminReturned = System.currentTimeMillis();
        long closedAt = closureTimestamp();
        ClusterBench.progress(String.format("%s CLOSED (record stamped %d ms after the call began; NetworkAdmin took %.1f s)", hub,
                closedAt - closingFromMs, (adminReturned - closingFromMs) / 1000.0));
        long giveUp = closedAt + 60_000 + 1000L * affected.size() / 25;
        Set<String> affectedSet = Set.copyOf(affected);
        while (!replannedAt.keySet().containsAll(affectedSet) && System.currentTimeMillis() < giveUp) {
            states.check();
            Thread.sleep(20);
        }
        timeline.sample();
        long lastReplan = affected.stream().mapToLong(id -> replannedAt.getOrDefault(id, 0L)).max().orElse(closedAt);
        boolean allSeen = replannedAt.keySet().containsAll(affectedSet);
        long replanEnd = allSeen ? lastReplan : System.currentTimeMillis();
        ClusterBench.progress(String.format("%,d of %,d affected shipments re-planned, the last %.1f s after the closure",
                affected.stream().filter(replannedAt::containsKey).count(), affected.size(), (lastReplan - closedAt) / 1000.0));
        sleepUntil(replanEnd + afterSeconds * 1000L);
        long scansTo = System.currentTimeMillis();
        stopScans();
        timeline.sample();

        // ---- settle, then verify from the state topic -----------------------------------------------------------
        cluster.awaitCommitted(ENGINE_APP, cluster.endOffsets(INPUT, cluster.partitionCount(INPUT)), Duration.ofMinutes(5));
        Thread.sleep(3_000); // ticks after the last input: any re-plan still queued shows
        states.awaitCaughtUp(cluster.admin(), Duration.ofMinutes(2));

        long aroundHub = 0, noRoute = 0, notReplanned = 0, stillThrough = 0;
        Map<String, Integer> reasons = new TreeMap<>();
        List<String> examples = new ArrayList<>();
        long[] waits = new long[affected.size()];
        int w = 0;
        for (String id : affected) {
            ShipmentState s = latest.get(id);
            Before b = snapshot.get(id);
            Long seen = replannedAt.get(id);
            if (seen != null) waits[w++] = seen - closedAt;
            if (s.getRouteStatus() == RouteStatus.NO_ROUTE) {
                noRoute++;
                continue;
            }
            RoutePlan plan = s.getRoutePlan();
            if (plan == null || plan.getRevision() <= b.revision()) {
                notReplanned++;
                if (examples.size() < 5) examples.add(id + " not re-planned");
                continue;
            }
            reasons.merge(plan.getReason(), 1, Integer::sum);
            if (throughHub(s)) {
                stillThrough++;
                if (examples.size() < 5) examples.add(id + " re-planned but still through " + hub);
                continue;
            }
            aroundHub++;
        }
        waits = TimerBurstOnCluster.sorted(waits, w);
        long unaffectedCount = 0, unaffectedTouched = 0, unaffectedPlanChanged = 0, unaffectedNoRoute = 0, scannedForClosure = 0;
        for (Map.Entry<String, Before> e : snapshot.entrySet()) {
            Before b = e.getValue();
            if (b.throughHub()) continue;
            ShipmentState s = latest.get(e.getKey());
            RoutePlan plan = s.getRoutePlan();
            if (e.getKey().startsWith(SCANNED)) {
                // Scanned on: their states move, but no plan of theirs may be made for the closure.
                if (plan != null && plan.getReason() != null && plan.getReason().contains(hub)) scannedForClosure++;
                continue;
            }
            unaffectedCount++;
            if (b.noRoute()) unaffectedNoRoute++;
            if (touchedAfterClosure.contains(e.getKey())) unaffectedTouched++;
            if (!java.util.Objects.equals(b.planId(), plan == null ? null : plan.getPlanId()) || !b.state().equals(s)) {
                unaffectedPlanChanged++;
                if (examples.size() < 5) examples.add(e.getKey() + " changed although its route avoided " + hub);
            }
        }
        passed = !affected.isEmpty() && aroundHub + noRoute == affected.size() && notReplanned == 0 && stillThrough == 0
                && unaffectedPlanChanged == 0 && scannedForClosure == 0 && allSeen;

        // ---- the report ------------------------------------------------------------------------------------------
        header("Hub closure on a real 3-broker cluster: re-planning the shipments routed through " + hub + ", with scans running",
                String.format("--shipments %,d (planned through the hub), --unaffected %,d, hub %s, scans %d s before the closure and %d s after "
                        + "the last re-plan, seed %d%s", shipments, unaffected, hub, beforeSeconds, afterSeconds, seed,
                        rateOption != null ? String.format(", --rate %,.0f", rateOption) : ""));
        line("");
        line("1. population (booked and scanned through the engine's input topic; plans from the state topic)");
        line("   %,d booked between depots whose route goes through %s (%d depot pairs) until the engine had planned %,d through it;",
                affectedBooked, hub, through.size(), planned);
        line("   %,d booked elsewhere (%d pairs); %,d to be scanned (elsewhere); %,d bookings in %.1f s (%,.0f/s); in-flight scans %,d in %.1f s",
                unaffected, elsewhere.size(), scanned, affectedBooked + unaffected + scanned, bookingSeconds,
                (affectedBooked + unaffected + scanned) / bookingSeconds, inFlight.size(), inFlightSeconds);
        line("   (a third booked, a third at the origin depot, a third on its first leg where that leg does not end at the hub)");
        line("   just before the closure: %,d shipments with the hub on their remaining route (affected), %,d not; without a route: %,d;",
                affected.size(), snapshot.size() - affected.size(), withoutRoute);
        line("   no state seen: %,d; statuses: %s; set-up took %.0f s", missing, statesBefore, setupSeconds);
        line("");
        line("2. rerouting (%s published CLOSED with NetworkAdmin at t0 = the facility record's timestamp)", hub);
        line("   time from the closure to the last affected shipment's new plan on %s: %s%s", WaybillTopic.SHIPMENT_STATE.topicName(),
                TimerBurstOnCluster.s(lastReplan - closedAt), allSeen ? "" : String.format(" (gave up: %,d never seen)", affected.size() - w));
        line("   per-shipment wait (closure to its new plan or NO_ROUTE visible): p50 %s, p99 %s, max %s; the first after %s",
                TimerBurstOnCluster.s(TimerBurstOnCluster.pct(waits, 50)), TimerBurstOnCluster.s(TimerBurstOnCluster.pct(waits, 99)),
                TimerBurstOnCluster.s(TimerBurstOnCluster.max(waits)), TimerBurstOnCluster.s(TimerBurstOnCluster.min(waits)));
        double spanSeconds = Math.max(0.001, (TimerBurstOnCluster.max(waits) - TimerBurstOnCluster.min(waits)) / 1000.0);
        line("   re-plans per second: %,.0f from the first to the last seen, %,.0f over the whole wait from the closure; peak %,d in one second",
                w / spanSeconds, w / Math.max(0.001, TimerBurstOnCluster.max(waits) / 1000.0), peakPerSecond(waits));
        line("");
        line("3. verification (each shipment's latest state on the state topic against its state before the closure)");
        line("   affected %,d: re-planned around %s %,d, NO_ROUTE %,d, not re-planned %,d, re-planned but still through it %,d",
                affected.size(), hub, aroundHub, noRoute, notReplanned, stillThrough);
        line("   plan reasons: %s", reasons);
        line("   unaffected %,d (booked, not through the hub): state changed %,d (a state record after the closure: %,d; without a route before: %,d,",
                unaffectedCount, unaffectedPlanChanged, unaffectedTouched, unaffectedNoRoute);
        line("   retried on every network change); scanned shipments given a plan for the closure: %,d", scannedForClosure);
        if (!examples.isEmpty()) line("   examples: %s", examples);
        line("   verdict: %s", passed ? "PASS" : "FAIL");
        line("");
        line("4. scans (%,.0f/s offered: arrivals and departures of %,d shipments along their plans) and CPU, by window of send time",
                scanRate, scanPlans.size());
        windows(scans.window("before", scansFrom, closedAt), scans.window("during", closedAt, replanEnd), scans.window("after", replanEnd, scansTo));
        line("   (during = from the closure until the last affected shipment's new plan was seen)%s",
                scans.ranOut() ? "; the scans ran out before the end" : "");
        line("   (a scan happens now, hours before its plan's time, so most re-time the plan: lane-load deltas and totals per scan)");
        line("");
        line("5. timeline (seconds from the closure, by arrival; CPU as % of one core)");
        line("   %6s %7s %9s %10s %8s %8s", "second", "scans", "answered", "re-plans", "brokers", "engine");
        List<Timeline.Sample> samples = timeline.perSecond();
        for (int k = 1; k < samples.size(); k++) {
            Timeline.Sample a = samples.get(k - 1), b = samples.get(k);
            if (b.wallMs() < closedAt - 3_000 || a.wallMs() > replanEnd + 3_000) continue;
            double dt = Math.max(0.001, (b.wallMs() - a.wallMs()) / 1000.0);
            line("   %+6.0f %,7d %,9d %,10d %7.0f%% %7.0f%%", (b.wallMs() - closedAt) / 1000.0, b.counts()[0] - a.counts()[0],
                    b.counts()[1] - a.counts()[1], b.counts()[2] - a.counts()[2], 100 * (b.brokerCpu() - a.brokerCpu()) / dt,
                    100 * (b.streamCpu() - a.streamCpu()) / dt);
        }
        line("   (scans: sent; answered: their states seen; re-plans: affected shipments' new plans seen; engine: the stream thread's CPU)");
    }

    /** Whether the rest of the shipment's plan (legs from nextLegIndex on) arrives at the hub, as the engine's route index has it. */
    private boolean throughHub(ShipmentState s) {
        if (s.getRouteStatus() == RouteStatus.NO_ROUTE || s.getRoutePlan() == null) return false;
        List<RouteLeg> legs = s.getRoutePlan().getLegs();
        for (int i = Math.max(0, s.getNextLegIndex()); i < legs.size(); i++) {
            if (legs.get(i).getToFacilityId().equals(hub)) return true;
        }
        return false;
    }

    private long countThroughHub(String group, int booked) {
        long n = 0;
        for (int i = 0; i < booked; i++) {
            ShipmentState s = latest.get(id(group, i));
            if (s != null && throughHub(s)) n++;
        }
        return n;
    }

    private Map<String, Long> countStatuses(Set<String> ids) {
        Map<String, Long> counts = new TreeMap<>();
        for (String id : ids) {
            ShipmentState s = latest.get(id);
            counts.merge(s == null ? "none" : s.getStatus().name(), 1L, Long::sum);
        }
        return counts;
    }

    private static ShipmentEvent scan(String shipmentId, int n, Instant at, Object payload) {
        return ShipmentEvent.newBuilder().setEventId(shipmentId + ":in-flight:" + n).setShipmentId(shipmentId).setOccurredAt(at)
                .setRecordedAt(at).setSource("bench").setPayload(payload).build();
    }

    /** The CLOSED facility record's timestamp (the producer stamped it as it sent it). */
    private long closureTimestamp() {
        String topic = WaybillTopic.FACILITIES.topicName();
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long stamp = -1;
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (hub.equals(r.key())) stamp = r.timestamp();
                }
            }
            if (stamp < 0) throw new IllegalStateException("no record of " + hub + " on " + topic);
            return stamp;
        }
    }

    private static int peakPerSecond(long[] sortedWaits) {
        Map<Long, Integer> perSecond = new TreeMap<>();
        for (long ms : sortedWaits) perSecond.merge(Math.floorDiv(ms, 1000), 1, Integer::sum);
        return perSecond.values().stream().mapToInt(Integer::intValue).max().orElse(0);
    }
}
