package io.waybill.testkit.bench;

import io.waybill.contract.ServiceLevel;
import io.waybill.contract.ShipmentCreated;
import io.waybill.contract.ShipmentEvent;
import io.waybill.contract.ShipmentState;
import io.waybill.contract.WaybillTopic;
import io.waybill.testkit.ServiceProcess;
import io.waybill.testkit.chaos.ChaosSystem;
import io.waybill.topology.catalogue.WaybillSerdes;
import io.waybill.topology.catalogue.WaybillStores;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * How fast an engine instance holding a large state comes back: after a kill -9, a clean restart and
 * a rolling restart of both instances, on the chaos harness's system (3 brokers, registry, two engines
 * with standby replicas 1, gateway, planner-api, all processes on loopback).
 *
 * <p><b>The state.</b> One shipment is booked through the engine; its records in every changelog
 * (state, history entries, ...) are then copied for N shipments straight into the changelogs with
 * both engines stopped, each copy with its own shipmentId, on the partition its id hashes to, as the
 * engine would have written them. Booking a million shipments through the engine would take hours
 * on two cores; the restore reads the same bytes either way. Both engines then restore the copies
 * (the initial load, also reported).
 *
 * <p><b>Each scenario</b> stops one instance (kill -9 or SIGTERM), starts it again at once (as an
 * orchestrator would) and reports: time to ready (Kafka Streams RUNNING), time until every sampled
 * shipment it owned is answered fresh (200 without X-Waybill-Stale) by the restarted instance,
 * changelog records and bytes it restored ({@code waybill_store_restore_records_total}), and the
 * planner-api's answers for those shipments meanwhile (fresh, stale, errors, latency).
 *
 * <pre>scripts/benchmark recovery [--shipments N] [--sample N] [--engine-config key=value]... [--label TEXT] [--out FILE]</pre>
 */
public final class RecoveryOnCluster {

    private static final String TEMPLATE = "RCV-TEMPLATE";
    private static final Duration FRESH_WITHIN = Duration.ofMinutes(5);
    private static final Pattern RESTORED = Pattern.compile("^waybill_store_restore_records_total\\{[^}]*store=\"([^\"]+)\"[^}]*\\} ([0-9.eE+]+)$", Pattern.MULTILINE);

    private int shipments = 1_000_000;
    private int sample = 200;
    private String label = "";
    private Path out;
    private final Map<String, String> engineConfig = new TreeMap<>();
    private final List<String> lines = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Instant begun = Instant.now();
    private final Map<String, Double> bytesPerRecord = new HashMap<>();

    public static void main(String[] args) throws Exception {
        RecoveryOnCluster run = new RecoveryOnCluster();
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(Instant.now());
        for (Iterator<String> it = Arrays.asList(args).iterator(); it.hasNext(); ) {
            String a = it.next();
            switch (a) {
                case "--shipments" -> run.shipments = Integer.parseInt(it.next());
                case "--sample" -> run.sample = Integer.parseInt(it.next());
                case "--label" -> run.label = it.next();
                case "--out" -> run.out = Path.of(it.next());
                case "--quick" -> run.shipments = 100_000;
                case "--engine-config" -> {
                    String kv = it.next();
                    int eq = kv.indexOf('=');
                    if (eq < 1) throw new IllegalArgumentException("--engine-config needs key=value, got " + kv);
                    run.engineConfig.put(kv.substring(0, eq), kv.substring(eq + 1));
                }
                default -> throw new IllegalArgumentException("unknown argument " + a
                        + " (--shipments N, --quick, --sample N, --engine-config key=value, --label TEXT, --out FILE)");
            }
        }
        if (run.out == null) run.out = Path.of("benchmarks/results/recovery-" + stamp + ".txt");
        int rc = run.run(Path.of("testkit/target/recovery-" + stamp));
        System.exit(rc);
    }

