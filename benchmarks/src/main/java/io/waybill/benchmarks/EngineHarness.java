package io.waybill.benchmarks;

import io.waybill.contract.Facility;
import io.waybill.contract.Lane;
import io.waybill.contract.ShipmentEvent;
import io.waybill.contract.ShipmentException;
import io.waybill.contract.WaybillTopic;
import io.waybill.topology.TopologySettings;
import io.waybill.topology.WaybillTopology;
import io.waybill.topology.catalogue.WaybillSerdes;
import io.waybill.topology.catalogue.WaybillStores;
import io.waybill.topology.routing.SeedNetwork;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.processor.internals.GlobalStateUpdateTask;
import org.apache.kafka.streams.processor.internals.StreamTask;
import org.apache.kafka.streams.state.KeyValueStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.AccessibleObject;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The engine topology ({@link WaybillTopology#build}) in a {@link TopologyTestDriver}: one task,
 * in-process, with its real RocksDB stores (changelogged to the driver's mock producer) and no
 * broker, driven the way a stream thread drives it.
 *
 * <p><b>Why not plain {@code pipeInput}.</b> The driver commits after every input record and forces a
 * checkpoint each time, which flushes every RocksDB store to a new SST file: measured here, that gave
 * 30 bookings/s with the state directory on disk and 150/s on tmpfs, with the main thread in
 * {@code RocksDB.flush} in almost every stack sample. That measures the driver, not the engine. A
 * stream thread under exactly_once_v2 commits every {@code commit.interval.ms} (100 ms) and does not
 * flush or checkpoint the stores at a commit (RocksDB flushes its memtables itself when they fill).
 * Likewise the driver checkpoints (flushes and fsyncs) the global stores after every record of a
 * global topic, and the engine writes one lane-load total per booked lane-day, which brought bookings
 * down to 15-70/s; the global thread checkpoints on its commit interval. So this harness hands records
 * to the driver's task itself, commits the way the stream thread does ({@code prepareCommit}, the
 * driver's commit of the producer transaction, {@code postCommit(false)}) every commit interval, and
 * then routes what the engine wrote itself ({@link #capture}). It reaches the driver's task, clock,
 * producer, global task and a few private methods by reflection (written against Kafka Streams
 * 4.1.2, checked on 4.4.0); if an upgrade renames them, the constructor fails saying so. A
 * zero commit interval commits after every record (still without the forced checkpoint).
 *
 * <p><b>Clock.</b> The driver's mock wall clock is the engine's clock. In the measured loops it is
 * advanced by the real time each step took ({@link #elapse}), so ticks come every tick interval of
 * processing time, as on a stream thread that always has input waiting; in the set-up phases it
 * stands still or jumps ({@link #advanceTo}).
 */
public final class EngineHarness implements AutoCloseable {

    static final String KAFKA_STREAMS_VERSION = kafkaVersion();

    private static String kafkaVersion() {
        try (var in = TopologyTestDriver.class.getClassLoader().getResourceAsStream("kafka/kafka-version.properties")) {
            var p = new java.util.Properties();
            if (in != null) p.load(in);
            return p.getProperty("version", "unknown");
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    private final TopologySettings settings;
    private final Instant start;
    private final Path stateDir;
    private final TopologyTestDriver driver;
    private final WaybillSerdes serdes = WaybillSerdes.withoutRegistry();
    private final String facilitiesTopic = WaybillTopic.FACILITIES.topicName();
    private final String lanesTopic = WaybillTopic.LANES.topicName();
    private final Serializer<Facility> facilitySerializer;
    private final Serializer<Lane> laneSerializer;
    private final TestOutputTopic<String, ShipmentException> exceptions;
    private final Serializer<ShipmentEvent> eventSerializer;
    private final String eventsTopic = WaybillTopic.SHIPMENT_EVENTS.topicName();
    private final String exceptionsTopic = WaybillTopic.SHIPMENT_EXCEPTIONS.topicName();
    private final long commitIntervalMs;

    // The driver's internals (see the class comment).
    private final StreamTask task;
    private final Time clock;
    private final Method enqueue;
    private final Method commit;
    private final Method inputPartition;
    private final MockProducer<byte[], byte[]> producer;
    private final GlobalStateUpdateTask globalTask;
    private final Map<String, TopicPartition> globalPartitions;
    private final Map<TopicPartition, AtomicLong> offsets;
    private final Map<String, Queue<ProducerRecord<byte[], byte[]>>> outputs;
    private final TopicPartition eventsPartition;

    private final java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
    private boolean keepExceptions = true;
    private long lastCpuNanos;
    private long carryNanos;
    private long lastCommitMs;
    private long commits;
    private long commitNanos;
    private long maxCommitNanos;

    /**
     * @param stateDir under which RocksDB keeps the stores, in a new directory deleted on close (null: the system's temporary directory)
     * @param commitInterval commit this often (engine clock); {@link Duration#ZERO} commits after every record, as the plain driver does
     */
    public EngineHarness(TopologySettings settings, Instant start, Path stateDir, Duration commitInterval) {
        this(settings, start, stateDir, commitInterval, io.waybill.topology.EngineMeters.NONE);
    }

    /** As above, the engine reporting to {@code meters} (timer lateness, re-plan waits). */
    public EngineHarness(TopologySettings settings, Instant start, Path stateDir, Duration commitInterval,
                         io.waybill.topology.EngineMeters meters) {
        this.settings = settings;
        this.start = start;
        this.commitIntervalMs = commitInterval.toMillis();
        try {
            this.stateDir = stateDir == null ? Files.createTempDirectory("waybill-bench-")
                    : Files.createTempDirectory(Files.createDirectories(stateDir), "waybill-bench-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "waybill-engine-bench");
        props.put(StreamsConfig.STATE_DIR_CONFIG, this.stateDir.toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        driver = new TopologyTestDriver(WaybillTopology.build(serdes, settings, meters), props, start);
        facilitySerializer = serdes.value(Facility.class).serializer();
        laneSerializer = serdes.value(Lane.class).serializer();
        exceptions = driver.createOutputTopic(exceptionsTopic, serdes.key().deserializer(),
                serdes.value(ShipmentException.class).deserializer());
        eventSerializer = serdes.value(ShipmentEvent.class).serializer();
        try {
            Class<?> type = TopologyTestDriver.class;
            enqueue = type.getDeclaredMethod("enqueueTaskRecord", String.class, TopicPartition.class, long.class, byte[].class,
                    byte[].class, Headers.class);
            commit = type.getDeclaredMethod("commit", Map.class);
            inputPartition = type.getDeclaredMethod("getInputTopicOrPatternPartition", String.class);
            Field taskField = type.getDeclaredField("task");
            Field clockField = type.getDeclaredField("mockWallClockTime");
            Field outputsField = type.getDeclaredField("outputRecordsByTopic");
            Field producerField = type.getDeclaredField("producer");
            Field globalTaskField = type.getDeclaredField("globalStateTask");
            Field globalPartitionsField = type.getDeclaredField("globalPartitionsByInputTopic");
            Field offsetsField = type.getDeclaredField("offsetsByTopicOrPatternPartition");
            for (AccessibleObject o : new AccessibleObject[]{enqueue, commit, inputPartition, taskField, clockField, outputsField,
                    producerField, globalTaskField, globalPartitionsField, offsetsField}) {
                o.setAccessible(true);
            }
            task = (StreamTask) taskField.get(driver);
            clock = (Time) clockField.get(driver);
            outputs = cast(outputsField.get(driver));
            producer = cast(producerField.get(driver));
            globalTask = (GlobalStateUpdateTask) globalTaskField.get(driver);
            globalPartitions = cast(globalPartitionsField.get(driver));
            offsets = cast(offsetsField.get(driver));
            eventsPartition = (TopicPartition) inputPartition.invoke(driver, eventsTopic);
        } catch (ReflectiveOperationException | RuntimeException e) {
            driver.close();
            throw new IllegalStateException("TopologyTestDriver's internals are not what this harness was written against (Kafka Streams 4.1.2 and 4.4.0; this is "
                    + KAFKA_STREAMS_VERSION + "): " + e, e);
        }
        lastCommitMs = clock.milliseconds();
    }

    public TopologySettings settings() {
        return settings;
    }

    public Path stateDir() {
        return stateDir;
    }

    /** The engine's wall clock. */
    public Instant now() {
        return Instant.ofEpochMilli(clock.milliseconds());
    }

    /** When the driver started: ticks run at start + k × tickInterval. */
    public Instant start() {
        return start;
    }

    /** The first tick strictly after the engine's current time. */
    public Instant nextTick() {
        long interval = settings.tickInterval().toMillis();
        long since = clock.milliseconds() - start.toEpochMilli();
        return start.plusMillis((since / interval + 1) * interval);
    }

    // ---- the network ----------------------------------------------------------------------------------

    /**
     * Publishes every facility and lane to the (global) network topics, then lets one tick notice them.
     * (As the global thread would: the driver's own {@code pipeInput} checkpoints the global stores after
     * every record, hundreds of fsyncs here.)
     */
    public void publish(SeedNetwork network) {
        for (Facility f : network.facilities()) global(facilitiesTopic, f.getFacilityId(), facilitySerializer.serialize(facilitiesTopic, f));
        for (Lane l : network.lanes()) global(lanesTopic, l.getLaneId(), laneSerializer.serialize(lanesTopic, l));
        globalTask.flushState();
        advanceTo(nextTick());
    }

    /** Publishes one facility (its new status) to the global facilities topic. */
    public void publish(Facility facility) {
        global(facilitiesTopic, facility.getFacilityId(), facilitySerializer.serialize(facilitiesTopic, facility));
    }

    private void global(String topic, String key, byte[] value) {
        TopicPartition partition = globalPartitions.get(topic);
        long offset = offsets.get(partition).incrementAndGet() - 1;
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        globalTask.update(new ConsumerRecord<>(topic, partition.partition(), offset, clock.milliseconds(), TimestampType.CREATE_TIME,
                k.length, value.length, k, value, new RecordHeaders(), Optional.empty()));
    }

    // ---- input ------------------------------------------------------------------------------------------

    /**
     * Hands an event to the task (as a poll would); nothing is processed yet. Records the engine
     * writes to its own input topics (lane-load deltas for the aggregator, engine-issued commands)
     * are handed to the task by the driver at each commit.
     */
    public void enqueue(ShipmentEvent event) {
        byte[] key = event.getShipmentId().getBytes(StandardCharsets.UTF_8);
        byte[] value = eventSerializer.serialize(eventsTopic, event);
        invoke(enqueue, eventsTopic, eventsPartition, event.getRecordedAt().toEpochMilli(), key, value, new RecordHeaders());
    }

    public boolean hasQueued() {
        return task.hasRecordsQueued();
    }

    /**
     * Set-up: processes the events with the clock standing still, committing every commit interval of
     * real time, and returns how many events were piped. What the engine feeds back to itself (the
     * lane-load deltas its aggregator sums, engine-issued commands) is processed too, as a stream
     * thread would; {@link #settle} is called at the end.
     */
    public long pipe(Iterator<ShipmentEvent> events, String what, long expected) {
        long piped = 0;
        long started = System.nanoTime();
        long lastCommit = started;
        long nextReport = started + 10_000_000_000L;
        while (events.hasNext()) {
            for (int i = 0; i < 500 && events.hasNext(); i++) {
                enqueue(events.next());
                piped++;
            }
            processQueued(false);
            long now = System.nanoTime();
            if (commitIntervalMs == 0 || now - lastCommit >= commitIntervalMs * 1_000_000L) {
                commitNow(false);
                lastCommit = System.nanoTime();
            }
            if (now > nextReport) {
                System.out.printf("  %s: %,d of %,d (%,.0f/s)%n", what, piped, expected, piped / ((now - started) / 1e9));
                nextReport = now + 10_000_000_000L;
            }
        }
        settle();
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("  %s: %,d in %.1f s (%,.0f/s)%n", what, piped, seconds, piped / seconds);
        return piped;
    }

    /**
     * Set-up: commits, then processes what the commit fed back into the task (lane-load deltas for the
     * aggregator) and commits again, until nothing is left, so the lane-load global store is current.
     */
    public void settle() {
        commitNow(false);
        while (hasQueued()) {
            processQueued(false);
            commitNow(false);
        }
    }

    // ---- the emulated stream thread -----------------------------------------------------------------

    /**
     * Processes the next queued record and returns the real nanoseconds it took; with {@code realTime}
     * the engine clock moves on by that much.
     */
    public long processOne(boolean realTime) {
        task.resumePollingForPartitionsWithAvailableSpace();
        task.updateLags();
        long c0 = threads.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        if (!task.process(clock.milliseconds())) {
            throw new IllegalStateException("the task has nothing processable although records are queued");
        }
        long took = System.nanoTime() - t0;
        lastCpuNanos = threads.getCurrentThreadCpuTime() - c0;
        if (realTime) elapse(took);
        return took;
    }

    /**
     * CPU time of this thread in the last {@link #processOne}: on a machine shared with other work,
     * real time includes waiting for a core, CPU time does not (nor RocksDB's background threads).
     */
    public long lastCpuNanos() {
        return lastCpuNanos;
    }

    /**
     * A tick that ran: the engine time it ran at (its {@code now}, so the detectedAt of what it raised),
     * its real nanoseconds and the CPU nanoseconds of this thread.
     */
    public record Punctuation(Instant at, long nanos, long cpuNanos) {
        public Instant end() {
            return at.plusNanos(nanos);
        }
    }

    /** Processes every queued record; returns the real nanoseconds it took. */
    public long processQueued(boolean realTime) {
        long total = 0;
        while (hasQueued()) total += processOne(realTime);
        return total;
    }

    /** Runs the tick if one is due at the engine's current time; null if none was. */
    public Punctuation punctuateIfDue(boolean realTime) {
        Instant at = now();
        long c0 = threads.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        boolean ran = task.maybePunctuateSystemTime();
        long took = System.nanoTime() - t0;
        if (!ran) return null;
        long cpu = threads.getCurrentThreadCpuTime() - c0;
        if (realTime) elapse(took);
        return new Punctuation(at, took, cpu);
    }

    /**
     * Commits when the commit interval has passed on the engine clock (always, with a zero interval):
     * its real nanoseconds, or -1.
     */
    public long commitIfDue(boolean realTime) {
        if (commitIntervalMs > 0 && clock.milliseconds() - lastCommitMs < commitIntervalMs) return -1;
        return commitNow(realTime);
    }

    /** Commits (flushes every store, commits the producer's transaction) and returns its real nanoseconds. */
    public long commitNow(boolean realTime) {
        long t0 = System.nanoTime();
        invoke(commit, task.prepareCommit(true));
        task.postCommit(false);
        long took = System.nanoTime() - t0;
        capture();
        lastCommitMs = clock.milliseconds();
        commits++;
        commitNanos += took;
        maxCommitNanos = Math.max(maxCommitNanos, took);
        if (realTime) elapse(took);
        return took;
    }

    /**
     * What the driver's own capture does after a commit, minus its per-record checkpoint of global
     * stores: records the engine wrote to its own input topics (lane-load deltas, engine-issued
     * commands) go back to the task, records for global topics (the lane-load totals) update the
     * global store as the global thread would (which checkpoints on its commit interval, not per
     * record), published exceptions are kept for {@link #readExceptions}, the rest is dropped.
     * Not timed: in an engine this is the producer, the broker and the global thread.
     */
    private void capture() {
        List<ProducerRecord<byte[], byte[]>> sent = producer.history();
        producer.clear();
        for (ProducerRecord<byte[], byte[]> r : sent) {
            String topic = r.topic();
            TopicPartition input = (TopicPartition) invoke(inputPartition, topic);
            if (input != null) {
                invoke(enqueue, topic, input, r.timestamp(), r.key(), r.value(), r.headers());
                continue;
            }
            TopicPartition global = globalPartitions.get(topic);
            if (global != null) {
                long offset = offsets.get(global).incrementAndGet() - 1;
                globalTask.update(new ConsumerRecord<>(topic, global.partition(), offset, r.timestamp(), TimestampType.CREATE_TIME,
                        r.key() == null ? -1 : r.key().length, r.value() == null ? -1 : r.value().length, r.key(), r.value(), r.headers(),
                        Optional.empty()));
                continue;
            }
            if (keepExceptions && topic.equals(exceptionsTopic)) {
                outputs.computeIfAbsent(topic, t -> new java.util.LinkedList<>()).add(r);
            }
        }
        globalTask.maybeCheckpoint();
        dropOtherOutput();
    }

    @SuppressWarnings("unchecked")
    private static <T> T cast(Object o) {
        return (T) o;
    }

    /** Moves the engine clock on by real time spent (kept to the nanosecond; the clock moves in whole milliseconds). */
    public void elapse(long nanos) {
        carryNanos += nanos;
        long ms = carryNanos / 1_000_000;
        if (ms > 0) {
            clock.sleep(ms);
            carryNanos -= ms * 1_000_000;
        }
    }

    /** Idles until {@code at} (no time is spent): the engine clock jumps there. */
    public void idleUntil(Instant at) {
        long ms = at.toEpochMilli() - clock.milliseconds();
        if (ms > 0) clock.sleep(ms);
        carryNanos = 0;
    }

    /** Set-up: jumps the clock to {@code at}, runs the tick if one is due and {@link #settle settles}. Returns the tick, or null. */
    public Punctuation advanceTo(Instant at) {
        idleUntil(at);
        Punctuation tick = punctuateIfDue(false);
        settle();
        return tick;
    }

    public long commits() {
        return commits;
    }

    public long commitNanos() {
        return commitNanos;
    }

    public long maxCommitNanos() {
        return maxCommitNanos;
    }

    // ---- output and stores ----------------------------------------------------------------------------

    /** The exceptions published since the last call (committed ones: the driver sees a transaction's records at commit). */
    public List<ShipmentException> readExceptions() {
        return exceptions.readValuesToList();
    }

    /** Whether published exceptions are kept for {@link #readExceptions} (otherwise dropped at each commit, as all other output is). */
    public void keepExceptions(boolean keep) {
        this.keepExceptions = keep;
        if (!keep) dropExceptions();
    }

    private void dropExceptions() {
        Queue<ProducerRecord<byte[], byte[]>> q = outputs.get(exceptionsTopic);
        if (q != null) q.clear();
    }

    /** Drops everything but the exceptions the engine wrote (state topic, changelogs, instructions, ...) so memory stays bounded. */
    private void dropOtherOutput() {
        outputs.forEach((topic, records) -> {
            if (!topic.equals(exceptionsTopic)) records.clear();
        });
    }

    /** How many records each output topic has waiting (for tests and sanity checks). */
    public long waiting(String topic) {
        Queue<ProducerRecord<byte[], byte[]>> q = outputs.get(topic);
        return q == null ? 0 : q.size();
    }

    public <V> KeyValueStore<String, V> store(String name) {
        return driver.getKeyValueStore(name);
    }

    /** Counts a store's entries by iterating it (exact, unlike RocksDB's estimate). */
    public long count(String store) {
        long n = 0;
        try (var it = driver.<String, Object>getKeyValueStore(store).all()) {
            while (it.hasNext()) {
                it.next();
                n++;
            }
        }
        return n;
    }

    /** Counts the shipment index's keys with a prefix (ShipmentIndex.routeFacilityPrefix(...), ...). */
    public long countIndex(String prefix) {
        long n = 0;
        try (var it = driver.<String, String>getKeyValueStore(WaybillStores.SHIPMENT_INDEX)
                .prefixScan(prefix, org.apache.kafka.common.serialization.Serdes.String().serializer())) {
            while (it.hasNext()) {
                it.next();
                n++;
            }
        }
        return n;
    }

    /** On-disk size of the state directory. */
    public long stateBytes() {
        try (Stream<Path> files = Files.walk(stateDir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        } catch (IOException e) {
            return -1;
        }
    }

    @Override
    public void close() {
        try {
            driver.close();
        } finally {
            try (Stream<Path> files = Files.walk(stateDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a scratch directory: best effort
            }
        }
    }

    private Object invoke(Method method, Object... args) {
        try {
            return method.invoke(driver, args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw new IllegalStateException(e.getCause());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }
}
