package io.waybill.planner.live;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Multi;
import io.waybill.contract.RouteLeg;
import io.waybill.contract.ShipmentException;
import io.waybill.contract.ShipmentState;
import io.waybill.contract.WaybillTopic;
import io.waybill.planner.TopicPartitions;
import io.waybill.topology.catalogue.WaybillSerdes;
import io.waybill.topology.query.ExceptionView;
import io.waybill.topology.query.ShipmentView;
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

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The live stream's source: one consumer per planner-api instance on the shipment-state and
 * shipment-exceptions topics (read_committed, from the latest offsets, every partition assigned, no
 * consumer group), turning records into {@code shipment} and {@code exception} events for the
 * {@link Fanout}; a timer adds a heartbeat comment every {@code waybill.stream.heartbeat-interval}.
 * Records are only decoded while somebody listens.
 */
@ApplicationScoped
public class LiveFeed {

    private static final Logger LOG = Logger.getLogger(LiveFeed.class);
    private static final List<WaybillTopic> TOPICS = List.of(WaybillTopic.SHIPMENT_STATE, WaybillTopic.SHIPMENT_EXCEPTIONS);

    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafkaConfig;

    @ConfigProperty(name = "waybill.registry.url")
    String registryUrl;

    @ConfigProperty(name = "waybill.stream.heartbeat-interval", defaultValue = "PT15S")
    Duration heartbeatInterval;

    @ConfigProperty(name = "waybill.stream.subscriber-buffer", defaultValue = "256")
    int subscriberBuffer;

    @ConfigProperty(name = "waybill.stream.enabled", defaultValue = "true")
    boolean enabled;

    @Inject
    ObjectMapper json;

    @Inject
    MeterRegistry metrics;

    private final CountDownLatch positioned = new CountDownLatch(1);
    private ScheduledExecutorService heartbeats;
    private Fanout fanout;
    private volatile boolean running;
    private Thread thread;
    private KafkaConsumer<String, byte[]> consumer;

    void onStart(@Observes StartupEvent event) {
        fanout = new Fanout(subscriberBuffer);
        metrics.gauge("waybill_planner_stream_subscribers", fanout, Fanout::subscriberCount);
        metrics.more().counter("waybill_planner_stream_dropped_subscribers", List.of(), fanout, Fanout::dropped);
        // Heartbeats do not depend on Kafka: a client can tell a quiet stream from a dead connection.
        heartbeats = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "live-feed-heartbeat");
            t.setDaemon(true);
            return t;
        });
        long every = heartbeatInterval.toMillis();
        heartbeats.scheduleAtFixedRate(() -> fanout.publish(LiveEvent.comment("heartbeat " + Instant.now())), every, every, TimeUnit.MILLISECONDS);
        if (!enabled) {
            LOG.warn("the live stream is off (waybill.stream.enabled=false): subscribers get heartbeats only");
            return;
        }
        Map<String, Object> config = new java.util.HashMap<>(kafkaConfig);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        config.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "waybill-planner-api-live-feed");
        consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
        running = true;
        thread = new Thread(this::run, "live-feed");
        thread.setDaemon(true);
        thread.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        if (heartbeats != null) heartbeats.shutdownNow();
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

    /** The stream of one subscriber: events about {@code facility} (null: all), heartbeats, greeting first. */
    public Multi<LiveEvent> subscribe(String facility) {
        return fanout.subscribe(facility, LiveEvent.comment("connected" + (facility == null ? "" : " facility=" + facility)));
    }

    /** Waits until the consumer has its start offsets, so nothing produced after this returns is missed. */
    public boolean awaitPositioned(Duration timeout) {
        try {
            return positioned.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void run() {
        Deserializer<ShipmentState> states = WaybillSerdes.withRegistry(registryUrl).value(ShipmentState.class).deserializer();
        Deserializer<ShipmentException> exceptions = WaybillSerdes.withRegistry(registryUrl).value(ShipmentException.class).deserializer();
        try {
            List<TopicPartition> partitions = partitions();
            if (partitions == null) return;
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            for (TopicPartition p : partitions) consumer.position(p, Duration.ofSeconds(30)); // resolve "latest" now
            positioned.countDown();
            LOG.infof("live feed reading %d partitions from their latest offsets", partitions.size());
            while (running) {
                var records = consumer.poll(Duration.ofMillis(250));
                if (fanout.hasSubscribers()) {
                    for (ConsumerRecord<String, byte[]> record : records) {
                        if (record.value() == null) continue;
                        try {
                            fanout.publish(toEvent(record, states, exceptions));
                        } catch (RuntimeException e) {
                            LOG.warnf("live feed skips %s-%d@%d: %s", record.topic(), record.partition(), record.offset(), e.getMessage());
                        }
                    }
                }
            }
        } catch (WakeupException e) {
            if (running) LOG.error("live feed stopped unexpectedly", e);
        } catch (RuntimeException e) {
            LOG.error("live feed stopped: " + e.getMessage(), e);
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private List<TopicPartition> partitions() {
        return TopicPartitions.await(consumer, TOPICS, () -> running, "live feed");
    }

    private LiveEvent toEvent(ConsumerRecord<String, byte[]> record, Deserializer<ShipmentState> states,
                              Deserializer<ShipmentException> exceptions) {
        if (record.topic().equals(WaybillTopic.SHIPMENT_STATE.topicName())) {
            ShipmentState state = states.deserialize(record.topic(), record.headers(), record.value());
            return LiveEvent.event("shipment", write(shipmentJson(state)), facilitiesOf(state));
        }
        ShipmentException exception = exceptions.deserialize(record.topic(), record.headers(), record.value());
        return LiveEvent.event("exception", write(ExceptionView.of(exception)),
                exception.getFacilityId() == null ? Set.of() : Set.of(exception.getFacilityId()));
    }

    /** The facilities a shipment concerns: where it is, where it was last scanned, and every leg of its route. */
    static Set<String> facilitiesOf(ShipmentState s) {
        Set<String> facilities = new HashSet<>();
        if (s.getCurrentFacilityId() != null) facilities.add(s.getCurrentFacilityId());
        if (s.getLastFacilityId() != null) facilities.add(s.getLastFacilityId());
        if (s.getRoutePlan() != null) {
            for (RouteLeg leg : s.getRoutePlan().getLegs()) {
                facilities.add(leg.getFromFacilityId());
                facilities.add(leg.getToFacilityId());
            }
        }
        return facilities;
    }

    /**
     * The shipment as the engine's ShipmentView names it, without {@code exceptions}: the state topic
     * does not carry them (they come as exception events), and an empty list would say "none".
     */
    ObjectNode shipmentJson(ShipmentState s) {
        ObjectNode node = json.valueToTree(ShipmentView.of(s));
        node.remove("exceptions");
        return node;
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
