package io.waybill.testkit.bench;

import io.waybill.contract.ExceptionType;
import io.waybill.contract.RouteStatus;
import io.waybill.contract.ShipmentEvent;
import io.waybill.contract.ShipmentException;
import io.waybill.contract.ShipmentState;
import io.waybill.contract.ShipmentStatus;
import io.waybill.contract.WaybillTopic;
import io.waybill.testkit.RepoLayout;
import io.waybill.topology.WaybillTopology;
import io.waybill.topology.catalogue.WaybillSerdes;
import io.waybill.topology.catalogue.WaybillStores;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.QueryableStoreTypes;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Side-by-side load benchmark on ONE real 3-broker process cluster (RF 3, min ISR 2, loopback):
 * <ol>
 *   <li>(a) baseline: a bare Kafka Streams app, exactly_once_v2, one logged RocksDB get+put per record
 *       ({@link BaselineTopology}), the yardstick of what any stateful exactly-once app costs here;</li>
 *   <li>(b) engine: the engine topology ({@link WaybillTopology#build(WaybillSerdes)}) with the engine's
 *       production Streams settings (services/engine application.properties).</li>
 * </ol>
 * Both read the same pre-produced, realistic traffic ({@link Traffic}: journeys along the engine's own
 * route plans over the published seed network, with damage, failed attempts, mis-sorts, late scans and
 * resends) from the same shipment-events topic, same partitions, commit interval 100 ms. Measured: max
 * throughput (RUNNING until every input offset is committed), event → state-topic latency at 50 % of the
 * engine's max rate, records/bytes written per input event by topic, commits/s, broker CPU per 1,000
 * events and idle, heap and RSS; optionally a JFR profile of the engine's max-throughput phase.
 * The apps run in this JVM; the brokers, controller and registry are processes of their own.
 *
 * <pre>scripts/benchmark engine [--quick] [--events N] [--threads N] [--instances N] [--jfr] [--skip-baseline]</pre>
 */
public final class EngineThroughput {

    private static final String BASELINE_APP = "waybill-bench-baseline";
    private static final String ENGINE_APP = "waybill-bench-engine";
    private static final String BASELINE_OUT = "waybill.bench.baseline-out.v1";
    /** The commit interval of both apps (--commit-interval-ms; the engine's production setting is 100 ms). */
    private static long COMMIT_INTERVAL_MS = 100;
    private static final int IN_FLIGHT = 1000;

    private final Options o;
    private final StringBuilder report = new StringBuilder();
    private ClusterBench cluster;
    private WaybillSerdes serdes;
    private int inputPartitions;
    private String loadAtStart;

    private record Options(long events, int threads, int instances, boolean jfr, boolean skipBaseline, boolean quick, long seed,
                           int idleSeconds, int latencySeconds, Path out) {
    }

    /** What one max-throughput phase measured. */
    private record Phase(String name, long events, double startupSeconds, double seconds, Metrics.Snapshot delta,
                         double brokerCpuSeconds, double appCpuSeconds) {
        double rate() {
            return events / seconds;
        }
    }

    public static void main(String[] args) throws Exception {
        long events = 200_000;
        int threads = 1;
        int instances = 1;
        boolean jfr = false;
        boolean skipBaseline = false;
        boolean quick = false;
        boolean eventsGiven = false;
        long seed = 42;
        Integer latencySeconds = null;
        Integer idleSeconds = null;
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--events" -> {
                    events = Long.parseLong(args[++i]);
                    eventsGiven = true;
                }
                case "--quick" -> quick = true;
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--instances" -> instances = Integer.parseInt(args[++i]);
                case "--jfr" -> jfr = true;
                case "--skip-baseline" -> skipBaseline = true;
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--latency-seconds" -> latencySeconds = Integer.parseInt(args[++i]);
                case "--idle-seconds" -> idleSeconds = Integer.parseInt(args[++i]);
                case "--commit-interval-ms" -> COMMIT_INTERVAL_MS = Long.parseLong(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (--quick, --events N, --threads N, --instances N, --jfr, --skip-baseline, --seed N, --latency-seconds N, "
                        + "--idle-seconds N, --out FILE)");
            }
        }
        // --quick: the whole run, cluster start included, in under 3 minutes on 2 cores (the engine of December 2026 did 200-400 events/s).
        if (quick && !eventsGiven) events = 10_000;
        if (latencySeconds == null) latencySeconds = quick ? 10 : 60;
        if (idleSeconds == null) idleSeconds = quick ? 10 : 15;
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(Instant.now());
        if (out == null) out = RepoLayout.root().resolve("benchmarks/results/engine-" + stamp + ".txt");
        ClusterBench.quietLogs();
        int rc = 0;
        try {
            new EngineThroughput(new Options(events, threads, instances, jfr, skipBaseline, quick, seed, idleSeconds, latencySeconds, out))
                    .run();
        } catch (Throwable t) {
            t.printStackTrace();
            rc = 1;
        }
        System.exit(rc);
    }

    private EngineThroughput(Options o) {
        this.o = o;
    }

    private void run() throws Exception {
        Instant began = Instant.now();
        loadAtStart = loadAverage();
        // The cluster, the registry, the topics, the seed network and the workflows; all stopped at the end.
        try (ClusterBench c = ClusterBench.start()) {
            cluster = c;
            bench(began);
        }
    }

    private void bench(Instant began) throws Exception {
        String input = WaybillTopic.SHIPMENT_EVENTS.topicName();
        inputPartitions = cluster.partitionCount(input);
        cluster.admin().createTopics(List.of(new NewTopic(BASELINE_OUT, inputPartitions, (short) 3)
                .configs(Map.of("min.insync.replicas", "2")))).all().get();
        serdes = cluster.serdes();

        // The max-throughput traffic, produced once before either app runs.
        Instant t = Instant.now();
        Traffic traffic = new Traffic(o.seed(), "B" + o.seed() + "-", Instant.now().plusSeconds(60), Duration.ofMillis(100), IN_FLIGHT);
        List<ShipmentEvent> events = traffic.generate(o.events());
        progress(String.format("generated %,d events (%,d shipments) in %.1f s", events.size(), traffic.mix.shipments, secondsSince(t)));
        Serializer<ShipmentEvent> eventSerializer = serdes.value(ShipmentEvent.class).serializer();
        t = Instant.now();
        produce(events, eventSerializer);
        double produceSeconds = secondsSince(t);
        progress(String.format("produced %,d events in %.1f s (%,.0f/s)", events.size(), produceSeconds, events.size() / produceSeconds));
        long maxEvents = events.size();
        events = null;
        Map<TopicPartition, Long> end = endOffsets(input);

        Deserializer<ShipmentEvent> eventDeserializer = serdes.value(ShipmentEvent.class).deserializer();
        Deserializer<ShipmentState> stateDeserializer = serdes.value(ShipmentState.class).deserializer();

        // (a) the baseline
        Phase baseline = null;
        double baselineIdle = Double.NaN;
        List<KafkaStreams> base = null;
        if (!o.skipBaseline()) {
            base = startApps(BASELINE_APP, 1, 1, i -> BaselineTopology.build(input, BASELINE_OUT), baselineProps());
            baseline = maxThroughput("baseline", base, BASELINE_APP, end, maxEvents, null);
            // Its idle is measured when it runs again after the engine: right after the cluster's start the brokers are still
            // warming up (JIT), which made a baseline idle measured here several times the engine's.
            closeAll(base);
        }

        // (b) the engine
        Path jfrFile = o.jfr() ? o.out().resolveSibling(o.out().getFileName().toString().replaceAll("\\.txt$", "") + ".jfr") : null;
        List<KafkaStreams> engine = startApps(ENGINE_APP, o.instances(), o.threads(), i -> WaybillTopology.build(serdes), engineProps());
        Phase eng = maxThroughput("engine", engine, ENGINE_APP, end, maxEvents, jfrFile);
        double heapMb = Metrics.heapAfterGcMb();
        double rssMb = Metrics.rssMb();
        double engineIdle = idleCpu("engine", engine);

        double rate = eng.rate() / 2;
        Traffic probeTraffic = new Traffic(o.seed() + 1, "LE" + o.seed() + "-", Instant.now().plusSeconds(30), Duration.ofMillis(100), IN_FLIGHT);
        List<ShipmentEvent> probeEvents = probeTraffic.generate((long) Math.ceil(rate * o.latencySeconds()) + 100);
        progress(String.format("engine latency: %,d events at %,.0f/s for %d s", probeEvents.size(), rate, o.latencySeconds()));
        double lat0 = cluster.brokerCpuSeconds();
        LatencyProbe.Result engineLatency = LatencyProbe.run(cluster.bootstrap(), eventSerializer, input, probeEvents, rate,
                Duration.ofSeconds(o.latencySeconds()), WaybillTopic.SHIPMENT_STATE.topicName(),
                bytes -> stateDeserializer.deserialize(WaybillTopic.SHIPMENT_STATE.topicName(), bytes).getLastEventId());
        double engineLatencyCpu = cluster.brokerCpuSeconds() - lat0;
        progress("engine latency: " + engineLatency.describe());
        awaitCommitted(ENGINE_APP, endOffsets(input), Duration.ofMinutes(5));
        String sanity = sanity(engine, "B" + o.seed() + "-", "LE" + o.seed() + "-");
        closeAll(engine);

        // The baseline again, at the engine's latency rate (restarted: static membership, its store from the first run).
        LatencyProbe.Result baselineLatency = null;
        double baselineLatencyCpu = Double.NaN;
        if (!o.skipBaseline()) {
            base = startApps(BASELINE_APP, 1, 1, i -> BaselineTopology.build(input, BASELINE_OUT), baselineProps());
            base.forEach(KafkaStreams::start);
            awaitRunning(base, Duration.ofMinutes(3));
            awaitCommitted(BASELINE_APP, endOffsets(input), Duration.ofMinutes(5));
            baselineIdle = idleCpu("baseline", base);
            Traffic baseProbe = new Traffic(o.seed() + 2, "LB" + o.seed() + "-", Instant.now().plusSeconds(30), Duration.ofMillis(100), IN_FLIGHT);
            List<ShipmentEvent> baseEvents = baseProbe.generate((long) Math.ceil(rate * o.latencySeconds()) + 100);
            progress(String.format("baseline latency: %,d events at %,.0f/s for %d s", baseEvents.size(), rate, o.latencySeconds()));
            double blat0 = cluster.brokerCpuSeconds();
            baselineLatency = LatencyProbe.run(cluster.bootstrap(), eventSerializer, input, baseEvents, rate,
                    Duration.ofSeconds(o.latencySeconds()), BASELINE_OUT,
                    bytes -> eventDeserializer.deserialize(input, bytes).getEventId());
            baselineLatencyCpu = cluster.brokerCpuSeconds() - blat0;
            progress("baseline latency: " + baselineLatency.describe());
            closeAll(base);
        }

        // ---- the report ----
        header(began, traffic.mix, probeTraffic.mix, produceSeconds, maxEvents);
        line("");
        line("1. max throughput (RUNNING until every input offset is committed)");
        if (baseline != null) line(String.format("   (a) baseline: %,d events in %.1f s = %,.0f events/s (start to RUNNING %.1f s)",
                baseline.events(), baseline.seconds(), baseline.rate(), baseline.startupSeconds()));
        line(String.format("   (b) engine:   %,d events in %.1f s = %,.0f events/s (start to RUNNING %.1f s)",
                eng.events(), eng.seconds(), eng.rate(), eng.startupSeconds()));
        if (baseline != null) line(String.format("   ratio b/a: %.3f", eng.rate() / baseline.rate()));
        line(String.format("   records processed by the stream threads in the phase (process-total): %s(b) %,.0f",
                baseline != null ? String.format("(a) %,.0f, ", processed(baseline)) : "", processed(eng)));
        line("");
        line(String.format("2. event -> output latency at 50 %% of the engine's max rate (%,.0f events/s, %d s, fresh shipments; "
                + "send() to a read_committed consumer)", rate, o.latencySeconds()));
        line("   (b) engine, to the shipment-state topic (matched by lastEventId): " + engineLatency.describe());
        if (baselineLatency != null) line("   (a) baseline, source -> sink (matched by eventId): " + baselineLatency.describe());
        line("   (unmatched: resends, and late scans folded into the past, which leave lastEventId at the later event)");
        line("");
        line("3. records and bytes written to Kafka per input event (Streams' embedded producers, producer-topic-metrics, max-throughput phase)");
        if (baseline != null) writes("(a) baseline", baseline);
        writes("(b) engine", eng);
        line("");
        line("4. transactions (commits) per second (stream-thread commit-total, max-throughput phase)");
        if (baseline != null) line(String.format("   (a) baseline: %,.0f commits in %.1f s = %.1f/s", baseline.delta().commits(), baseline.seconds(),
                baseline.delta().commits() / baseline.seconds()));
        line(String.format("   (b) engine:   %,.0f commits in %.1f s = %.1f/s", eng.delta().commits(), eng.seconds(), eng.delta().commits() / eng.seconds()));
        line("");
        line("5. broker CPU (utime+stime of the 3 brokers and the controller, /proc/<pid>/stat)");
        if (baseline != null) line(String.format("   (a) baseline: %.1f CPU s in the phase = %.3f CPU s per 1,000 events; idle with the app RUNNING "
                + "(%d s, no traffic; measured after the engine's phases): %.1f %% of one core", baseline.brokerCpuSeconds(), 1000 * baseline.brokerCpuSeconds() / baseline.events(),
                o.idleSeconds(), baselineIdle));
        line(String.format("   (b) engine:   %.1f CPU s in the phase = %.3f CPU s per 1,000 events; idle with the app RUNNING "
                        + "(%d s, no traffic): %.1f %% of one core", eng.brokerCpuSeconds(), 1000 * eng.brokerCpuSeconds() / eng.events(),
                o.idleSeconds(), engineIdle));
        line(String.format("   in the latency phase (%,.0f events/s, incl. its tail until the output is quiet):%s (b) engine %.3f CPU s per 1,000 events",
                rate, baselineLatency != null ? String.format(" (a) baseline %.3f,", 1000 * baselineLatencyCpu / baselineLatency.sent()) : "",
                1000 * engineLatencyCpu / engineLatency.sent()));
        line("   benchmark JVM (apps + nothing else running in it during the phase) CPU per 1,000 events:"
                + (baseline != null ? String.format(" (a) %.3f s,", 1000 * baseline.appCpuSeconds() / baseline.events()) : "")
                + String.format(" (b) %.3f s", 1000 * eng.appCpuSeconds() / eng.events()));
        line("");
        line("6. memory (the apps run in-process, in this benchmark JVM; measured right after the engine's max-throughput phase)");
        line(String.format("   heap used after System.gc(): %.0f MB (max heap %d MB); process RSS (VmRSS): %.0f MB",
                heapMb, Runtime.getRuntime().maxMemory() >> 20, rssMb));
        line("");
        line("7. scale-out: records processed per stream thread (process-total, max-throughput phase; includes the engine's own "
                + "lane-load deltas and commands, so more than the input events)");
        double totalProcessed = eng.delta().processedByThread().values().stream().mapToDouble(Double::doubleValue).sum();
        eng.delta().processedByThread().forEach((k, v) -> line(String.format("   %s: %,.0f (%.1f %%)", k, v, 100 * v / Math.max(1, totalProcessed))));
        line("");
        line("8. sanity: the engine's shipment-state store at the end (interactive query, every instance)");
        line(sanity);
        if (jfrFile != null) {
            line("");
            line("JFR profile of the engine's max-throughput phase: " + jfrFile);
            line(JfrTop.summary(jfrFile, n -> n.matches("[^|]*-StreamThread-[0-9]+"), 25));
        }
        Files.createDirectories(o.out().toAbsolutePath().getParent());
        Files.writeString(o.out(), report);
        System.out.println();
        System.out.print(report);
        System.out.println("\nreport: " + o.out());
    }

    // ---- phases -------------------------------------------------------------------------------------

    private Phase maxThroughput(String name, List<KafkaStreams> apps, String appId, Map<TopicPartition, Long> end, long events, Path jfr)
            throws Exception {
        Instant started = Instant.now();
        apps.forEach(KafkaStreams::start);
        awaitRunning(apps, Duration.ofMinutes(3));
        double startup = secondsSince(started);
        Recording recording = null;
        if (jfr != null) {
            recording = new Recording(Configuration.getConfiguration("profile"));
            recording.setName("engine-max-throughput");
            recording.start();
        }
        Metrics.Snapshot before = Metrics.streams(apps);
        double cpu0 = cluster.brokerCpuSeconds();
        double app0 = processCpuSeconds();
        long t0 = System.nanoTime();
        progress(name + ": RUNNING after " + String.format("%.1f s", startup) + "; processing " + String.format("%,d", events) + " events");
        awaitCommitted(appId, end, Duration.ofMinutes(30));
        double seconds = (System.nanoTime() - t0) / 1e9;
        double cpu1 = cluster.brokerCpuSeconds();
        double app1 = processCpuSeconds();
        Metrics.Snapshot after = Metrics.streams(apps);
        if (recording != null) {
            recording.stop();
            recording.dump(jfr);
            recording.close();
        }
        progress(String.format("%s: %,d events in %.1f s = %,.0f events/s", name, events, seconds, events / seconds));
        return new Phase(name, events, startup, seconds, after.minus(before), cpu1 - cpu0, app1 - app0);
    }

    /** Broker CPU as % of one core while the apps run with no traffic. */
    private double idleCpu(String name, List<KafkaStreams> apps) throws Exception {
        Thread.sleep(2_000); // the last commits of the phase
        double cpu0 = cluster.brokerCpuSeconds();
        long t0 = System.nanoTime();
        Thread.sleep(o.idleSeconds() * 1000L);
        double pct = 100 * (cluster.brokerCpuSeconds() - cpu0) / ((System.nanoTime() - t0) / 1e9);
        if (apps.stream().anyMatch(a -> a.state() != KafkaStreams.State.RUNNING)) progress(name + ": not RUNNING during the idle measurement");
        progress(String.format("%s idle: brokers %.1f %% of one core", name, pct));
        return pct;
    }

    private String sanity(List<KafkaStreams> apps, String... prefixes) {
        StringBuilder b = new StringBuilder();
        for (String prefix : prefixes) {
            Map<ShipmentStatus, Long> status = new EnumMap<>(ShipmentStatus.class);
            Map<RouteStatus, Long> route = new EnumMap<>(RouteStatus.class);
            long replanned = 0;
            long total = 0;
            for (KafkaStreams app : apps) {
                var store = app.store(StoreQueryParameters.fromNameAndType(WaybillStores.SHIPMENT_STATE,
                        QueryableStoreTypes.<String, ShipmentState>keyValueStore()));
                try (var it = store.all()) {
                    while (it.hasNext()) {
                        var kv = it.next();
                        if (!kv.key.startsWith(prefix) || kv.value == null) continue;
                        total++;
                        status.merge(kv.value.getStatus(), 1L, Long::sum);
                        route.merge(kv.value.getRouteStatus(), 1L, Long::sum);
                        if (kv.value.getRoutePlan() != null && kv.value.getRoutePlan().getRevision() > 1) replanned++;
                    }
                }
            }
            b.append(String.format("   shipments %s*: %,d in the store; DELIVERED %,d; NO_ROUTE %,d; re-planned (plan revision > 1) %,d%n",
                    prefix, total, status.getOrDefault(ShipmentStatus.DELIVERED, 0L), route.getOrDefault(RouteStatus.NO_ROUTE, 0L), replanned));
            b.append("     status: ").append(status).append("; route status: ").append(route).append('\n');
        }
        Map<ExceptionType, Long> exceptions = new EnumMap<>(ExceptionType.class);
        for (KafkaStreams app : apps) {
            var store = app.store(StoreQueryParameters.fromNameAndType(WaybillStores.SHIPMENT_EXCEPTIONS,
                    QueryableStoreTypes.<String, ShipmentException>keyValueStore()));
            try (var it = store.all()) {
                while (it.hasNext()) {
                    var kv = it.next();
                    if (kv.value != null) exceptions.merge(kv.value.getType(), 1L, Long::sum);
                }
            }
        }
        b.append("   exceptions in the store (latest per shipment and type, all shipments): ").append(exceptions);
        return b.toString();
    }

    // ---- apps -----------------------------------------------------------------------------------------

    private Function<Integer, Properties> baselineProps() {
        return i -> {
            Properties p = cluster.common(BASELINE_APP, 1, COMMIT_INTERVAL_MS);
            // Static membership: the restart for the latency phase takes the old member's place without a wait.
            p.put(StreamsConfig.consumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), "bench-baseline-" + i);
            return p;
        };
    }

    /** The engine's production Streams settings (see {@link ClusterBench#engineProps}). */
    private Function<Integer, Properties> engineProps() {
        return cluster.engineProps(ENGINE_APP, o.threads(), COMMIT_INTERVAL_MS);
    }

    private List<KafkaStreams> startApps(String appId, int instances, int threads, Function<Integer, Topology> topology,
                                         Function<Integer, Properties> props) {
        return cluster.apps(appId, instances, topology, props);
    }

    private static void awaitRunning(List<KafkaStreams> apps, Duration timeout) throws InterruptedException {
        ClusterBench.awaitRunning(apps, timeout);
    }

    private static void closeAll(List<KafkaStreams> apps) {
        ClusterBench.closeAll(apps);
    }

    // ---- Kafka helpers ------------------------------------------------------------------------------

    private void produce(List<ShipmentEvent> events, Serializer<ShipmentEvent> serializer) {
        cluster.produce(events, serializer);
    }

    private Map<TopicPartition, Long> endOffsets(String topic) throws Exception {
        return cluster.endOffsets(topic, inputPartitions);
    }

    private void awaitCommitted(String group, Map<TopicPartition, Long> end, Duration timeout) throws Exception {
        cluster.awaitCommitted(group, end, timeout);
    }

    // ---- the report -----------------------------------------------------------------------------------

    private void header(Instant began, Traffic.Mix mix, Traffic.Mix probeMix, double produceSeconds, long events) {
        line(String.format("# Waybill engine vs. a bare Kafka Streams app, side by side (%s)", o.quick() ? "--quick" : "full"));
        line("date: " + Instant.now() + " (run began " + began + ")");
        line(String.format("machine: %d cores, load average %s at the start, %s at the end; benchmark JVM max heap %d MB, Java %s",
                Runtime.getRuntime().availableProcessors(), loadAtStart, loadAverage(), Runtime.getRuntime().maxMemory() >> 20,
                System.getProperty("java.version")));
        line(String.format("cluster: 3 broker processes + 1 controller on 127.0.0.1, RF 3, min ISR 2; input %s, %d partitions",
                WaybillTopic.SHIPMENT_EVENTS.topicName(), inputPartitions));
        line(String.format("apps (both in this JVM, one after the other): exactly_once_v2, commit.interval.ms %d, replication.factor 3, "
                + "topic min.insync.replicas 2, session timeout 10 s", COMMIT_INTERVAL_MS));
        line("  (a) baseline: 1 stream thread; source -> one get + one put on one logged RocksDB store -> sink " + BASELINE_OUT);
        line(String.format("  (b) engine: WaybillTopology.build(serdes) with default TopologySettings; %d instance(s) x %d stream thread(s), "
                + "num.standby.replicas 1 (no effect with one instance), dead-letter handlers as in production", o.instances(), o.threads()));
        line(o.skipBaseline() ? "order: produce the traffic; (b) max throughput, idle, latency"
                : "order: produce the traffic; (a) max throughput; (b) max throughput, idle, latency; (a) again: catch up, idle, latency. "
                + "(a) runs first, about half a minute after the cluster started (brokers still warming up)");
        line(String.format("settings: --events %,d, seed %d, %,d shipments in flight at once, latency phase %d s, idle %d s%s%s",
                o.events(), o.seed(), IN_FLIGHT, o.latencySeconds(), o.idleSeconds(), o.jfr() ? ", --jfr" : "",
                o.skipBaseline() ? ", --skip-baseline" : ""));
        line(String.format("traffic (max-throughput phases, produced once before them: %,d events in %.1f s, acks=all, idempotent): %s",
                events, produceSeconds, mix.describe()));
        line("traffic (engine latency phase, fresh shipments): " + probeMix.describe());
    }

    private void writes(String label, Phase p) {
        line("   " + label + ":");
        double[] outputs = new double[2];
        double[] changelogs = new double[2];
        for (Map.Entry<String, Double> e : new TreeMap<>(p.delta().recordsByTopic()).entrySet()) {
            double r = e.getValue();
            double by = p.delta().bytesByTopic().getOrDefault(e.getKey(), 0.0);
            if (r == 0 && by == 0) continue;
            boolean changelog = e.getKey().endsWith("-changelog");
            double[] sum = changelog ? changelogs : outputs;
            sum[0] += r;
            sum[1] += by;
            line(String.format("     %-11s %-66s %7.3f records %8.1f bytes per event", changelog ? "changelog" : "output", e.getKey(),
                    r / p.events(), by / p.events()));
        }
        line(String.format("     %-78s %7.3f records %8.1f bytes per event", "outputs", outputs[0] / p.events(), outputs[1] / p.events()));
        line(String.format("     %-78s %7.3f records %8.1f bytes per event", "changelogs", changelogs[0] / p.events(), changelogs[1] / p.events()));
        line(String.format("     %-78s %7.3f records %8.1f bytes per event", "total", (outputs[0] + changelogs[0]) / p.events(),
                (outputs[1] + changelogs[1]) / p.events()));
        double retried = p.delta().retriesByTopic().values().stream().mapToDouble(Double::doubleValue).sum();
        double failed = p.delta().errorsByTopic().values().stream().mapToDouble(Double::doubleValue).sum();
        line(String.format("     (record-retry-total in the phase: %,.0f records, record-error-total: %,.0f; input events: %,d)", retried, failed, p.events()));
    }

    private static double processed(Phase p) {
        return p.delta().processedByThread().values().stream().mapToDouble(Double::doubleValue).sum();
    }

    private void line(String s) {
        report.append(s).append('\n');
    }

    private static String loadAverage() {
        return ClusterBench.loadAverage();
    }

    private static double processCpuSeconds() {
        return ClusterBench.processCpuSeconds();
    }

    private static double secondsSince(Instant t) {
        return ClusterBench.secondsSince(t);
    }

    private static void progress(String s) {
        ClusterBench.progress(s);
    }
}
