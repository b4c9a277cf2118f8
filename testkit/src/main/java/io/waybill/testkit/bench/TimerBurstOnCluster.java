package io.waybill.testkit.bench;

import io.waybill.contract.ExceptionType;
import io.waybill.contract.RouteLeg;
import io.waybill.contract.ShipmentEvent;
import io.waybill.contract.ShipmentException;
import io.waybill.contract.ShipmentState;
import io.waybill.contract.SlaStatus;
import io.waybill.contract.WaybillTopic;
import io.waybill.topology.catalogue.WaybillStores;
import io.waybill.topology.routing.SeedNetwork;
import io.waybill.topology.timer.ShipmentTimers;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * A burst of due timers on a real 3-broker cluster: B shipments promised for the same instant T, among a
 * background of shipments promised days out, while scans of other shipments run at half the engine's max
 * rate. How late do the SLA_BREACHED timers fire, does each fire exactly once, and what happens to the scans?
 *
 * <p>Set-up, all through the engine's input topic: the scanned group and the background are booked; then,
 * from the booking rate just measured, T is chosen so that the burst group's bookings and the SLA_AT_RISK
 * timers they bring (due 4 h before the promise, so already due at booking: each fires at the next tick and
 * raises SLA_AT_RISK) are all done before the measurement starts; the burst group is booked with
 * promisedDeliveryAt T. What is left per burst shipment: DWELL (48 h), the escalation of the open
 * SLA_AT_RISK, and SLA_BREACHED at T.
 *
 * <p>Measured downstream, from the exceptions and state topics (read_committed): when each burst shipment's
 * SLA_BREACHED exception and its state change became visible; the scans' event → state latency in windows
 * before T, from T until the last burst timer was seen, and after.
 *
 * <pre>scripts/benchmark timers --cluster [--quick] [--burst N] [--shipments N] [--rate N] [--out FILE]</pre>
 */
public final class TimerBurstOnCluster extends ClusterScenario {

    static final String BURST = "B", BACKGROUND = "G", SCANNED = "S";

    private int burst;
    private int background;
    private int beforeSeconds;
    private int afterSeconds;
    private long maxRateEvents;

    /** The instant every burst shipment is promised for: its SLA_BREACHED timer is due then. */
    private volatile Instant due;

    // What the tails saw of the burst group, by index.
    private AtomicReferenceArray<ShipmentState> burstStates;
    private AtomicIntegerArray atRiskFired;
    private final AtomicInteger atRiskFiredCount = new AtomicInteger();
    private AtomicLongArray stateSeenMs;
    private final AtomicInteger stateSeenCount = new AtomicInteger();
    private AtomicIntegerArray breachedRecords;
    private AtomicLongArray breachedSeenMs;
    private AtomicLongArray breachedTimestamp;
    private final AtomicInteger breachedSeenCount = new AtomicInteger();
    private final AtomicLong breachedIdsDiffering = new AtomicLong();
    private AtomicReferenceArray<String> breachedIds;
    private final AtomicLong breachedElsewhere = new AtomicLong();
    private final AtomicLong breachedMaxRateTraffic = new AtomicLong();
    private final AtomicLong breachedEarly = new AtomicLong();
    private final Map<ExceptionType, LongAdder> otherExceptions = new ConcurrentHashMap<>();
    private volatile long measureFromMs = Long.MAX_VALUE;
    /** The scanned group's plans, from the state topic. */
    private final Map<String, List<RouteLeg>> scannedPlans = new ConcurrentHashMap<>();

    private TimerBurstOnCluster(boolean quick) {
        super("timers-cluster", quick);
        burst = quick ? 5_000 : 50_000;
        background = quick ? 2_000 : 100_000;
        beforeSeconds = quick ? 20 : 60;
        afterSeconds = quick ? 20 : 60;
        maxRateEvents = quick ? 3_000 : 20_000;
    }

    public static void main(String[] args) {
        boolean quick = Arrays.asList(args).contains("--quick");
        TimerBurstOnCluster run = new TimerBurstOnCluster(quick);
        var it = Arrays.asList(args).iterator();
        while (it.hasNext()) {
            String a = it.next();
            if (run.commonOption(a, it)) continue;
            switch (a) {
                case "--burst" -> run.burst = Integer.parseInt(it.next());
                case "--shipments" -> run.background = Integer.parseInt(it.next());
                case "--before-s" -> run.beforeSeconds = Integer.parseInt(it.next());
                case "--after-s" -> run.afterSeconds = Integer.parseInt(it.next());
                case "--max-rate-events" -> run.maxRateEvents = Long.parseLong(it.next());
                default -> throw new IllegalArgumentException("unknown argument " + a + " (--quick, --burst N, --shipments N, --rate N, "
                        + "--before-s N, --after-s N, --max-rate-events N, --seed N, --out FILE)");
            }
        }
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
        return new long[]{breachedSeenCount.get(), stateSeenCount.get()};
    }

