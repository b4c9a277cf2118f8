package io.waybill.planner.network;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import io.waybill.contract.Facility;
import io.waybill.contract.Lane;
import io.waybill.contract.WaybillTopic;
import io.waybill.planner.TopicPartitions;
import io.waybill.contract.WorkflowDefinition;
import io.waybill.topology.catalogue.WaybillSerdes;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An in-memory copy of the compacted network and workflow topics (facilities, lanes, workflows),
 * read whole by one consumer thread: no consumer group (it assigns every partition), read_committed,
 * from the beginning, and on for as long as the API runs. The view is {@link #loaded()} once it has
 * caught up with the end offsets it saw at start; {@link #asOf()} is the last time it was known to
 * be caught up.
 */
@ApplicationScoped
public class NetworkView {

    private static final Logger LOG = Logger.getLogger(NetworkView.class);
    private static final List<WaybillTopic> TOPICS = List.of(WaybillTopic.FACILITIES, WaybillTopic.LANES, WaybillTopic.WORKFLOWS);
    private static final Duration CHECK_END_EVERY = Duration.ofSeconds(2);

    private final Map<String, Facility> facilities = new ConcurrentHashMap<>();
    private final Map<String, Lane> lanes = new ConcurrentHashMap<>();
    /** By name@version. */
    private final Map<String, WorkflowDefinition> workflows = new ConcurrentHashMap<>();
    private final Clock clock = Clock.systemUTC();

    private volatile boolean loaded;
    private volatile Instant asOf;
    private volatile boolean running;
    private Thread thread;
    private KafkaConsumer<String, byte[]> consumer;

    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafkaConfig;

    @ConfigProperty(name = "waybill.registry.url")
    String registryUrl;

    @ConfigProperty(name = "waybill.network-view.enabled", defaultValue = "true")
    boolean enabled;

    void onStart(@Observes StartupEvent event) {
        if (!enabled) {
            LOG.warn("the network view is off (waybill.network-view.enabled=false): network and workflow endpoints answer 503");
            return;
        }
        Map<String, Object> config = new HashMap<>(kafkaConfig);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "waybill-planner-api-network-view");
        consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
        running = true;
        thread = new Thread(this::run, "network-view");
        thread.setDaemon(true);
        thread.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        running = false;
        if (consumer != null) consumer.wakeup();
        if (thread != null) {
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** True once the view has caught up with the topics' end offsets at least once. */
    public boolean loaded() {
        return loaded;
    }

    /** The last time the view was known to hold everything committed on the topics; null before it loaded. */
    public Instant asOf() {
        return asOf;
    }

    public Collection<Facility> facilities() {
        return facilities.values();
    }

    public Optional<Facility> facility(String facilityId) {
        return Optional.ofNullable(facilities.get(facilityId));
    }

    public Collection<Lane> lanes() {
        return lanes.values();
    }

    public Optional<Lane> lane(String laneId) {
        return Optional.ofNullable(lanes.get(laneId));
    }

    /** Every published version of every workflow. */
    public Collection<WorkflowDefinition> workflows() {
        return workflows.values();
    }

    /** The highest published version of a workflow. */
    public Optional<WorkflowDefinition> latestWorkflow(String name) {
        return workflows.values().stream().filter(w -> w.getName().equals(name))
                .max((a, b) -> Integer.compare(a.getVersion(), b.getVersion()));
    }

    private void run() {
        Deserializer<Facility> facility = WaybillSerdes.withRegistry(registryUrl).value(Facility.class).deserializer();
        Deserializer<Lane> lane = WaybillSerdes.withRegistry(registryUrl).value(Lane.class).deserializer();
        Deserializer<WorkflowDefinition> workflow = WaybillSerdes.withRegistry(registryUrl).value(WorkflowDefinition.class).deserializer();
        try {
            List<TopicPartition> partitions = partitions();
            if (partitions == null) return;
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> target = null;
            long nextCheck = System.nanoTime();
            while (running) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    try {
                        apply(record, facility, lane, workflow);
                    } catch (RuntimeException e) {
                        LOG.warnf("skipping %s-%d@%d: cannot read it (%s)", record.topic(), record.partition(), record.offset(), e.getMessage());
                    }
                }
                try {
                    if (!loaded) {
                        // Loaded once everything committed when it started is read.
                        if (target == null) target = consumer.endOffsets(partitions, Duration.ofSeconds(5));
                        if (caughtUp(target)) {
                            loaded = true;
                            asOf = clock.instant();
                            LOG.infof("network view loaded: %d facilities, %d lanes, %d workflow versions",
                                    facilities.size(), lanes.size(), workflows.size());
                        }
                    } else if (System.nanoTime() - nextCheck >= 0) {
                        // Fresh as of now if nothing committed is left to read.
                        nextCheck = System.nanoTime() + CHECK_END_EVERY.toNanos();
                        Instant checkedAt = clock.instant();
                        if (caughtUp(consumer.endOffsets(partitions, Duration.ofSeconds(5)))) asOf = checkedAt;
                    }
                } catch (org.apache.kafka.common.errors.TimeoutException e) {
                    LOG.debugf("network view cannot read end offsets now: %s", e.getMessage());
                }
            }
        } catch (WakeupException e) {
            if (running) LOG.error("network view stopped unexpectedly", e);
        } catch (RuntimeException e) {
            LOG.error("network view stopped: " + e.getMessage(), e);
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private List<TopicPartition> partitions() {
        return TopicPartitions.await(consumer, TOPICS, () -> running, "network view");
    }

    private boolean caughtUp(Map<TopicPartition, Long> endOffsets) {
        for (var end : endOffsets.entrySet()) {
            if (consumer.position(end.getKey()) < end.getValue()) return false;
        }
        return true;
    }

    private void apply(ConsumerRecord<String, byte[]> record, Deserializer<Facility> facility, Deserializer<Lane> lane,
                       Deserializer<WorkflowDefinition> workflow) {
        String key = record.key();
        if (key == null) return;
        byte[] value = record.value();
        if (record.topic().equals(WaybillTopic.FACILITIES.topicName())) {
            put(facilities, key, value == null ? null : facility.deserialize(record.topic(), record.headers(), value));
        } else if (record.topic().equals(WaybillTopic.LANES.topicName())) {
            put(lanes, key, value == null ? null : lane.deserialize(record.topic(), record.headers(), value));
        } else if (record.topic().equals(WaybillTopic.WORKFLOWS.topicName())) {
            put(workflows, key, value == null ? null : workflow.deserialize(record.topic(), record.headers(), value));
        }
    }

    /** The latest record per key is the entity; a tombstone deletes it. */
    private static <T> void put(Map<String, T> map, String key, T value) {
        if (value == null) map.remove(key);
        else map.put(key, value);
    }
}
