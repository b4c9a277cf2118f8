package io.waybill.benchmarks;

import io.waybill.contract.ExceptionStatus;
import io.waybill.contract.ExceptionType;
import io.waybill.contract.RouteStatus;
import io.waybill.contract.ShipmentException;
import io.waybill.contract.ShipmentState;
import io.waybill.contract.SlaStatus;
import io.waybill.topology.TopologySettings;
import io.waybill.topology.catalogue.WaybillStores;
import io.waybill.topology.routing.RoutingNetwork;
import io.waybill.topology.routing.SeedNetwork;
import io.waybill.topology.routing.ShipmentRouter;
import io.waybill.topology.shipment.ShipmentIndex;
import io.waybill.topology.timer.ShipmentTimers;
import org.apache.kafka.streams.state.KeyValueStore;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * "With 1,000,000 pending timers, how late do due timers fire, and how much does event throughput
 * drop while a burst of 100,000 timers fires at once?"
 *
 * <p>Set-up, all through the engine (bookings piped as events, timers written by the processor):
 * <ol>
 *   <li>the burst group: shipments booked at the driver's start, all promised at the same instant
 *       {@code due} (40 h later), on routes that leave them ON_TIME at booking; their SLA_AT_RISK
 *       timers (4 h before the promise) are fired in the set-up, so what is left per shipment is
 *       DWELL (48 h after booking), SLA_BREACHED (at {@code due}) and the escalation of the open
 *       SLA_AT_RISK (4 h after {@code due});</li>
 *   <li>the background: shipments promised 5 to 12 days out, three timers each, enough to make the
 *       pending timers reach the target;</li>
 *   <li>the scanned group: shipments booked two hours before {@code due}, whose arrival and departure
 *       scans along their plans are the event stream of the measurement (three timers each as well).</li>
 * </ol>
 * Measurement: an emulated stream thread (see {@link EngineHarness}) from {@code due} minus warm-up and
 * baseline until the last burst timer fired plus a tail. Scans are always waiting; each is processed
 * at the engine's current time, the tick runs whenever the tick interval passed, the transaction
 * commits every commit interval, and the engine clock advances by the real time each of those took.
 */
public final class TimerBurstBenchmark {

    static final Instant START = Instant.parse("2026-11-02T06:00:00Z");
    static final Duration DUE_AFTER = Duration.ofHours(40);
    static final String BURST = "B", BACKGROUND = "G", SCANNED = "S";

    public record Options(int timers, int burst, int scanShipments, int timerBatch, int tickBudgetMs, int tickIntervalMs,
                          int commitIntervalMs, int warmupSeconds, int baselineSeconds, int tailSeconds, Path stateDir, Path out) {

        public static Options defaults() {
            return new Options(1_000_000, 100_000, 80_000, 5_000, 500, 1_000, 100, 20, 15, 5, null, null);
        }

        static Options parse(String[] args) {
            Options d = defaults();
            Report.Args a = new Report.Args(args, "timers", "burst", "scan-shipments", "timer-batch", "tick-budget-ms", "tick-interval-ms",
                    "commit-interval-ms", "warmup-s", "baseline-s", "tail-s", "state-dir", "out");
            return new Options(a.integer("timers", d.timers), a.integer("burst", d.burst), a.integer("scan-shipments", d.scanShipments),
                    a.integer("timer-batch", d.timerBatch), a.integer("tick-budget-ms", d.tickBudgetMs),
                    a.integer("tick-interval-ms", d.tickIntervalMs), a.integer("commit-interval-ms", d.commitIntervalMs),
                    a.integer("warmup-s", d.warmupSeconds), a.integer("baseline-s", d.baselineSeconds), a.integer("tail-s", d.tailSeconds),
                    a.path("state-dir"), a.path("out"));
        }
    }