    @Override
    void onState(TopicTail.Seen<ShipmentState> r) {
        ShipmentState s = r.value();
        if (s == null) return;
        int i = indexOf(BURST, r.key());
        if (i >= 0 && i < burst) {
            burstStates.set(i, s);
            if (s.getFiredTimers().containsKey(ShipmentTimers.SLA_AT_RISK) && !s.getTimers().containsKey(ShipmentTimers.SLA_AT_RISK)
                    && atRiskFired.compareAndSet(i, 0, 1)) {
                atRiskFiredCount.incrementAndGet();
            }
            Instant t = due;
            if (t != null && t.equals(s.getFiredTimers().get(ShipmentTimers.SLA_BREACHED)) && stateSeenMs.compareAndSet(i, 0, r.receivedMs())) {
                stateSeenCount.incrementAndGet();
            }
        } else if (indexOf(SCANNED, r.key()) >= 0 && s.getRoutePlan() != null && !s.getRoutePlan().getLegs().isEmpty()) {
            scannedPlans.put(r.key(), s.getRoutePlan().getLegs());
        }
    }

    private void onException(TopicTail.Seen<ShipmentException> r) {
        ShipmentException e = r.value();
        if (e == null) return;
        if (e.getType() != ExceptionType.SLA_BREACHED) {
            if (r.receivedMs() >= measureFromMs) otherExceptions.computeIfAbsent(e.getType(), k -> new LongAdder()).increment();
            return;
        }
        int i = indexOf(BURST, r.key());
        if (i < 0 || i >= burst) {
            // The max-rate traffic's shipments delivered after their promise raise it too: not a timer's.
            if (r.key().startsWith(MAX_RATE_PREFIX)) breachedMaxRateTraffic.incrementAndGet();
            else breachedElsewhere.incrementAndGet();
            return;
        }
        if (due != null && r.timestampMs() < due.toEpochMilli()) breachedEarly.incrementAndGet();
        if (breachedRecords.getAndIncrement(i) == 0) {
            breachedSeenMs.set(i, r.receivedMs());
            breachedTimestamp.set(i, r.timestampMs());
            breachedIds.set(i, e.getExceptionId());
            breachedSeenCount.incrementAndGet();
        } else if (!e.getExceptionId().equals(breachedIds.get(i))) {
            breachedIdsDiffering.incrementAndGet();
        }
    }

    @Override
    void scenario() throws Exception {
        burstStates = new AtomicReferenceArray<>(burst);
        atRiskFired = new AtomicIntegerArray(burst);
        stateSeenMs = new AtomicLongArray(burst);
        breachedRecords = new AtomicIntegerArray(burst);
        breachedSeenMs = new AtomicLongArray(burst);
        breachedTimestamp = new AtomicLongArray(burst);
        breachedIds = new AtomicReferenceArray<>(burst);
        try (TopicTail<ShipmentException> exceptions = new TopicTail<>(cluster.bootstrap(), WaybillTopic.SHIPMENT_EXCEPTIONS.topicName(),
                cluster.serdes().value(ShipmentException.class).deserializer(), this::onException)) {
            measure(exceptions);
        }
    }

