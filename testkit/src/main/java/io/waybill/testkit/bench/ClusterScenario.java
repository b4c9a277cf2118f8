package io.waybill.testkit.bench;

import io.waybill.contract.Facility;
import io.waybill.contract.FacilityType;
import io.waybill.contract.RouteLeg;
import io.waybill.contract.ServiceLevel;
import io.waybill.contract.ShipmentCreated;
import io.waybill.contract.ShipmentEvent;
import io.waybill.contract.ShipmentState;
import io.waybill.contract.WaybillTopic;
import io.waybill.testkit.RepoLayout;
import io.waybill.topology.TopologySettings;
import io.waybill.topology.WaybillTopology;
import io.waybill.topology.routing.RoutePlanner;
import io.waybill.topology.routing.RouteRequest;
import io.waybill.topology.routing.RouteResult;
import io.waybill.topology.routing.RoutingNetwork;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The frame of a scenario run on a real cluster ({@link TimerBurstOnCluster}, {@link HubClosureOnCluster}):
 * the cluster ({@link ClusterBench}), the engine topology in this JVM with the engine's production Streams
 * settings (as {@link EngineThroughput} runs it), its max rate measured first on realistic traffic
 * ({@link Traffic}) so that the scenario's scan load can run at half of it, a tail of the state topic
 * that the scan load's latency is matched on, a once-a-second {@link Timeline}, a watchdog, and the
 * report's header. Subclasses set up, measure and report their scenario in {@link #scenario()}.
 */
abstract class ClusterScenario {

    static final String ENGINE_APP = "waybill-bench-engine";
    static final long COMMIT_INTERVAL_MS = 100;
    static final String INPUT = WaybillTopic.SHIPMENT_EVENTS.topicName();
    static final String MAX_RATE_PREFIX = "M";

    final String label;
    final boolean quick;
    /** --rate: the scan load's rate, events/s (null: half the max rate measured first). */
    Double rateOption;
    Path out;
    long seed = 42;

    ClusterBench cluster;
    Serializer<ShipmentEvent> events;
    List<KafkaStreams> engine;
    TopicTail<ShipmentState> states;
    volatile ScanLoad scans;
    Timeline timeline;
    double maxRate = Double.NaN;
    double scanRate;
    private String maxRateLine;
    /** Set by the scenario: whether its verification passed. */
    boolean passed;
    private final StringBuilder report = new StringBuilder();
    private final Instant began = Instant.now();
    private final String loadAtStart = ClusterBench.loadAverage();
    private int inputPartitions;

    ClusterScenario(String label, boolean quick) {
        this.label = label;
        this.quick = quick;
    }

    /** Sets up, measures and reports (into {@link #line}); the cluster and the engine are up. */
    abstract void scenario() throws Exception;

    /** A state-topic record (every record, from the beginning of the topic). */
    abstract void onState(TopicTail.Seen<ShipmentState> record);

    /** The scenario's own cumulative counts for the timeline, after scans sent and answered. */
    abstract long[] counts();

    /** Events of realistic traffic for the max-rate phase. */
    abstract long maxRateEvents();

    /** A hard limit on the whole run: past it the JVM exits and the shutdown hook stops the cluster. */
    abstract Duration hardLimit();