    private int run(Path work) throws Exception {
        Files.createDirectories(work);
        line("engine recovery, %s, %d cores, Kafka %s%s", begun, Runtime.getRuntime().availableProcessors(),
                io.waybill.testkit.KafkaVersion.current(), label.isEmpty() ? "" : ", " + label);
        line("settings: %,d shipments, a sample of %d, engine config %s", shipments, sample, engineConfig.isEmpty() ? "(defaults)" : engineConfig);
        try (ChaosSystem system = ChaosSystem.start(work, 2, engineConfig, this::progress)) {
            engineToken = system.services.engineApiToken();
            Thread cleanUp = new Thread(system::close, "recovery-clean-up"); // Ctrl-C or a kill stops every process too
            Runtime.getRuntime().addShutdownHook(cleanUp);
            String bootstrap = system.kafka.bootstrapServers();
            bookTemplate(system);
            progress("stopping both engines to write the state of " + shipments + " shipments into their changelogs");
            List.of(0, 1).parallelStream().forEach(i -> system.services.engine(i).stop());
            seed(bootstrap, system.registry.apiUrl());

            progress("starting both engines: they restore the copies");
            Instant started = Instant.now();
            List.of(0, 1).forEach(i -> system.services.engine(i).process().start());
            for (int i = 0; i < 2; i++) system.services.engine(i).awaitReady(Duration.ofMinutes(30));
            Duration ready = Duration.between(started, Instant.now());
            List<String> keys = sampleKeys();
            // Streams is RUNNING while its state updater still restores: done is when both have stopped restoring and answer fresh
            Instant settled = awaitSettled(system, keys);
            line("initial load: both engines ready %.1f s after their start, done restoring and every sampled shipment fresh after %.1f s; "
                            + "restored: engine-1 %s, engine-2 %s", ready.toMillis() / 1000.0, Duration.between(started, settled).toMillis() / 1000.0,
                    restoredText(restored(system.services.engine(0))), restoredText(restored(system.services.engine(1))));

            String viewer = system.services.token("viewer");
            // Bookings of new shipments all along, so that a kill meets open transactions, as in production
            Booker booker = new Booker(system.kafka.bootstrapServers(), system.registry.apiUrl());
            Thread booking = new Thread(booker, "bookings");
            booking.setDaemon(true);
            booking.start();
            line("background: %d bookings of new shipments per second through Kafka during every scenario", Booker.PER_SECOND);
            scenario(system, "kill -9 of engine-2, started again at once", 1, true, keys, viewer);
            scenario(system, "clean restart (SIGTERM) of engine-2", 1, false, keys, viewer);
            line("rolling restart (SIGTERM, start, ready, fresh; then the next):");
            scenario(system, "  engine-1", 0, false, keys, viewer);
            scenario(system, "  engine-2", 1, false, keys, viewer);
            booker.stop.set(true);
            booking.join(10_000);
            line("background bookings sent: %,d", booker.sent);
        } catch (Exception e) {
            line("FAILED: %s", e);
            e.printStackTrace();
            write();
            return 1;
        }
        line("run took %.1f min", Duration.between(begun, Instant.now()).toSeconds() / 60.0);
        write();
        return 0;
    }

