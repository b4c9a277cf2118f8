package io.waybill.testkit.bench;

import io.waybill.contract.ShipmentEvent;
import io.waybill.contract.TopicCatalogue;
import io.waybill.contract.WaybillTopic;
import io.waybill.testkit.ManagedProcess;
import io.waybill.testkit.Ports;
import io.waybill.testkit.ProcessKafkaCluster;
import io.waybill.testkit.RegistryProcess;
import io.waybill.testkit.RepoLayout;
import io.waybill.topology.catalogue.WaybillSerdes;
import io.waybill.topology.provisioning.TopicProvisioner;
import io.waybill.topology.routing.PublishNetwork;
import io.waybill.topology.workflow.PublishWorkflows;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * What the benchmarks on a real cluster share: one 3-broker process cluster plus a controller (RF 3,
 * min ISR 2, 127.0.0.1) and the registry, in a scratch directory; the standard topics, the seed network
 * and the built-in workflows, published the way the system does it; the engine's production Streams
 * settings; producing, end and committed offsets; the brokers' CPU.
 *
 * <p>{@link #close()} stops every process and removes the scratch directory; when the JVM is stopped instead
 * (Ctrl-C, SIGTERM, a watchdog's exit) a shutdown hook kills them at once, since a graceful stop of four
 * JVMs one after the other may take longer than whoever stops this one waits: no broker outlives the run.
 */
final class ClusterBench implements AutoCloseable {

    /** Kept so the levels stick (java.util.logging holds loggers weakly). */
    private static final List<Logger> QUIET = new ArrayList<>();

    private final Path work;
    private final Path kafkaDir;
    private final ProcessKafkaCluster kafka;
    private final RegistryProcess registry;
    private final Thread shutdownHook;
    private Admin admin;
    private WaybillSerdes serdes;
    private List<Long> brokerPids;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    private ClusterBench() throws java.io.IOException {
        work = Files.createTempDirectory("waybill-bench-");
        kafkaDir = work.resolve("kafka");
        kafka = new ProcessKafkaCluster(kafkaDir, 3, ProcessKafkaCluster.Layout.random(), ClusterBench::progress);
        registry = new RegistryProcess(Ports.free(), Ports.free(), work.resolve("run"), null);
        shutdownHook = new Thread(this::kill, "bench-cluster-stop");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Starts the cluster and the registry (its own JVM, started while the cluster does), provisions the
     * standard topics with RF 3 and publishes the seed network and the built-in workflows.
     */
    static ClusterBench start() throws Exception {
        ClusterBench bench = new ClusterBench();
        try {
            bench.startProcesses();
            new TopicProvisioner(bench.admin, 60_000).provision(TopicCatalogue.standard(), 3, false);
            bench.serdes = WaybillSerdes.withRegistry(bench.registryUrl());
            String[] publishArgs = {"--bootstrap-servers", bench.bootstrap(), "--registry-url", bench.registryUrl()};
            if (PublishNetwork.run(publishArgs) != 0) throw new IllegalStateException("publishing the seed network failed");
            if (PublishWorkflows.run(publishArgs) != 0) throw new IllegalStateException("publishing the built-in workflows failed");
            return bench;
        } catch (Throwable t) {
            bench.close();
            throw t;
        }
    }

    private void startProcesses() throws Exception {
        Throwable[] registryFailure = {null};
        Thread registryStart = new Thread(() -> {
            try {
                registry.start(ClusterBench::progress);
            } catch (Throwable t) {
                registryFailure[0] = t;
            }
        }, "registry-start");
        registryStart.start();
        kafka.start();
        registryStart.join();
        if (registryFailure[0] != null) throw new IllegalStateException("the registry did not start", registryFailure[0]);
        brokerPids = new ArrayList<>();
        for (ManagedProcess p : ProcessKafkaCluster.recordedProcesses(kafkaDir)) brokerPids.add(p.pid().orElseThrow());
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }

    String bootstrap() {
        return kafka.bootstrapServers();
    }

    String registryUrl() {
        return registry.apiUrl();
    }

    Admin admin() {
        return admin;
    }

    WaybillSerdes serdes() {
        return serdes;
    }

    /** The scratch directory (the apps' state directories go under it). */
    Path work() {
        return work;
    }

    /** The 3 brokers' and the controller's CPU time (utime + stime) so far, in seconds. */
    double brokerCpuSeconds() {
        return Metrics.cpuSeconds(brokerPids);
    }

    // ---- apps ---------------------------------------------------------------------------------------

    /** Settings every benchmark app shares: exactly_once_v2, RF 3, min ISR 2, a 10 s session timeout. */
    Properties common(String appId, int threads, long commitIntervalMs) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, threads);
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 3);
        p.put(StreamsConfig.topicPrefix("min.insync.replicas"), "2");
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitIntervalMs);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 10_000);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), 2_000);
        p.put(StreamsConfig.METRICS_RECORDING_LEVEL_CONFIG, "INFO");
        return p;
    }

    /**
     * The engine's production Streams settings: every {@code kafka-streams.*} property of
     * services/engine/src/main/resources/application.properties (placeholders resolved to their
     * defaults), so the benchmarks follow the engine's configuration as it changes. The state
     * directory, the bootstrap servers and the commit interval stay the benchmark's own.
     */
    Function<Integer, Properties> engineProps(String appId, int threads, long commitIntervalMs) {
        Properties production = new Properties();
        try (var in = Files.newBufferedReader(RepoLayout.root().resolve("services/engine/src/main/resources/application.properties"))) {
            production.load(in);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read the engine's application.properties", e);
        }
        return i -> {
            Properties p = common(appId, threads, commitIntervalMs);
            for (String key : production.stringPropertyNames()) {
                if (!key.startsWith("kafka-streams.")) continue;
                String name = key.substring("kafka-streams.".length());
                if (name.equals(StreamsConfig.STATE_DIR_CONFIG) || name.equals(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)
                        || name.startsWith("waybill.")) continue;
                p.put(name, withDefaults(production.getProperty(key)));
            }
            p.put("waybill.registry.url", registryUrl());
            return p;
        };
    }

    /** "${name:default}" becomes "default" (the engine's own defaults); anything else stays as it is. */
    private static String withDefaults(String value) {
        var m = java.util.regex.Pattern.compile("\\$\\{[^:}]+:([^}]*)}").matcher(value);
        return m.replaceAll(r -> java.util.regex.Matcher.quoteReplacement(r.group(1)));
    }

    /** {@code instances} KafkaStreams of one app, each with its own state directory; not started. */
    List<KafkaStreams> apps(String appId, int instances, Function<Integer, Topology> topology, Function<Integer, Properties> props) {
        List<KafkaStreams> apps = new ArrayList<>();
        for (int i = 0; i < instances; i++) {
            Properties p = props.apply(i);
            p.put(StreamsConfig.STATE_DIR_CONFIG, work.resolve("state").resolve(appId + "-" + i).toString());
            apps.add(new KafkaStreams(topology.apply(i), p));
        }
        return apps;
    }

    static void awaitRunning(List<KafkaStreams> apps, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!apps.stream().allMatch(a -> a.state() == KafkaStreams.State.RUNNING)) {
            if (apps.stream().anyMatch(a -> a.state() == KafkaStreams.State.ERROR || a.state() == KafkaStreams.State.PENDING_ERROR)) {
                throw new IllegalStateException("a Streams app failed: " + apps.stream().map(a -> a.state().toString()).toList());
            }
            if (System.nanoTime() > deadline) throw new IllegalStateException("not RUNNING after " + timeout);
            Thread.sleep(20);
        }
    }

    static void closeAll(List<KafkaStreams> apps) {
        apps.forEach(a -> a.close(Duration.ofSeconds(60)));
    }

    // ---- Kafka --------------------------------------------------------------------------------------

    /** Produces the events to the shipment-events topic (acks=all, idempotent, large batches) and waits for every ack. */
    void produce(List<ShipmentEvent> events, Serializer<ShipmentEvent> serializer) {
        AtomicLong failed = new AtomicLong();
        String topic = WaybillTopic.SHIPMENT_EVENTS.topicName();
        try (var producer = new KafkaProducer<>(Map.<String, Object>of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 20, ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024),
                new StringSerializer(), serializer)) {
            for (ShipmentEvent e : events) {
                producer.send(new ProducerRecord<>(topic, e.getShipmentId(), e), (m, err) -> {
                    if (err != null) failed.incrementAndGet();
                });
            }
            producer.flush();
        }
        if (failed.get() > 0) throw new IllegalStateException(failed.get() + " events were not produced");
    }

    /** The topic's partition count, once every broker knows the (just created) topic. */
    int partitionCount(String topic) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (true) {
            try {
                return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
            } catch (java.util.concurrent.ExecutionException e) {
                if (System.nanoTime() > deadline) throw e;
                Thread.sleep(250);
            }
        }
    }

    Map<TopicPartition, Long> endOffsets(String topic, int partitions) throws Exception {
        List<TopicPartition> all = new ArrayList<>();
        for (int p = 0; p < partitions; p++) all.add(new TopicPartition(topic, p));
        return admin.listOffsets(all.stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest())))
                .all().get().entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    }

    /** Waits until the group has committed every offset up to {@code end}. */
    void awaitCommitted(String group, Map<TopicPartition, Long> end, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
            boolean caughtUp = end.entrySet().stream().allMatch(e -> {
                OffsetAndMetadata c = committed.get(e.getKey());
                return e.getValue() == 0 || (c != null && c.offset() >= e.getValue());
            });
            if (caughtUp) return;
            if (System.nanoTime() > deadline) throw new IllegalStateException(group + " did not commit every input offset in " + timeout);
            Thread.sleep(100);
        }
    }

    // ---- the run ------------------------------------------------------------------------------------

    /** The JVM is going down: SIGKILL the registry, brokers and controller (their data is scratch) and remove the directory. */
    private void kill() {
        // Even while close() is stopping them gracefully: the JVM may not live long enough for it to finish.
        closed.set(true);
        List<ProcessHandle> handles = new ArrayList<>();
        registry.process().pid().flatMap(ProcessHandle::of).ifPresent(handles::add);
        // From the pid files, so that a cluster still starting is found too.
        for (ManagedProcess p : ProcessKafkaCluster.recordedProcesses(kafkaDir)) p.pid().flatMap(ProcessHandle::of).ifPresent(handles::add);
        for (ProcessHandle h : handles) h.destroyForcibly();
        for (ProcessHandle h : handles) {
            try {
                h.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // gone or going
            }
        }
        deleteWork();
    }

    /** Stops the registry and the cluster and removes the scratch directory; safe to call more than once. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the JVM is exiting: the hook kills what this does not get to stop
        }
        try {
            if (admin != null) admin.close(Duration.ofSeconds(10));
        } finally {
            try {
                registry.close();
            } finally {
                kafka.close();
                deleteWork();
            }
        }
    }

    /** The cluster's logs and the apps' state: a scratch directory, removed (best effort). */
    private void deleteWork() {
        try (var paths = Files.walk(work)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (Exception ignored) {
            // left behind in the temporary directory
        }
    }

    /** Kafka's, Apicurio's and Avro's own logging at WARNING, so the progress lines stay readable. */
    static void quietLogs() {
        for (String name : new String[]{"org.apache.kafka", "io.apicurio", "org.apache.avro"}) {
            Logger l = Logger.getLogger(name);
            l.setLevel(Level.WARNING);
            QUIET.add(l);
        }
    }

    static String stamp() {
        return DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(Instant.now());
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (Exception e) {
            return String.format("%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }

    static double processCpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
    }

    static double secondsSince(Instant t) {
        return Duration.between(t, Instant.now()).toMillis() / 1000.0;
    }

    static void progress(String s) {
        System.out.println(DateTimeFormatter.ISO_LOCAL_TIME.withZone(ZoneOffset.UTC).format(Instant.now()).substring(0, 8) + " " + s);
    }
}
