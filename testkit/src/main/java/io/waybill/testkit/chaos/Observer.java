package io.waybill.testkit.chaos;

import io.waybill.contract.ShipmentState;
import io.waybill.contract.WaybillTopic;
import io.waybill.testkit.bench.TopicTail;
import io.waybill.topology.catalogue.WaybillSerdes;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What a user would see during the run, sampled from outside the system: event → state latency (the
 * state topic read read_committed, matched by lastEventId to when the harness first sent the event),
 * the engine's consumer lag on its input topics, and the planner-api's answers to a shipment read.
 */
final class Observer implements AutoCloseable {

    /** One event seen on the state topic: when, and how long after it was first sent. */
    record Latency(long atMs, long millis) {
    }

    /** The engine's lag (records) at a moment; -1 when the brokers could not say. */
    record Lag(long atMs, long records) {
    }

    /** A planner-api read not answered within this is a hang (the API's own deadline is 4 s: a 503 then). */
    static final Duration HANG = Duration.ofSeconds(10);

    /**
     * One planner-api read: when, how it was answered (HTTP status, -1 for no answer within {@link #HANG}
     * or a failed connection), how long it took, stale or not, and for -1 what the client saw.
     */
    record Read(long atMs, int status, long millis, boolean stale, boolean retryAfter, String failure) {
    }

    private final String engineGroup;
    private final Admin admin;
    private final TopicTail<ShipmentState> states;
    private final Function<String, Long> firstSent;
    private final List<Latency> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
    private final List<Lag> lags = java.util.Collections.synchronizedList(new ArrayList<>());
    private final List<Read> reads = java.util.Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Boolean> matched = new ConcurrentHashMap<>();
    private final List<String> seenShipments = java.util.Collections.synchronizedList(new ArrayList<>());
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<Thread> threads = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final String plannerUrl;
    private final String token;

    Observer(String bootstrap, String registryUrl, String engineGroup, String plannerUrl, String viewerToken, Function<String, Long> firstSent) {
        this.engineGroup = engineGroup;
        this.firstSent = firstSent;
        this.plannerUrl = plannerUrl;
        this.token = viewerToken;
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 8_000));
        this.states = new TopicTail<>(bootstrap, WaybillTopic.SHIPMENT_STATE.topicName(),
                WaybillSerdes.withRegistry(registryUrl).value(ShipmentState.class).deserializer(), seen -> {
                    ShipmentState s = seen.value();
                    if (s == null || s.getLastEventId() == null) return;
                    Long sent = firstSent.apply(s.getLastEventId());
                    if (sent != null && matched.putIfAbsent(s.getLastEventId(), Boolean.TRUE) == null) {
                        latencies.add(new Latency(seen.receivedMs(), seen.receivedMs() - sent));
                    }
                    if (seenShipments.size() < 100_000 && !s.getShipmentId().startsWith("CHAOS-")) seenShipments.add(s.getShipmentId());
                });
    }

    Observer start() {
        threads.add(loop("chaos-lag", Duration.ofSeconds(2), this::sampleLag));
        Random random = new Random(7);
        threads.add(loop("chaos-planner-probe", Duration.ofMillis(250), () -> probe(random)));
        return this;
    }

    private Thread loop(String name, Duration every, Runnable body) {
        Thread t = new Thread(() -> {
            while (!stop.get()) {
                body.run();
                try {
                    Thread.sleep(every.toMillis());
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private void sampleLag() {
        long at = System.currentTimeMillis();
        try {
            Map<TopicPartition, Long> committed = admin.listConsumerGroupOffsets(engineGroup).partitionsToOffsetAndMetadata()
                    .get(8, TimeUnit.SECONDS).entrySet().stream()
                    .filter(e -> e.getValue() != null && isInput(e.getKey().topic()))
                    .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
            if (committed.isEmpty()) return;
            Map<TopicPartition, Long> end = admin.listOffsets(committed.keySet().stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest())),
                    new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED)).all().get(8, TimeUnit.SECONDS).entrySet().stream()
                    .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
            long lag = committed.entrySet().stream().mapToLong(e -> Math.max(0, end.get(e.getKey()) - e.getValue())).sum();
            lags.add(new Lag(at, lag));
        } catch (Exception e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            lags.add(new Lag(at, -1));
        }
    }

    private static boolean isInput(String topic) {
        return topic.equals(WaybillTopic.SHIPMENT_EVENTS.topicName()) || topic.equals(WaybillTopic.PLANNER_COMMANDS.topicName());
    }

    private void probe(Random random) {
        String id;
        synchronized (seenShipments) {
            if (seenShipments.isEmpty()) return;
            id = seenShipments.get(random.nextInt(seenShipments.size()));
        }
        long started = System.nanoTime();
        long at = System.currentTimeMillis();
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(plannerUrl + "/api/v1/shipments/" + id))
                    .timeout(HANG).header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
            boolean stale = r.body().contains("\"stale\":true");
            reads.add(new Read(at, r.statusCode(), (System.nanoTime() - started) / 1_000_000, stale, r.headers().firstValue("Retry-After").isPresent(), null));
        } catch (Exception e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            reads.add(new Read(at, -1, (System.nanoTime() - started) / 1_000_000, false, false, e.toString()));
        }
    }

    /** The current lag, or -1 when it could not be read. */
    long lagNow() {
        sampleLag();
        synchronized (lags) {
            return lags.isEmpty() ? -1 : lags.get(lags.size() - 1).records();
        }
    }

    List<Latency> latencies() {
        synchronized (latencies) {
            return List.copyOf(latencies);
        }
    }

    List<Lag> lags() {
        synchronized (lags) {
            return List.copyOf(lags);
        }
    }

    List<Read> reads() {
        synchronized (reads) {
            return List.copyOf(reads);
        }
    }

    void check() {
        states.check();
    }

    @Override
    public void close() {
        stop.set(true);
        threads.forEach(Thread::interrupt);
        states.close();
        admin.close(Duration.ofSeconds(5));
    }
}