    /** One shipment booked through the engine: its changelog records are the pattern of every copy. */
    private void bookTemplate(ChaosSystem system) throws Exception {
        Instant now = Instant.now();
        ShipmentEvent booking = ShipmentEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setShipmentId(TEMPLATE)
                .setOccurredAt(now).setRecordedAt(now).setSource("recovery-bench")
                .setPayload(ShipmentCreated.newBuilder().setOrigin("DE-DEP-BER1").setDestination("DE-DEP-MUC1")
                        .setServiceLevel(ServiceLevel.STANDARD).setWeightKg(3.0).setHandling(List.of())
                        .setPromisedDeliveryAt(now.plus(Duration.ofDays(3))).build()).build();
        var serializer = WaybillSerdes.withRegistry(system.registry.apiUrl()).value(ShipmentEvent.class).serializer();
        try (var producer = new KafkaProducer<>(Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, system.kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), serializer)) {
            producer.send(new ProducerRecord<>(WaybillTopic.SHIPMENT_EVENTS.topicName(), TEMPLATE, booking)).get();
        }
        String engine = system.services.engine(0).url();
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        while (true) {
            HttpResponse<String> r = get(engine + "/internal/shipments/" + TEMPLATE, engineToken);
            if (r != null && r.statusCode() == 200 && r.body().contains("\"PLANNED\"")) break;
            if (Instant.now().isAfter(deadline)) throw new IllegalStateException("the template shipment was not planned: " + (r == null ? "no answer" : r.body()));
            Thread.sleep(500);
        }
        Thread.sleep(2_000); // a few commits: every changelog holds the booking's records
    }

    /** Copies the template's changelog records for every shipment, each on the partition its id hashes to. */
    private void seed(String bootstrap, String registryUrl) throws Exception {
        Map<String, Integer> partitions;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Set<String> changelogs = admin.listTopics().names().get().stream().filter(t -> t.endsWith("-changelog")).collect(Collectors.toSet());
            partitions = admin.describeTopics(changelogs).allTopicNames().get().values().stream()
                    .collect(Collectors.toMap(TopicDescription::name, d -> d.partitions().size()));
        }
        // the template's records: key -> value, per changelog (the last one wins, a tombstone removes)
        Map<String, Map<String, byte[]>> template = new TreeMap<>();
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> all = new ArrayList<>();
            partitions.forEach((t, n) -> { for (int p = 0; p < n; p++) all.add(new TopicPartition(t, p)); });
            consumer.assign(all);
            consumer.seekToBeginning(all);
            Map<TopicPartition, Long> end = consumer.endOffsets(all);
            while (all.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.key() == null) continue;
                    String key = new String(r.key(), StandardCharsets.UTF_8);
                    if (!key.equals(TEMPLATE) && !key.startsWith(TEMPLATE + "\0")) continue;
                    Map<String, byte[]> records = template.computeIfAbsent(r.topic(), t -> new LinkedHashMap<>());
                    if (r.value() == null) records.remove(key);
                    else records.put(key, r.value());
                }
            }
        }
        template.values().removeIf(Map::isEmpty);
        if (template.isEmpty()) throw new IllegalStateException("no changelog holds the template shipment");
        String stateChangelog = template.keySet().stream().filter(t -> t.endsWith("-" + WaybillStores.SHIPMENT_STATE + "-changelog")).findFirst()
                .orElseThrow(() -> new IllegalStateException("no state changelog among " + template.keySet()));
        Serde<ShipmentState> stateSerde = WaybillSerdes.withRegistry(registryUrl).store(ShipmentState.class);
        ShipmentState templateState = stateSerde.deserializer().deserialize(stateChangelog, template.get(stateChangelog).get(TEMPLATE));
        line("one shipment's records: %s", template.entrySet().stream().map(e -> e.getKey() + " " + e.getValue().size() + " ("
                + e.getValue().values().stream().mapToInt(v -> v.length).sum() + " bytes)").collect(Collectors.joining(", ")));

        Instant started = Instant.now();
        Map<String, long[]> written = new TreeMap<>(); // topic -> {records, bytes}
        try (var producer = new KafkaProducer<>(Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 20, ProducerConfig.BATCH_SIZE_CONFIG, 262_144,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4", ProducerConfig.BUFFER_MEMORY_CONFIG, 128L << 20),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < shipments; i++) {
                String id = String.format("RCV-%07d", i);
                byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
                for (var topic : template.entrySet()) {
                    int partition = Utils.toPositive(Utils.murmur2(idBytes)) % partitions.get(topic.getKey());
                    for (var record : topic.getValue().entrySet()) {
                        byte[] key = (id + record.getKey().substring(TEMPLATE.length())).getBytes(StandardCharsets.UTF_8);
                        byte[] value = record.getValue();
                        if (topic.getKey().equals(stateChangelog) && record.getKey().equals(TEMPLATE)) {
                            value = stateSerde.serializer().serialize(stateChangelog, ShipmentState.newBuilder(templateState).setShipmentId(id).build());
                        }
                        producer.send(new ProducerRecord<>(topic.getKey(), partition, key, value));
                        long[] w = written.computeIfAbsent(topic.getKey(), t -> new long[2]);
                        w[0]++;
                        w[1] += key.length + value.length;
                    }
                }
                if (i > 0 && i % 100_000 == 0) progress(String.format("%,d shipments written", i));
            }
            producer.flush();
        }
        Duration took = Duration.between(started, Instant.now());
        long records = written.values().stream().mapToLong(w -> w[0]).sum();
        long bytes = written.values().stream().mapToLong(w -> w[1]).sum();
        written.forEach((t, w) -> bytesPerRecord.put(t, (double) w[1] / w[0]));
        line("seeded %,d shipments: %,d changelog records, %,.0f MB (keys and values, uncompressed) in %.1f s", shipments, records, bytes / 1e6,
                took.toMillis() / 1000.0);
    }

    /** Random seeded shipments, plus which instance owns each (the engine's X-Waybill-Served-By). */
    private List<String> sampleKeys() {
        Random random = new Random(42);
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < sample; i++) keys.add(String.format("RCV-%07d", random.nextInt(shipments)));
        return keys;
    }

    private void scenario(ChaosSystem system, String name, int victim, boolean kill, List<String> keys, String viewerToken) throws Exception {
        ServiceProcess engine = system.services.engine(victim);
        ServiceProcess other = system.services.engine(1 - victim);
        List<String> owned = keys.stream().filter(k -> servedBy(other, k).contains(":" + engine.port())).toList();
        if (owned.isEmpty()) owned = keys;
        PlannerProbe probe = new PlannerProbe(system.services.plannerApi().url(), viewerToken, owned);
        Thread probing = new Thread(probe, "planner-probe");
        probing.setDaemon(true);
        probing.start();
        Thread.sleep(2_000);
        Instant stopAt = Instant.now();
        if (kill) engine.kill();
        else engine.stop();
        Instant downAt = Instant.now();
        engine.process().start();
        Instant startAt = Instant.now();
        engine.awaitReady(Duration.ofMinutes(30));
        Instant readyAt = Instant.now();
        Instant freshAt = awaitFresh(engine, owned);
        Thread.sleep(1_000);
        probe.stop.set(true);
        probing.join(10_000);
        Map<String, Double> restored = restored(engine);
        long ownAgain = owned.stream().filter(k -> servedBy(engine, k).contains(":" + engine.port())).count();
        line("%s: stop took %.1f s; after the start: ready in %.1f s, its %d sampled shipments fresh in %s (%d of them served by itself then); restored %s",
                name, Duration.between(stopAt, downAt).toMillis() / 1000.0, Duration.between(startAt, readyAt).toMillis() / 1000.0, owned.size(),
                freshAt == null ? "NOT within " + FRESH_WITHIN.toSeconds() + " s" : String.format("%.1f s", Duration.between(startAt, freshAt).toMillis() / 1000.0),
                ownAgain, restoredText(restored));
        line("%s   planner-api reads of those shipments from the stop on: %s", name.startsWith("  ") ? "  " : "", probe.summary());
    }

    /** Waits until neither engine's restored-records count moved for 10 s and every key is answered fresh. */
    private Instant awaitSettled(ChaosSystem system, List<String> keys) throws InterruptedException {
        double last = -1;
        Instant stableSince = Instant.now();
        Instant deadline = Instant.now().plus(Duration.ofMinutes(30));
        while (Instant.now().isBefore(deadline)) {
            double now = 0;
            for (int i = 0; i < 2; i++) now += restored(system.services.engine(i)).values().stream().mapToDouble(Double::doubleValue).sum();
            if (now != last) {
                last = now;
                stableSince = Instant.now();
            } else if (Duration.between(stableSince, Instant.now()).toSeconds() >= 10 && awaitFresh(system.services.engine(0), keys) != null) {
                return stableSince;
            }
            Thread.sleep(1_000);
        }
        throw new IllegalStateException("the engines did not finish restoring within 30 minutes");
    }

    /** The first moment every key is answered 200 without X-Waybill-Stale by the restarted instance. */
    private Instant awaitFresh(ServiceProcess engine, List<String> keys) throws InterruptedException {
        Instant deadline = Instant.now().plus(FRESH_WITHIN);
        while (Instant.now().isBefore(deadline)) {
            boolean all = true;
            for (String k : keys) {
                HttpResponse<String> r = get(engine.url() + "/internal/shipments/" + k, engineToken);
                if (r == null || r.statusCode() != 200 || r.headers().firstValue("X-Waybill-Stale").map("true"::equalsIgnoreCase).orElse(false)) {
                    all = false;
                    break;
                }
            }
            if (all) return Instant.now();
            Thread.sleep(100);
        }
        return null;
    }

    private String servedBy(ServiceProcess engine, String key) {
        HttpResponse<String> r = get(engine.url() + "/internal/shipments/" + key, engineToken);
        return r == null ? "" : r.headers().firstValue("X-Waybill-Served-By").orElse("");
    }

    /** Records restored per store, from the instance's Prometheus metrics. */
    private Map<String, Double> restored(ServiceProcess engine) {
        HttpResponse<String> r = get(engine.url() + "/q/metrics", null);
        Map<String, Double> byStore = new TreeMap<>();
        if (r == null) return byStore;
        Matcher m = RESTORED.matcher(r.body());
        while (m.find()) byStore.merge(m.group(1), Double.parseDouble(m.group(2)), Double::sum);
        return byStore;
    }

    private String restoredText(Map<String, Double> restored) {
        double records = restored.values().stream().mapToDouble(Double::doubleValue).sum();
        double bytes = restored.entrySet().stream().mapToDouble(e -> e.getValue() * bytesPerRecord.getOrDefault(
                "waybill-engine-" + e.getKey() + "-changelog", 0.0)).sum();
        return String.format("%,.0f records (%,.1f MB)%s", records, bytes / 1e6, records == 0 ? "" : " " + restored.entrySet().stream()
                .filter(e -> e.getValue() > 0).map(e -> String.format("%s %,.0f", e.getKey(), e.getValue())).collect(Collectors.joining(", ", "[", "]")));
    }

    /** The engines' service token, for the direct queries. */
    private String engineToken;

    private HttpResponse<String> get(String url, String token) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5));
            if (token != null) b.header("Authorization", "Bearer " + token);
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Books new shipments at a steady rate, straight to Kafka (acks=all), until stopped. */
    private static final class Booker implements Runnable {
        static final int PER_SECOND = 20;
        final AtomicBoolean stop = new AtomicBoolean();
        private final String bootstrap;
        private final String registryUrl;
        volatile long sent;

        Booker(String bootstrap, String registryUrl) {
            this.bootstrap = bootstrap;
            this.registryUrl = registryUrl;
        }

        @Override
        public void run() {
            var serializer = WaybillSerdes.withRegistry(registryUrl).value(ShipmentEvent.class).serializer();
            try (var producer = new KafkaProducer<>(Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), serializer)) {
                long next = System.nanoTime();
                for (long i = 0; !stop.get(); i++) {
                    Instant now = Instant.now();
                    String id = "RCV-LOAD-" + i;
                    producer.send(new ProducerRecord<>(WaybillTopic.SHIPMENT_EVENTS.topicName(), id, ShipmentEvent.newBuilder()
                            .setEventId(UUID.randomUUID().toString()).setShipmentId(id).setOccurredAt(now).setRecordedAt(now).setSource("recovery-bench")
                            .setPayload(ShipmentCreated.newBuilder().setOrigin("DE-DEP-BER1").setDestination("DE-DEP-MUC1")
                                    .setServiceLevel(ServiceLevel.STANDARD).setWeightKg(3.0).setHandling(List.of())
                                    .setPromisedDeliveryAt(now.plus(Duration.ofDays(3))).build()).build()));
                    sent = i + 1;
                    next += 1_000_000_000L / PER_SECOND;
                    long wait = next - System.nanoTime();
                    if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Reads the victim's shipments through the planner-api every 50 ms, as a planner's console would. */
    private final class PlannerProbe implements Runnable {
        final AtomicBoolean stop = new AtomicBoolean();
        private final String url;
        private final String token;
        private final List<String> keys;
        private int fresh, stale, unavailable, failed;
        private final Map<Integer, Integer> other = new TreeMap<>();
        private final List<Long> latencies = new ArrayList<>();

        PlannerProbe(String url, String token, List<String> keys) {
            this.url = url;
            this.token = token;
            this.keys = keys;
        }

        @Override
        public void run() {
            Random random = new Random(7);
            while (!stop.get()) {
                long t = System.nanoTime();
                HttpResponse<String> r = get(url + "/api/v1/shipments/" + keys.get(random.nextInt(keys.size())), token);
                long ms = (System.nanoTime() - t) / 1_000_000;
                synchronized (this) {
                    latencies.add(ms);
                    if (r == null) failed++;
                    else if (r.statusCode() == 200 && r.body().contains("\"stale\":true")) stale++;
                    else if (r.statusCode() == 200) fresh++;
                    else if (r.statusCode() == 503) unavailable++;
                    else other.merge(r.statusCode(), 1, Integer::sum);
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        synchronized String summary() {
            List<Long> sorted = new ArrayList<>(latencies);
            Collections.sort(sorted);
            long p50 = sorted.isEmpty() ? 0 : sorted.get(sorted.size() / 2);
            long p99 = sorted.isEmpty() ? 0 : sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(sorted.size() * 0.99) - 1));
            long max = sorted.isEmpty() ? 0 : sorted.get(sorted.size() - 1);
            return String.format("%d reads: %d fresh, %d stale (from the standby), %d 503, other %s, %d without an answer; p50 %d ms, p99 %d ms, max %d ms",
                    sorted.size(), fresh, stale, unavailable, other.isEmpty() ? "none" : other, failed, p50, p99, max);
        }
    }

    private void progress(String message) {
        System.out.printf("[%6.1f s] %s%n", Duration.between(begun, Instant.now()).toMillis() / 1000.0, message);
    }

    private void line(String format, Object... args) {
        String s = String.format(format, args);
        lines.add(s);
        System.out.println(s);
    }

    private void write() throws IOException {
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, String.join("\n", lines) + "\n");
        System.out.println("results: " + out);
    }
}