    private void measure(TopicTail<ShipmentException> exceptions) throws Exception {
        Instant setupStart = Instant.now();
        List<Pair> pairs = europeanPairs(SeedNetwork.load().routingNetwork(), setupStart);
        Random random = new Random(seed);

        // ---- set-up: the scanned group and the background ---------------------------------------------
        // Enough scanned shipments for the windows and a burst fired at a modest 500/s (a tick fires thousands).
        double scansPerShipment = pairs.stream().mapToDouble(p -> 2.0 * p.legs().size() + 1).average().orElse(5);
        double scanSeconds = beforeSeconds + afterSeconds + 30 + burst / 500.0;
        int scanned = (int) Math.ceil(1.2 * scanRate * scanSeconds / scansPerShipment);
        Instant now = Instant.now();
        List<ShipmentEvent> bookings = new ArrayList<>(scanned + background);
        for (int i = 0; i < scanned; i++) {
            bookings.add(booking(id(SCANNED, i), pairs.get(i % pairs.size()), now, now.plus(Duration.ofMinutes(5 * 24 * 60 + random.nextInt(7 * 24 * 60)))));
        }
        for (int i = 0; i < background; i++) {
            bookings.add(booking(id(BACKGROUND, i), pairs.get((7 * i) % pairs.size()), now,
                    now.plus(Duration.ofMinutes(3 * 24 * 60 + random.nextInt(9 * 24 * 60)))));
        }
        double backgroundSeconds = feed(bookings, String.format("bookings: %,d to be scanned, %,d background", scanned, background));
        double bookingRate = bookings.size() / backgroundSeconds;

        // ---- set-up: the burst group, promised for T ----------------------------------------------------
        // T leaves time for the burst's bookings (1.25x the estimate), counting the pending timers and the window before T;
        // their SLA_AT_RISK timers fire in the ticks between the bookings. The first bookings after the max-rate phase run
        // slower than later ones (the booking path still warming up), so the estimate is the faster of their rate and the max rate.
        double burstRate = Double.isNaN(maxRate) ? bookingRate : Math.max(bookingRate, maxRate);
        double burstSetup = 1.25 * burst / burstRate + 10;
        due = Instant.now().plusMillis((long) (1000 * (burstSetup + beforeSeconds + 5))).truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                .plusSeconds(1);
        ClusterBench.progress(String.format("burst: %,d shipments promised at %s (in %.0f s)", burst, due,
                Duration.between(Instant.now(), due).toMillis() / 1000.0));
        now = Instant.now();
        bookings = new ArrayList<>(burst);
        for (int i = 0; i < burst; i++) bookings.add(booking(id(BURST, i), pairs.get((3 * i) % pairs.size()), now, due));
        double burstBookingSeconds = feed(bookings, "burst-group bookings");
        bookings = null;
        long bookedBeforeT = due.toEpochMilli() - System.currentTimeMillis();
        if (bookedBeforeT < 0) ClusterBench.progress("the burst group's bookings were processed only after T: the lateness below is not the timers'");
        // Their SLA_AT_RISK timers are due already: wait until every burst shipment's state says it fired.
        long measureFrom = due.toEpochMilli() - beforeSeconds * 1000L;
        Instant atRiskFrom = Instant.now();
        while (atRiskFiredCount.get() < burst && System.currentTimeMillis() < measureFrom - 5_000) {
            states.check();
            Thread.sleep(100);
        }
        double atRiskSeconds = ClusterBench.secondsSince(atRiskFrom);
        ClusterBench.progress(String.format("burst group's SLA_AT_RISK fired for %,d of %,d (%.1f s after their bookings were processed)",
                atRiskFiredCount.get(), burst, atRiskSeconds));
        int atRiskBeforeMeasurement = atRiskFiredCount.get();

        // ---- pending timers, through interactive queries -------------------------------------------------
        Instant countFrom = Instant.now();
        Pending pending = pending();
        String timerStore = timerStoreCount();
        ClusterBench.progress(String.format("pending timers: %,d in the states' timers maps (%s), timer store %s; %,d due at T (counted in %.1f s)",
                pending.total, pending.byName, timerStore, pending.dueAtT, ClusterBench.secondsSince(countFrom)));
        double setupSeconds = ClusterBench.secondsSince(setupStart);
        Map<String, List<RouteLeg>> plans = new TreeMap<>(scannedPlans);

        // ---- measurement ---------------------------------------------------------------------------------
        if (System.currentTimeMillis() > measureFrom) {
            ClusterBench.progress("the set-up took longer than planned: the window before T is shorter");
        }
        sleepUntil(measureFrom);
        long scansFrom = System.currentTimeMillis();
        measureFromMs = scansFrom;
        startScans(plans);
        ClusterBench.progress(String.format("scans at %,.0f/s for %d s before T, then until the last burst timer is seen, then %d s",
                scanRate, beforeSeconds, afterSeconds));
        long dueMs = due.toEpochMilli();
        long giveUp = dueMs + 60_000 + 1000L * burst / 25;
        boolean sampledAtT = false;
        while (breachedSeenCount.get() < burst && System.currentTimeMillis() < giveUp) {
            exceptions.check();
            states.check();
            if (!sampledAtT && System.currentTimeMillis() >= dueMs) {
                timeline.sample(); // a window boundary
                sampledAtT = true;
            }
            Thread.sleep(20);
        }
        timeline.sample();
        long lastSeen = 0;
        for (int i = 0; i < burst; i++) lastSeen = Math.max(lastSeen, breachedSeenMs.get(i));
        long burstEnd = breachedSeenCount.get() == burst ? lastSeen : System.currentTimeMillis();
        ClusterBench.progress(String.format("burst: %,d of %,d SLA_BREACHED seen, the last %.1f s after T", breachedSeenCount.get(), burst,
                (lastSeen - dueMs) / 1000.0));
        sleepUntil(burstEnd + afterSeconds * 1000L);
        long scansTo = System.currentTimeMillis();
        stopScans();
        timeline.sample();

        // ---- settle, then verify from the topics -----------------------------------------------------------
        cluster.awaitCommitted(ENGINE_APP, cluster.endOffsets(INPUT, cluster.partitionCount(INPUT)), Duration.ofMinutes(5));
        Thread.sleep(2_000); // the ticks after the last input (nothing should be due, but let them show)
        states.awaitCaughtUp(cluster.admin(), Duration.ofMinutes(2));
        exceptions.awaitCaughtUp(cluster.admin(), Duration.ofMinutes(2));
        Pending after = pending();

        long once = 0, never = 0, more = 0, stateProblems = 0;
        List<String> examples = new ArrayList<>();
        long[] lateSeen = new long[burst], lateStamp = new long[burst], lateState = new long[burst], commitDelay = new long[burst];
        int n = 0, nState = 0;
        for (int i = 0; i < burst; i++) {
            int records = breachedRecords.get(i);
            if (records == 1) once++;
            else if (records == 0) never++;
            else more++;
            if (records > 0) {
                lateSeen[n] = breachedSeenMs.get(i) - dueMs;
                lateStamp[n] = breachedTimestamp.get(i) - dueMs;
                commitDelay[n] = breachedSeenMs.get(i) - breachedTimestamp.get(i);
                n++;
            }
            if (stateSeenMs.get(i) > 0) lateState[nState++] = stateSeenMs.get(i) - dueMs;
            ShipmentState s = burstStates.get(i);
            String problem = s == null ? "no state on the state topic"
                    : !due.equals(s.getFiredTimers().get(ShipmentTimers.SLA_BREACHED)) ? "SLA_BREACHED not marked fired at T"
                    : s.getTimers().containsKey(ShipmentTimers.SLA_BREACHED) ? "SLA_BREACHED still pending"
                    : s.getSlaStatus() != SlaStatus.LATE ? "SLA status " + s.getSlaStatus() : null;
            if (problem != null) {
                stateProblems++;
                if (examples.size() < 5) examples.add(id(BURST, i) + ": " + problem);
            }
            if (records != 1 && examples.size() < 5) examples.add(id(BURST, i) + ": " + records + " SLA_BREACHED records");
        }
        lateSeen = sorted(lateSeen, n);
        lateStamp = sorted(lateStamp, n);
        commitDelay = sorted(commitDelay, n);
        lateState = sorted(lateState, nState);
        passed = bookedBeforeT > 0 && once == burst && never == 0 && more == 0 && breachedIdsDiffering.get() == 0 && breachedElsewhere.get() == 0
                && breachedEarly.get() == 0 && stateProblems == 0;

        // ---- the report ----------------------------------------------------------------------------------
        header("Timer burst on a real 3-broker cluster: SLA_BREACHED of many shipments due at one instant, with scans running",
                String.format("--burst %,d, --shipments %,d (background), scans %d s before T and %d s after the burst, seed %d%s", burst, background,
                        beforeSeconds, afterSeconds, seed, rateOption != null ? String.format(", --rate %,.0f", rateOption) : ""));
        line("");
        line("1. population (booked through the engine's input topic; pending timers counted just before the measurement)");
        line("   %,d shipments booked in %.1f s (%,.0f bookings/s): %,d to be scanned (promised 5-12 days out), %,d background (3-12 days out)",
                scanned + background, backgroundSeconds, bookingRate, scanned, background);
        line("   burst group: %,d shipments booked in %.1f s, all promised at T = %s; T was chosen %.0f s ahead (the booking and max rates),",
                burst, burstBookingSeconds, due, burstSetup + beforeSeconds + 5);
        line("   and the bookings were processed %.1f s before T%s", bookedBeforeT / 1000.0, bookedBeforeT < 0 ? " (AFTER T: this run's lateness is not valid)" : "");
        line("   their SLA_AT_RISK (due 4 h before the promise, so at booking) fired for %,d of %,d before the measurement (%.1f s after the",
                atRiskBeforeMeasurement, burst, atRiskSeconds);
        line("   bookings were processed); the ETA is days after T, so each burst shipment is LATE with an open SLA_AT_RISK from its booking on");
        line("   pending timers: %,d in the states' timers maps (interactive query of %s over %,d states): %s", pending.total,
                WaybillStores.SHIPMENT_STATE, pending.states, pending.byName);
        line("     %,d of them SLA_BREACHED due at T; %,d others due at or before T + 30 min; the engine's timer store (%s): %s",
                pending.dueAtT, pending.otherDueSoon, WaybillStores.TIMERS, timerStore);
        line("     (plus the %,d-event max-rate traffic's shipments, delivered, with their PURGE timers 30 days out)", maxRateEvents);
        line("   set-up took %.0f s, from the first booking to the pending count", setupSeconds);
        line("");
        line("2. the burst: lateness = when it became visible on its output topic (consumer wall clock) minus T");
        line("   SLA_BREACHED exceptions seen: %,d of %,d; the last %.2f s after T", breachedSeenCount.get(), burst, (lastSeen - dueMs) / 1000.0);
        line("   exception on %s: p50 %s, p99 %s, max %s (min %s)", WaybillTopic.SHIPMENT_EXCEPTIONS.topicName(), s(pct(lateSeen, 50)),
                s(pct(lateSeen, 99)), s(max(lateSeen)), s(min(lateSeen)));
        line("   state with SLA_BREACHED fired on %s: p50 %s, p99 %s, max %s (%,d seen)", WaybillTopic.SHIPMENT_STATE.topicName(),
                s(pct(lateState, 50)), s(pct(lateState, 99)), s(max(lateState)), nState);
        line("   the exception's record timestamp (the wall clock of the tick that fired it) minus T: p50 %s, p99 %s, max %s (min %s)",
                s(pct(lateStamp, 50)), s(pct(lateStamp, 99)), s(max(lateStamp)), s(min(lateStamp)));
        line("   from the tick to visible (commit of its transaction, the consumer's fetch): p50 %s, p99 %s, max %s",
                s(pct(commitDelay, 50)), s(pct(commitDelay, 99)), s(max(commitDelay)));
        long spanMs = Math.max(1, max(lateStamp) - Math.max(0, min(lateStamp)) + 1000);
        line("   fired per second (by tick time): %,.0f on average over %.0f s; per second from T (tick time): %s", 1000.0 * n / spanMs,
                spanMs / 1000.0, firedPerSecond(lateStamp));
        line("");
        line("3. exactly once (every SLA_BREACHED record on %s, read_committed, from the beginning)", WaybillTopic.SHIPMENT_EXCEPTIONS.topicName());
        line("   burst shipments with exactly one SLA_BREACHED raised: %,d of %,d; none: %,d; more than one: %,d (records with another exceptionId: %,d)",
                once, burst, never, more, breachedIdsDiffering.get());
        line("   SLA_BREACHED of the scenario's other shipments: %,d; of burst shipments stamped before T: %,d (of the max-rate traffic's shipments,",
                breachedElsewhere.get(), breachedEarly.get());
        line("   delivered after their promise: %,d)", breachedMaxRateTraffic.get());
        line("   burst states (latest on the state topic): %s", stateProblems == 0
                ? "every one has SLA_BREACHED fired at T, not pending, SLA status LATE" : stateProblems + " problem(s)");
        if (!examples.isEmpty()) line("   examples: %s", examples);
        line("   pending timers after the run: %,d (%s); %,d due at or before T + 30 min still pending", after.total, after.byName, after.otherDueSoon + after.dueAtT);
        line("   verdict: %s", passed ? "PASS" : "FAIL");
        line("");
        line("4. scans (%,.0f/s offered: arrivals and departures of %,d shipments along their plans) and CPU, by window of send time",
                scanRate, plans.size());
        ScanLoad.Window before = scans.window("before", scansFrom, dueMs);
        ScanLoad.Window during = scans.window("during", dueMs, burstEnd);
        ScanLoad.Window afterBurst = scans.window("after", burstEnd, scansTo);
        windows(before, during, afterBurst);
        line("   (during = from T until the last SLA_BREACHED was seen)%s", scans.ranOut() ? "; the scans ran out before the end" : "");
        line("   (a scan happens now, hours before its plan's time, so most re-time the plan: lane-load deltas and totals per scan)");
        if (!otherExceptions.isEmpty()) {
            Map<ExceptionType, Long> other = new EnumMap<>(ExceptionType.class);
            otherExceptions.forEach((k, v) -> other.put(k, v.sum()));
            line("   other exception records during the measurement (the scans' own): %s", other);
        }
        line("");
        line("5. timeline (seconds from T, by arrival; CPU as % of one core)");
        line("   %6s %7s %9s %8s %9s %8s %8s", "second", "scans", "answered", "breached", "states", "brokers", "engine");
        List<Timeline.Sample> samples = timeline.perSecond();
        for (int k = 1; k < samples.size(); k++) {
            Timeline.Sample a = samples.get(k - 1), b = samples.get(k);
            double sec = (b.wallMs() - dueMs) / 1000.0;
            if (b.wallMs() < dueMs - 3_000 || a.wallMs() > burstEnd + 3_000) continue;
            double dt = Math.max(0.001, (b.wallMs() - a.wallMs()) / 1000.0);
            line("   %+6.0f %,7d %,9d %,8d %,9d %7.0f%% %7.0f%%", sec, b.counts()[0] - a.counts()[0], b.counts()[1] - a.counts()[1],
                    b.counts()[2] - a.counts()[2], b.counts()[3] - a.counts()[3], 100 * (b.brokerCpu() - a.brokerCpu()) / dt,
                    100 * (b.streamCpu() - a.streamCpu()) / dt);
        }
        line("   (scans: sent; answered: their states seen; breached: SLA_BREACHED exceptions seen; states: burst states with it fired seen;");
        line("    engine: the stream thread's CPU)");
    }