    /** What a run found; {@link #ok()} when every due timer fired exactly once and the stores agree. */
    public record Result(long pendingTimers, long dueInBurst, int burst, long firedOnce, long firedMoreThanOnce, long neverFired,
                         long unattributed, long storeProblems, long latenessP50Nanos, long latenessP99Nanos, long latenessMaxNanos,
                         long longestTickNanos, double baselineEventsPerSecond, double burstEventsPerSecond, long eventsProcessed,
                         String summary) {
        public boolean ok() {
            return dueInBurst == burst && firedOnce == burst && firedMoreThanOnce == 0 && neverFired == 0 && unattributed == 0
                    && storeProblems == 0;
        }
    }

    private TimerBurstBenchmark() {
    }

    public static void main(String[] args) {
        Result result = run(Options.parse(args));
        System.exit(result.ok() ? 0 : 1);
    }

    /** One measured interval of engine time. */
    private static final class Window {
        long events, eventNanos, eventCpuNanos, tickNanos, tickCpuNanos, ticks, commitNanos, commits, fedBack, fedBackNanos;
        long maxTickNanos, maxCommitNanos;
        final List<Long> eventSamples = new ArrayList<>();
    }

    public static Result run(Options o) {
        String machineAtStart = Report.machine();
        long wallStart = System.nanoTime();
        Instant due = START.plus(DUE_AFTER);
        TopologySettings defaults = TopologySettings.DEFAULTS;
        TopologySettings settings = new TopologySettings(defaults.dedupeWindow(), Duration.ofMillis(o.tickIntervalMs()), o.timerBatch(),
                defaults.rerouteBatch(), Duration.ofMillis(o.tickBudgetMs()));
        Report report = new Report();
        try (EngineHarness engine = new EngineHarness(settings, START, o.stateDir(), Duration.ofMillis(o.commitIntervalMs()))) {
            System.out.printf("timer burst: %,d pending timers, %,d due at once; state in %s%n", o.timers(), o.burst(), engine.stateDir());
            SeedNetwork network = SeedNetwork.load();
            engine.publish(network);
            RoutingNetwork routing = network.routingNetwork();

            // ---- set-up -------------------------------------------------------------------------------
            engine.keepExceptions(false);
            Instant bookedAt = START.minusSeconds(60);
            List<Shipments.Pair> pairs = Shipments.europeanPairs(routing, bookedAt);
            Duration margin = Duration.ofHours(4).plus(ShipmentRouter.LAST_MILE).plusHours(1); // ON_TIME at booking, with an hour to spare
            List<Shipments.Pair> onTime = pairs.stream().filter(p -> !p.arrival().plus(margin).isAfter(due)).toList();
            if (onTime.isEmpty()) throw new IllegalStateException("no depot pair arrives early enough for the burst group");
            long setupStart = System.nanoTime();
            engine.pipe(Shipments.generate(o.burst(), i -> Shipments.booking(id(BURST, i), onTime.get(i % onTime.size()), bookedAt, due)),
                    "burst-group bookings", o.burst());
            int background = (int) Math.max(0, (o.timers() - 3L * o.burst() - 3L * o.scanShipments() + 2) / 3);
            Random random = new Random(7);
            engine.pipe(Shipments.generate(background, i -> Shipments.booking(id(BACKGROUND, i), pairs.get(i % pairs.size()), bookedAt,
                    START.plus(Duration.ofDays(5)).plus(Duration.ofMinutes(random.nextInt(7 * 24 * 60))))), "background bookings", background);

            // The burst group's SLA_AT_RISK (4 h before the promise) fires here, tick after tick.
            engine.advanceTo(due.minus(Duration.ofHours(4)));
            int setupTicks = 1;
            long setupMaxTick = 0;
            while (dueTimers(engine, engine.now()) > 0) {
                EngineHarness.Punctuation p = engine.advanceTo(engine.nextTick());
                setupTicks++;
                if (p != null) setupMaxTick = Math.max(setupMaxTick, p.nanos());
            }
            System.out.printf("  burst group's SLA_AT_RISK fired in %d ticks (longest %s)%n", setupTicks, Report.ms(setupMaxTick));

            // The scanned group, booked two hours before the burst.
            engine.advanceTo(due.minus(Duration.ofHours(2)));
            Instant scanBookedAt = engine.now().minusSeconds(60);
            List<Shipments.Pair> scanPairs = Shipments.europeanPairs(routing, scanBookedAt);
            engine.pipe(Shipments.generate(o.scanShipments(), i -> Shipments.booking(id(SCANNED, i), scanPairs.get(i % scanPairs.size()),
                    scanBookedAt, scanBookedAt.plus(Duration.ofDays(5)).plus(Duration.ofMinutes(random.nextInt(7 * 24 * 60))))),
                    "scanned-group bookings", o.scanShipments());
            KeyValueStore<String, ShipmentState> states = engine.store(WaybillStores.SHIPMENT_STATE);
            Shipments.Journeys journeys = new Shipments.Journeys();
            for (int i = 0; i < o.scanShipments(); i++) {
                ShipmentState s = states.get(id(SCANNED, i));
                if (s != null && s.getRouteStatus() == RouteStatus.PLANNED && !s.getRoutePlan().getLegs().isEmpty()) {
                    journeys.add(s.getShipmentId(), s.getRoutePlan().getLegs());
                }
            }
            long setupNanos = System.nanoTime() - setupStart;

            Instant measureFrom = due.minusSeconds(o.warmupSeconds() + o.baselineSeconds());
            engine.advanceTo(measureFrom);
            long pending = engine.count(WaybillStores.TIMERS);
            long dueInBurst = dueTimers(engine, due);
            long shipments = engine.count(WaybillStores.SHIPMENT_STATE);
            long noRoute = engine.countIndex(ShipmentIndex.routeStatusPrefix(RouteStatus.NO_ROUTE.name()));
            long stateBytes = engine.stateBytes();
            System.out.printf("  set-up done in %s: %,d shipments, %,d pending timers, %,d due at %s; %,d scans to send%n",
                    Report.s(setupNanos), shipments, pending, dueInBurst, due, journeys.total());

            // ---- measurement ------------------------------------------------------------------------------
            engine.keepExceptions(true);
            long commitsBefore = engine.commits();
            long gcBefore = Report.gcMillis();
            long dueMs = due.toEpochMilli();
            long baselineFrom = dueMs - o.baselineSeconds() * 1000L;
            long deadline = dueMs + Duration.ofMinutes(30).toMillis();
            Map<Long, EngineHarness.Punctuation> ticks = new TreeMap<>();
            Map<Long, Integer> firedPerTick = new TreeMap<>();
            Map<Long, long[]> perSecond = new TreeMap<>(); // scans, scan ns, tick ns, commit ns, fired, fed-back records, their ns
            List<long[]> eventLog = new ArrayList<>(); // [engine ms at start, nanos]
            List<long[]> fedBackLog = new ArrayList<>();
            List<long[]> commitLog = new ArrayList<>();
            int[] fired = new int[o.burst()];
            long[] lateness = new long[o.burst()];
            long distinct = 0, unattributed = 0;
            Map<ExceptionType, Integer> otherExceptions = new EnumMap<>(ExceptionType.class);
            long burstEndMs = Long.MAX_VALUE;
            long stopAt = Long.MAX_VALUE;
            boolean dry = false;
            System.out.printf("  measuring from %s (warm-up %d s, baseline %d s before the burst)%n", measureFrom, o.warmupSeconds(),
                    o.baselineSeconds());
            while (true) {
                long nowMs = engine.now().toEpochMilli();
                if (nowMs >= stopAt || nowMs >= deadline) break;
                if (engine.hasQueued()) {
                    // what the last commit fed back into the task: lane-load deltas for the aggregator
                    long ns = engine.processOne(true);
                    fedBackLog.add(new long[]{nowMs, ns});
                    long[] sec = perSecond.computeIfAbsent(Math.floorDiv(nowMs - dueMs, 1000), k -> new long[7]);
                    sec[5]++;
                    sec[6] += ns;
                } else if (journeys.hasNext()) {
                    engine.enqueue(journeys.next(engine.now()));
                    long ns = engine.processOne(true);
                    eventLog.add(new long[]{nowMs, ns, engine.lastCpuNanos()});
                    long[] sec = perSecond.computeIfAbsent(Math.floorDiv(nowMs - dueMs, 1000), k -> new long[7]);
                    sec[0]++;
                    sec[1] += ns;
                } else {
                    dry = true;
                    engine.idleUntil(engine.nextTick());
                }
                EngineHarness.Punctuation tick = engine.punctuateIfDue(true);
                if (tick != null) {
                    ticks.put(tick.at().toEpochMilli(), tick);
                    perSecond.computeIfAbsent(Math.floorDiv(tick.at().toEpochMilli() - dueMs, 1000), k -> new long[7])[2] += tick.nanos();
                }
                long commitAt = engine.now().toEpochMilli();
                long commit = engine.commitIfDue(true);
                if (commit < 0) continue;
                commitLog.add(new long[]{commitAt, commit});
                perSecond.computeIfAbsent(Math.floorDiv(commitAt - dueMs, 1000), k -> new long[7])[3] += commit;
                for (ShipmentException e : engine.readExceptions()) {
                    if (e.getType() != ExceptionType.SLA_BREACHED || !e.getShipmentId().startsWith(BURST)) {
                        otherExceptions.merge(e.getType(), 1, Integer::sum);
                        continue;
                    }
                    int i = Integer.parseInt(e.getShipmentId().substring(BURST.length()));
                    EngineHarness.Punctuation by = ticks.get(e.getDetectedAt().toEpochMilli());
                    if (by == null) {
                        unattributed++;
                        continue;
                    }
                    if (fired[i]++ > 0) continue;
                    distinct++;
                    lateness[i] = Duration.between(due, by.end()).toNanos();
                    firedPerTick.merge(by.at().toEpochMilli(), 1, Integer::sum);
                    perSecond.computeIfAbsent(Math.floorDiv(by.at().toEpochMilli() - dueMs, 1000), k -> new long[7])[4]++;
                    if (distinct == o.burst()) {
                        burstEndMs = by.end().toEpochMilli();
                        stopAt = burstEndMs + o.tailSeconds() * 1000L;
                    }
                }
            }
            long gcDuring = Report.gcMillis() - gcBefore;
            long commitsDuring = engine.commits() - commitsBefore;
            String machineAtEnd = Report.machine();

            // ---- verification from the stores ---------------------------------------------------------
            KeyValueStore<String, ShipmentException> exceptionStore = engine.store(WaybillStores.SHIPMENT_EXCEPTIONS);
            long storeProblems = 0;
            List<String> problemExamples = new ArrayList<>();
            for (int i = 0; i < o.burst(); i++) {
                String id = id(BURST, i);
                ShipmentState s = states.get(id);
                ShipmentException e = exceptionStore.get(id + "|" + ExceptionType.SLA_BREACHED);
                String problem = s == null ? "no state"
                        : !due.equals(s.getFiredTimers().get(ShipmentTimers.SLA_BREACHED)) ? "SLA_BREACHED not marked fired"
                        : s.getTimers().containsKey(ShipmentTimers.SLA_BREACHED) ? "SLA_BREACHED still pending"
                        : s.getSlaStatus() != SlaStatus.LATE ? "SLA status " + s.getSlaStatus()
                        : e == null || e.getStatus() != ExceptionStatus.OPEN ? "no open SLA_BREACHED exception" : null;
                if (problem != null) {
                    storeProblems++;
                    if (problemExamples.size() < 5) problemExamples.add(id + ": " + problem);
                }
            }
            long stillDue = dueTimers(engine, due);
            if (stillDue > 0) {
                storeProblems += stillDue;
                problemExamples.add(stillDue + " timer(s) due at or before " + due + " still in the timer store");
            }
            long pendingAfter = engine.count(WaybillStores.TIMERS);

            // ---- the numbers ---------------------------------------------------------------------------------
            long firedOnce = Arrays.stream(fired).filter(f -> f == 1).count();
            long firedMore = Arrays.stream(fired).filter(f -> f > 1).count();
            long never = Arrays.stream(fired).filter(f -> f == 0).count();
            long[] late = Report.sorted(distinct == o.burst() ? lateness
                    : java.util.stream.IntStream.range(0, o.burst()).filter(i -> fired[i] > 0).mapToLong(i -> lateness[i]).toArray());
            Window baseline = window(eventLog, fedBackLog, commitLog, ticks, baselineFrom, dueMs);
            long burstTo = burstEndMs == Long.MAX_VALUE ? engine.now().toEpochMilli() : burstEndMs;
            Window burstWindow = window(eventLog, fedBackLog, commitLog, ticks, dueMs, burstTo);
            double baselineSeconds = (dueMs - baselineFrom) / 1000.0;
            double burstSeconds = Math.max(1, burstTo - dueMs) / 1000.0;
            double baselineRate = baseline.events / baselineSeconds;
            double burstRate = burstWindow.events / burstSeconds;
            List<EngineHarness.Punctuation> burstTicks = ticks.values().stream()
                    .filter(t -> firedPerTick.containsKey(t.at().toEpochMilli())).toList();
            long[] burstTickNanos = Report.sorted(burstTicks.stream().mapToLong(EngineHarness.Punctuation::nanos).toArray());
            long[] baselineTickNanos = Report.sorted(ticks.values().stream()
                    .filter(t -> t.at().toEpochMilli() >= baselineFrom && t.at().toEpochMilli() < dueMs)
                    .mapToLong(EngineHarness.Punctuation::nanos).toArray());
            long tailFrom = burstTo;
            long[] tailTickNanos = Report.sorted(ticks.values().stream().filter(t -> t.at().toEpochMilli() >= tailFrom)
                    .mapToLong(EngineHarness.Punctuation::nanos).toArray());
            EngineHarness.Punctuation longest = ticks.values().stream().max(java.util.Comparator.comparingLong(EngineHarness.Punctuation::nanos))
                    .orElse(null);
            int[] perTick = firedPerTick.values().stream().mapToInt(Integer::intValue).toArray();

            report.line("timer burst, %s", Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
            report.line("machine at start: %s", machineAtStart);
            report.line("machine at end:   %s", machineAtEnd);
            report.line("engine: WaybillTopology.build in a TopologyTestDriver: ONE task, in-process, real RocksDB stores (state dir %s),",
                    engine.stateDir());
            report.line("        exactly_once_v2, changelogs to the driver's mock producer, NO broker. The numbers are the processor's own");
            report.line("        cost (with RocksDB and a commit every %d ms of engine time), not end-to-end latency.", o.commitIntervalMs());
            report.line("settings: tick interval %d ms, timer batch %,d, tick budget %d ms (TopologySettings.DEFAULTS: 1000 ms, 5,000, 500 ms)",
                    o.tickIntervalMs(), o.timerBatch(), o.tickBudgetMs());
            report.line("clock: the engine's wall clock advances by the real time spent processing (scans, ticks, commits), and scans are");
            report.line("       always waiting, so a second of engine time is a second of a busy stream thread.");
            report.line();
            report.line("population (all booked through the engine): %,d shipments; %,d pending timers at the start of the measurement,",
                    shipments, pending);
            report.line("  %,d of them due at the same instant %s (SLA_BREACHED of %,d shipments promised then);", dueInBurst, due, o.burst());
            report.line("  background: %,d shipments promised 5-12 days out; scanned group: %,d shipments (%,d scans available);",
                    background, journeys.shipments(), journeys.total());
            report.line("  all booked at the same minute, so lane capacity pushes later plans to later days; without a route: %,d", noRoute);
            report.line("  set-up took %s (bookings, then %d ticks firing the burst group's SLA_AT_RISK, longest %s); state on disk %,d MiB",
                    Report.s(setupNanos), setupTicks, Report.ms(setupMaxTick), stateBytes >> 20);
            report.line();
            report.line("timers due at %s:", due);
            report.line("  fired exactly once: %,d of %,d; more than once: %,d; never: %,d; not attributable to a tick: %,d", firedOnce,
                    o.burst(), firedMore, never, unattributed);
            if (!burstTicks.isEmpty()) {
                report.line("  fired in %d ticks, %,d to %,d per tick (mean %,.0f); the last one ended %s after due",
                        burstTicks.size(), Arrays.stream(perTick).min().orElse(0), Arrays.stream(perTick).max().orElse(0),
                        Arrays.stream(perTick).average().orElse(0), Report.s(burstTo - dueMs < 0 ? 0 : (burstTo - dueMs) * 1_000_000L));
            }
            report.line("  lateness (engine time at the end of the tick that fired it, minus due): p50 %s, p99 %s, max %s (min %s)",
                    Report.s(Report.percentile(late, 50)), Report.s(Report.percentile(late, 99)),
                    Report.s(late.length == 0 ? 0 : late[late.length - 1]), Report.s(late.length == 0 ? 0 : late[0]));
            report.line("  ticks that fired burst timers: p50 %s, max %s; CPU time of the thread in them %s of %s real",
                    Report.ms(Report.percentile(burstTickNanos, 50)), Report.ms(Report.percentile(burstTickNanos, 100)),
                    Report.s(burstTicks.stream().mapToLong(EngineHarness.Punctuation::cpuNanos).sum()),
                    Report.s(burstTicks.stream().mapToLong(EngineHarness.Punctuation::nanos).sum()));
            report.line("  (a tick is a stall: nothing else runs on the stream thread meanwhile; the budget is checked between timers)");
            report.line("  ticks in the baseline (nothing due): p50 %s, max %s; after the burst (nothing due, the fired timers' deletions",
                    Report.ms(Report.percentile(baselineTickNanos, 50)), Report.ms(Report.percentile(baselineTickNanos, 100)));
            report.line("  still at the head of the timer store): p50 %s, max %s (%d ticks)", Report.ms(Report.percentile(tailTickNanos, 50)),
                    Report.ms(Report.percentile(tailTickNanos, 100)), tailTickNanos.length);
            if (longest != null) {
                report.line("  longest tick of the measurement: %s (CPU %s) at due%+.1f s", Report.ms(longest.nanos()), Report.ms(longest.cpuNanos()),
                        (longest.at().toEpochMilli() - dueMs) / 1000.0);
            }
            report.line();
            report.line("events (arrival and departure scans of the scanned group, always waiting):");
            describe(report, "baseline", baselineSeconds, baseline, null);
            describe(report, "burst", burstSeconds, burstWindow, baselineRate);
            report.line("  commits during the measurement: %,d; GC time %,d ms; scans sent %,d%s", commitsDuring, gcDuring, eventLog.size(),
                    dry ? " (the scans ran out: the thread idled between ticks for part of the run)" : "");
            if (!otherExceptions.isEmpty()) report.line("  other exceptions raised meanwhile (by the scans): %s", otherExceptions);
            report.line();
            report.line("timeline (engine time from due; ms of thread time per second):");
            report.line("  %8s %8s %10s %9s %10s %7s %12s", "second", "scans", "scans ms", "tick ms", "commit ms", "fired", "deltas ms");
            long lastSecond = Math.floorDiv(burstTo - dueMs, 1000) + 2;
            perSecond.forEach((sec, v) -> {
                if (sec >= -3 && sec <= lastSecond) {
                    report.line("  %+8d %,8d %10.1f %9.1f %10.1f %,7d %12.1f", sec, v[0], v[1] / 1e6, v[2] / 1e6, v[3] / 1e6, v[4], v[6] / 1e6);
                }
            });
            report.line();
            report.line("verification from the stores: %s; pending timers after the run: %,d", storeProblems == 0
                    ? "every burst shipment has SLA_BREACHED marked fired at due, not pending, SLA LATE and an OPEN SLA_BREACHED exception;"
                    + " no timer due at or before due is left" : storeProblems + " problem(s): " + problemExamples, pendingAfter);
            report.line("run took %s of real time", Report.s(System.nanoTime() - wallStart));
            report.emit(o.out());

            return new Result(pending, dueInBurst, o.burst(), firedOnce, firedMore, never, unattributed, storeProblems,
                    Report.percentile(late, 50), Report.percentile(late, 99), late.length == 0 ? 0 : late[late.length - 1],
                    longest == null ? 0 : longest.nanos(), baselineRate, burstRate, eventLog.size(), report.toString());
        }
    }

    private static void describe(Report report, String name, double seconds, Window w, Double baselineRate) {
        double rate = w.events / seconds;
        long[] samples = Report.sorted(w.eventSamples.stream().mapToLong(Long::longValue).toArray());
        double busy = w.eventNanos + w.fedBackNanos + w.tickNanos + w.commitNanos;
        report.line("  %-8s %5.1f s of engine time: %,8.0f scans/s%s; per scan p50 %,.0f us, p99 %,.0f us (mean CPU %,.0f us);",
                name, seconds, rate, baselineRate == null || baselineRate == 0 ? ""
                        : String.format(" (%+.0f%% against the baseline)", 100 * (rate / baselineRate - 1)),
                Report.percentile(samples, 50) / 1e3, Report.percentile(samples, 99) / 1e3,
                w.events == 0 ? 0 : w.eventCpuNanos / 1e3 / w.events);
        report.line("  %8s thread time: scans %.0f%%, lane-load deltas %.0f%% (%,d), ticks %.0f%% (%d, max %s), commits %.0f%% (%d, max %s);",
                "", 100 * w.eventNanos / busy, 100 * w.fedBackNanos / busy, w.fedBack, 100 * w.tickNanos / busy, w.ticks,
                Report.ms(w.maxTickNanos), 100 * w.commitNanos / busy, w.commits, Report.ms(w.maxCommitNanos));
        report.line("  %8s scans per second of scan-processing time alone: %,.0f", "", w.eventNanos == 0 ? 0 : w.events / (w.eventNanos / 1e9));
    }

    private static Window window(List<long[]> events, List<long[]> fedBack, List<long[]> commits, Map<Long, EngineHarness.Punctuation> ticks,
                                 long fromMs, long toMs) {
        Window w = new Window();
        for (long[] e : fedBack) {
            if (e[0] >= fromMs && e[0] < toMs) {
                w.fedBack++;
                w.fedBackNanos += e[1];
            }
        }
        for (long[] e : events) {
            if (e[0] >= fromMs && e[0] < toMs) {
                w.events++;
                w.eventNanos += e[1];
                w.eventCpuNanos += e[2];
                w.eventSamples.add(e[1]);
            }
        }
        for (long[] c : commits) {
            if (c[0] >= fromMs && c[0] < toMs) {
                w.commits++;
                w.commitNanos += c[1];
                w.maxCommitNanos = Math.max(w.maxCommitNanos, c[1]);
            }
        }
        for (EngineHarness.Punctuation t : ticks.values()) {
            long at = t.at().toEpochMilli();
            if (at >= fromMs && at < toMs) {
                w.ticks++;
                w.tickNanos += t.nanos();
                w.tickCpuNanos += t.cpuNanos();
                w.maxTickNanos = Math.max(w.maxTickNanos, t.nanos());
            }
        }
        return w;
    }

    /** Timers in the store due at or before {@code at}. */
    static long dueTimers(EngineHarness engine, Instant at) {
        KeyValueStore<String, String> timers = engine.store(WaybillStores.TIMERS);
        long n = 0;
        try (var it = timers.range("", ShipmentTimers.dueUpTo(at))) {
            while (it.hasNext()) {
                it.next();
                n++;
            }
        }
        return n;
    }

    static String id(String group, int i) {
        return group + String.format("%07d", i);
    }
}