    /** Runs everything; returns the exit code (0 when the scenario's checks passed). */
    final int run() {
        ClusterBench.quietLogs();
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(hardLimit().toMillis());
            } catch (InterruptedException e) {
                return;
            }
            // System.exit runs ClusterBench's shutdown hook, which stops the cluster.
            ClusterBench.progress("watchdog: the run passed " + hardLimit() + "; stopping");
            System.exit(3);
        }, "watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        boolean ok = false;
        try (ClusterBench c = ClusterBench.start()) {
            cluster = c;
            try {
                events = cluster.serdes().value(ShipmentEvent.class).serializer();
                inputPartitions = cluster.partitionCount(INPUT);
                startEngine();
                // Every state-topic record goes to the scan load (latency) and to the scenario.
                states = new TopicTail<>(cluster.bootstrap(), WaybillTopic.SHIPMENT_STATE.topicName(),
                        cluster.serdes().value(ShipmentState.class).deserializer(), r -> {
                            ScanLoad load = scans;
                            if (load != null) load.onState(r.value(), r);
                            onState(r);
                        });
                scenario();
                ok = passed;
            } finally {
                if (timeline != null) timeline.close();
                if (scans != null) scans.stop();
                if (states != null) states.close();
                if (engine != null) ClusterBench.closeAll(engine);
            }
        } catch (Throwable t) {
            t.printStackTrace();
            System.out.println();
            System.out.print(report);
            System.out.println("\nFAILED: " + t + " (no report written)");
            return 1;
        } finally {
            watchdog.interrupt();
        }
        try {
            Files.createDirectories(out.toAbsolutePath().getParent());
            Files.writeString(out, report);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        System.out.println();
        System.out.print(report);
        System.out.println("\nreport: " + out);
        return ok ? 0 : 1;
    }

    /**
     * Starts the engine. Unless --rate is given, realistic traffic ({@link Traffic}: journeys along the engine's
     * own plans) is produced first and processed from RUNNING until every offset is committed; the max rate is
     * that of the second half (the first warms the engine and the just-started brokers up), the scan load runs
     * at half of it.
     */
    private void startEngine() throws Exception {
        engine = cluster.apps(ENGINE_APP, 1, i -> WaybillTopology.build(cluster.serdes()),
                cluster.engineProps(ENGINE_APP, 1, COMMIT_INTERVAL_MS));
        if (rateOption != null) {
            engine.forEach(KafkaStreams::start);
            ClusterBench.awaitRunning(engine, Duration.ofMinutes(3));
            scanRate = rateOption;
            maxRateLine = String.format("scan load: %,.0f events/s (--rate; the max rate was not measured)", scanRate);
            return;
        }
        Traffic traffic = new Traffic(seed, MAX_RATE_PREFIX + seed + "-", Instant.now().plusSeconds(60), Duration.ofMillis(100), 1000);
        List<ShipmentEvent> journeys = traffic.generate(maxRateEvents());
        cluster.produce(journeys, events);
        Map<TopicPartition, Long> end = cluster.endOffsets(INPUT, inputPartitions);
        Instant started = Instant.now();
        engine.forEach(KafkaStreams::start);
        ClusterBench.awaitRunning(engine, Duration.ofMinutes(3));
        double startup = ClusterBench.secondsSince(started);
        ClusterBench.progress(String.format("engine RUNNING after %.1f s; max rate: processing %,d events", startup, journeys.size()));
        double broker0 = cluster.brokerCpuSeconds();
        double jvm0 = ClusterBench.processCpuSeconds();
        long t0 = System.nanoTime();
        // The first half warms the engine and the just-started brokers up (JIT): the rate is the second half's.
        long total = end.values().stream().mapToLong(Long::longValue).sum();
        long halfAt = -1, committedAtHalf = 0;
        long deadline = t0 + Duration.ofMinutes(15).toNanos();
        while (true) {
            long committed = cluster.admin().listConsumerGroupOffsets(ENGINE_APP).partitionsToOffsetAndMetadata().get().entrySet().stream()
                    .filter(e -> e.getKey().topic().equals(INPUT) && e.getValue() != null).mapToLong(e -> e.getValue().offset()).sum();
            long now = System.nanoTime();
            if (halfAt < 0 && committed >= total / 2) {
                halfAt = now;
                committedAtHalf = committed;
            }
            if (committed >= total) break;
            if (now > deadline) throw new IllegalStateException("the engine did not process the max-rate traffic in 15 minutes");
            Thread.sleep(100);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        double secondHalf = (System.nanoTime() - halfAt) / 1e9;
        maxRate = (total - committedAtHalf) / Math.max(0.1, secondHalf);
        scanRate = maxRate / 2;
        maxRateLine = String.format("max rate (first, on realistic journeys of %,d shipments, as scripts/benchmark engine): %,d events in %.1f s "
                        + "(%,.0f/s; start to RUNNING %.1f s), the second half at %,.0f events/s, the max rate taken (the first half warms the engine%n"
                        + "  and the just-started brokers up); brokers %.2f, benchmark JVM %.2f CPU s per 1,000 events; scan load at 50 %%: %,.0f/s",
                traffic.mix.shipments, journeys.size(), seconds, journeys.size() / seconds, startup, maxRate,
                1000 * (cluster.brokerCpuSeconds() - broker0) / journeys.size(), 1000 * (ClusterBench.processCpuSeconds() - jvm0) / journeys.size(),
                scanRate);
        ClusterBench.progress(String.format("engine max rate %,.0f events/s (the whole phase %,.0f/s); the scan load will run at %,.0f/s",
                maxRate, journeys.size() / seconds, scanRate));
    }

    // ---- what scenarios share ------------------------------------------------------------------------

    /** Produces the events and waits until the engine committed them and the state tail read what it wrote; returns the seconds. */
    double feed(List<ShipmentEvent> batch, String what) throws Exception {
        Instant t = Instant.now();
        cluster.produce(batch, events);
        cluster.awaitCommitted(ENGINE_APP, cluster.endOffsets(INPUT, inputPartitions), Duration.ofMinutes(30));
        states.awaitCaughtUp(cluster.admin(), Duration.ofMinutes(2));
        double seconds = ClusterBench.secondsSince(t);
        ClusterBench.progress(String.format("%s: %,d events processed in %.1f s (%,.0f/s)", what, batch.size(), seconds, batch.size() / seconds));
        return seconds;
    }

    /** Starts the scan load on the given plans and the timeline. */
    void startScans(Map<String, List<RouteLeg>> plans) {
        scans = new ScanLoad(cluster.bootstrap(), cluster.serdes().value(ShipmentEvent.class).serializer(), ScanLoad.ordered(plans), scanRate);
        timeline = new Timeline(cluster::brokerCpuSeconds, () -> {
            long[] own = counts();
            long[] all = new long[own.length + 2];
            all[0] = scans.sent();
            all[1] = scans.matched();
            System.arraycopy(own, 0, all, 2, own.length);
            return all;
        }, () -> Metrics.streams(engine));
        scans.start();
    }

    /** Stops the scan load and waits (at most 30 s) until its last scans are answered or the state topic is quiet for 3 s. */
    void stopScans() throws Exception {
        scans.stop();
        long deadline = System.nanoTime() + 30_000_000_000L;
        long last = states.records();
        long quietSince = System.nanoTime();
        while (System.nanoTime() < deadline && scans.matched() < scans.sent()) {
            Thread.sleep(200);
            long now = states.records();
            if (now != last) {
                last = now;
                quietSince = System.nanoTime();
            } else if (System.nanoTime() - quietSince > 3_000_000_000L) {
                break;
            }
        }
    }

    /** The windows' lines: scans sent per second, answered, event → state latency, CPU. */
    void windows(ScanLoad.Window... ws) {
        for (ScanLoad.Window w : ws) {
            line("   %-7s %5.1f s: %,6.0f scans/s sent (%,d), %,d answered; scan -> state topic %s", w.name(), w.seconds(),
                    w.sent() / w.seconds(), w.sent(), w.answered(), w.latency());
            Timeline.Sample from = timeline.at(w.fromMs()), to = timeline.at(w.toMs());
            line("   %-7s          CPU %s", "", Timeline.cpu(from, to));
            line("   %-7s          engine wrote %s", "", Timeline.writes(from, to));
        }
    }

    /** The state of a store through interactive queries (retried while a rebalance makes it unavailable). */
    <V> ReadOnlyKeyValueStore<String, V> store(String name) throws InterruptedException {
        for (int attempt = 0; ; attempt++) {
            try {
                return engine.get(0).store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, V>keyValueStore()));
            } catch (InvalidStateStoreException e) {
                if (attempt > 100) throw e;
                Thread.sleep(100);
            }
        }
    }

    /** Waits until {@code at} (wall clock). */
    static void sleepUntil(long atMs) throws InterruptedException {
        long wait = atMs - System.currentTimeMillis();
        if (wait > 0) TimeUnit.MILLISECONDS.sleep(wait);
    }

    // ---- bookings ------------------------------------------------------------------------------------

    /** A depot pair and the route the planner gives a STANDARD shipment ready at the origin now. */
    record Pair(String origin, String destination, List<RouteLeg> legs) {
        boolean touches(String facilityId) {
            return legs.stream().anyMatch(l -> l.getFromFacilityId().equals(facilityId) || l.getToFacilityId().equals(facilityId));
        }
    }

    /**
     * Every ordered pair of European depots of the seed network with a STANDARD route for a shipment ready
     * at {@code readyAt} (North America is reachable by air only, which STANDARD shipments do not take), in a
     * fixed order. The engine's own plans can differ (lane capacity): the state topic is the truth.
     */
    static List<Pair> europeanPairs(RoutingNetwork network, Instant readyAt) {
        List<String> depots = network.facilities().stream()
                .filter(f -> f.getType() == FacilityType.DEPOT && f.getRegion().startsWith("EU"))
                .map(Facility::getFacilityId).sorted().toList();
        RoutePlanner planner = new RoutePlanner();
        List<Pair> pairs = new ArrayList<>();
        for (String from : depots) {
            for (String to : depots) {
                if (from.equals(to)) continue;
                if (planner.plan(network, RouteRequest.of(from, to, readyAt, ServiceLevel.STANDARD)) instanceof RouteResult.Found found) {
                    pairs.add(new Pair(from, to, found.legs()));
                }
            }
        }
        return pairs;
    }

    /** A STANDARD booking made now between the pair's depots, promised at {@code promise}. */
    static ShipmentEvent booking(String shipmentId, Pair pair, Instant at, Instant promise) {
        return ShipmentEvent.newBuilder().setEventId(shipmentId + ":booked").setShipmentId(shipmentId).setOccurredAt(at).setRecordedAt(at)
                .setSource("bench").setPayload(ShipmentCreated.newBuilder().setOrigin(pair.origin()).setDestination(pair.destination())
                        .setServiceLevel(ServiceLevel.STANDARD).setPromisedDeliveryAt(promise).setWeightKg(2.5).build())
                .build();
    }

    static String id(String group, int i) {
        return group + String.format("%07d", i);
    }

    /** The index in its group of an id made by {@link #id}, or -1 if it is not of the group. */
    static int indexOf(String group, String shipmentId) {
        if (shipmentId == null || shipmentId.length() != group.length() + 7 || !shipmentId.startsWith(group)) return -1;
        try {
            return Integer.parseInt(shipmentId, group.length(), shipmentId.length(), 10);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    // ---- the report ----------------------------------------------------------------------------------

    void line(String format, Object... args) {
        report.append(args.length == 0 ? format : String.format(format, args)).append('\n');
    }

    /** The header: what ran, on what, with which settings. */
    void header(String title, String settings) {
        line("# %s (%s)", title, quick ? "--quick" : "full");
        line("date: %s (run began %s)", Instant.now(), began);
        line("machine: %d cores, load average %s at the start, %s at the end; benchmark JVM max heap %d MB, Java %s",
                Runtime.getRuntime().availableProcessors(), loadAtStart, ClusterBench.loadAverage(), Runtime.getRuntime().maxMemory() >> 20,
                System.getProperty("java.version"));
        line("cluster: 3 broker processes + 1 controller on 127.0.0.1, RF 3, min ISR 2; %s, %d partitions", INPUT, inputPartitions);
        line("engine: WaybillTopology.build(serdes) in this JVM, 1 instance x 1 stream thread, with the engine's production Streams settings");
        line("        (services/engine application.properties: exactly_once_v2, lz4, ...), commit.interval.ms %d; %s", COMMIT_INTERVAL_MS,
                TopologySettings.DEFAULTS.toString().replace("TopologySettings", "TopologySettings.DEFAULTS "));
        line("engine build: %s", buildInfo());
        line("settings: %s", settings);
        line(maxRateLine);
        line("measured downstream: a read_committed consumer of the output topics in this JVM; times are its wall clock when a record arrived");
    }

    /**
     * Which topology jar ran (built in this tree, or installed in the local Maven repository), whether a source file under
     * topology/src/main or schemas/src/main is newer than it, and whether the working tree had uncommitted changes there
     * (another engineer's, in progress: the jar may include them).
     */
    private static String buildInfo() {
        String jar = "topology jar ?";
        String age = "";
        try {
            Path p = Path.of(WaybillTopology.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Instant built = Files.getLastModifiedTime(p).toInstant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
            jar = String.format("%s %s", p.getFileName(), p.toString().contains("/.m2/") ? "from the local Maven repository, installed " + built
                    : "built in this tree " + built);
            Instant newest = Instant.EPOCH;
            for (String dir : new String[]{"topology/src/main", "schemas/src/main"}) {
                try (var files = Files.walk(RepoLayout.root().resolve(dir))) {
                    for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                        Instant t = Files.getLastModifiedTime(f).toInstant();
                        if (t.isAfter(newest)) newest = t;
                    }
                }
            }
            age = newest.isAfter(built) ? " (OLDER than a source file under topology/src/main or schemas/src/main, changed "
                    + newest.truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + ")" : " (newer than every source file it is built from)";
        } catch (Exception e) {
            // unknown
        }
        String head = git("rev-parse", "--short", "HEAD");
        String dirty = git("status", "--porcelain", "--", "topology", "schemas");
        long changed = dirty == null || dirty.isBlank() ? 0 : dirty.lines().count();
        return String.format("%s%s; git HEAD %s%s", jar, age, head == null ? "?" : head.trim(),
                changed == 0 ? ", no uncommitted changes under topology/ and schemas/"
                        : ", " + changed + " uncommitted file(s) under topology/ and schemas/ (the jar may include them)");
    }

    private static String git(String... args) {
        try {
            List<String> command = new ArrayList<>(List.of("git", "-C", RepoLayout.root().toString()));
            command.addAll(List.of(args));
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes());
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 ? output : null;
        } catch (Exception e) {
            return null;
        }
    }

    /** Common options; returns false for an option the scenario must handle. */
    boolean commonOption(String name, Iterator<String> values) {
        switch (name) {
            case "--rate" -> rateOption = Double.parseDouble(values.next());
            case "--out" -> out = Path.of(values.next());
            case "--seed" -> seed = Long.parseLong(values.next());
            case "--quick" -> {
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    void defaultOut() {
        if (out == null) out = RepoLayout.root().resolve("benchmarks/results/" + label + (quick ? "-quick" : "") + "-" + ClusterBench.stamp() + ".txt");
    }
}