    /** Pending timers from the states' timers maps (the contract's view of the timer store). */
    private record Pending(long states, long total, Map<String, Long> byName, long dueAtT, long otherDueSoon) {
    }

    private Pending pending() throws InterruptedException {
        ReadOnlyKeyValueStore<String, ShipmentState> store = store(WaybillStores.SHIPMENT_STATE);
        long states = 0, total = 0, dueAtT = 0, soon = 0;
        Map<String, Long> byName = new TreeMap<>();
        Instant horizon = due.plus(Duration.ofMinutes(30));
        try (KeyValueIterator<String, ShipmentState> it = store.all()) {
            while (it.hasNext()) {
                var kv = it.next();
                if (kv.value == null) continue;
                states++;
                for (Map.Entry<String, Instant> t : kv.value.getTimers().entrySet()) {
                    total++;
                    String name = t.getKey().startsWith(ShipmentTimers.ESCALATE) ? ShipmentTimers.ESCALATE + "*" : t.getKey();
                    byName.merge(name, 1L, Long::sum);
                    boolean burstBreach = t.getKey().equals(ShipmentTimers.SLA_BREACHED) && t.getValue().equals(due);
                    if (burstBreach) dueAtT++;
                    else if (!t.getValue().isAfter(horizon)) soon++;
                }
            }
        }
        return new Pending(states, total, byName, dueAtT, soon);
    }

    /** The entries of the engine's timer store (an unlogged index derived from the states), counted through interactive queries. */
    private String timerStoreCount() {
        try {
            ReadOnlyKeyValueStore<String, Object> store = store(WaybillStores.TIMERS);
            long n = 0;
            try (KeyValueIterator<String, Object> it = store.all()) {
                while (it.hasNext()) {
                    it.next();
                    n++;
                }
            }
            return String.format("%,d entries", n);
        } catch (Exception e) {
            return "not countable (" + e + ")";
        }
    }

    private String firedPerSecond(long[] sortedLateness) {
        Map<Long, Integer> perSecond = new TreeMap<>();
        for (long l : sortedLateness) perSecond.merge(Math.floorDiv(l, 1000), 1, Integer::sum);
        StringBuilder b = new StringBuilder();
        perSecond.forEach((sec, count) -> b.append(String.format("%+d: %,d; ", sec, count)));
        return b.length() == 0 ? "none" : b.substring(0, b.length() - 2);
    }

    static long[] sorted(long[] values, int n) {
        long[] s = Arrays.copyOf(values, n);
        Arrays.sort(s);
        return s;
    }

    static long pct(long[] sorted, double p) {
        if (sorted.length == 0) return 0;
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
    }

    static long max(long[] sorted) {
        return sorted.length == 0 ? 0 : sorted[sorted.length - 1];
    }

    static long min(long[] sorted) {
        return sorted.length == 0 ? 0 : sorted[0];
    }

    /** Milliseconds as seconds with two decimals. */
    static String s(long ms) {
        return String.format("%.2f s", ms / 1000.0);
    }
}
