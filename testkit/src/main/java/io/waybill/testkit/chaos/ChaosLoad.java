package io.waybill.testkit.chaos;

import io.waybill.contract.ArrivedAtFacility;
import io.waybill.contract.ServiceLevel;
import io.waybill.contract.ShipmentCreated;
import io.waybill.contract.ShipmentEvent;
import io.waybill.contract.WaybillTopic;
import io.waybill.testkit.WaybillServices;
import io.waybill.testkit.bench.Traffic;
import io.waybill.topology.catalogue.WaybillSerdes;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The sustained load of a chaos run: realistic journeys over the seed network ({@link Traffic}: damage,
 * failed attempts, mis-sorts, late scans, resends of the same eventId) sent at a fixed rate, a share
 * of them through the gateway's HTTP API and the rest straight to Kafka; shipments left stalled with a
 * promise a minute ahead, so that timers raise SLA exceptions during the run; and a few records meant
 * for the dead letters (bytes that are no event, an event keyed by the wrong shipment).
 *
 * <p>Every event is sent until it is acknowledged (a 202 from the gateway, an ack from the brokers),
 * with the same eventId: what the checker then expects is exactly the set of acknowledged events.
 * Journeys are the standard-parcel workflow's (standard service, no handling flags), the one the
 * reference model knows. Event times follow the sending: occurredAt is the moment an event is first
 * sent, except that a scan Traffic sends late is dated just before the one it was overtaken by, so
 * the engine sees out-of-order events as warehouses produce them.
 *
 * <p>The load goes on past its count while faults are still to come (up to the traffic given), so
 * that no fault of the schedule falls after the load has stopped.
 */
final class ChaosLoad implements AutoCloseable {

    /** A stalled shipment: booked and scanned once, promised for {@code promise}, then never moved again. */
    record Stalled(String shipmentId, Instant promise) {
    }

    /** A record sent to be dead-lettered: where it landed and why it should be refused. */
    record Poison(String topic, int partition, long offset, String why) {
    }

    private static final String SOURCE = "chaos";
    /** Selects the chaos-escalation workflow (testkit resource chaos/chaos-escalation.yaml): SLA breaches escalate after 20 s. */
    static final String ESCALATING_CUSTOMER = "chaos-escalation";
    /** How long an unacknowledged SLA breach of a stalled shipment waits before it escalates and notifies. */
    static final java.time.Duration ESCALATION = java.time.Duration.ofSeconds(20);

    private final List<ShipmentEvent> traffic;
    /** At least this many events are sent; more while faults are still to come, so that every fault happens under load. */
    private final long events;
    private final java.util.function.BooleanSupplier faultsPending;
    private final double rate;
    private final double gatewayShare;
    private final int stallEvery;
    private final int poisonEvery;
    private final Random random;
    private final String gatewayUrl;
    private final Producer<String, ShipmentEvent> producer;
    private final Producer<String, byte[]> rawProducer;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private final Consumer<String> progress;

    private final Map<String, ShipmentEvent> stamped = new ConcurrentHashMap<>();
    private final Map<String, Long> firstSentMs = new ConcurrentHashMap<>();
    private final Set<String> acked = ConcurrentHashMap.newKeySet();
    private final Set<String> refused = ConcurrentHashMap.newKeySet();
    private final Set<String> viaGateway = ConcurrentHashMap.newKeySet();
    private final List<Stalled> stalled = new ArrayList<>();
    private final List<Poison> poisons = java.util.Collections.synchronizedList(new ArrayList<>());
    private final LinkedBlockingDeque<ShipmentEvent> gatewayQueue = new LinkedBlockingDeque<>();
    private final LinkedBlockingDeque<ShipmentEvent> directQueue = new LinkedBlockingDeque<>();
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private final AtomicLong sends = new AtomicLong();
    private final AtomicLong resendsAfterFailure = new AtomicLong();
    private final AtomicLong gatewaySpooled = new AtomicLong();
    private final Map<Integer, AtomicLong> gatewayStatuses = new ConcurrentHashMap<>();
    private final List<String> refusals = java.util.Collections.synchronizedList(new ArrayList<>());
    private final AtomicBoolean stop = new AtomicBoolean();
    private final java.util.concurrent.ScheduledExecutorService retries = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "chaos-retries");
        t.setDaemon(true);
        return t;
    });
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean generating = true;
    private volatile long generatedAtMs;

    ChaosLoad(List<ShipmentEvent> traffic, long events, java.util.function.BooleanSupplier faultsPending, double rate, double gatewayShare, int stallEvery, int poisonEvery, long seed,
              String bootstrap, String registryUrl, String gatewayUrl, Consumer<String> progress) {
        this.traffic = traffic;
        this.events = events;
        this.faultsPending = faultsPending;
        this.rate = rate;
        this.gatewayShare = gatewayShare;
        this.stallEvery = stallEvery;
        this.poisonEvery = poisonEvery;
        this.random = new Random(seed);
        this.gatewayUrl = gatewayUrl + "/api/v1/events";
        this.progress = progress;
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        // Through a broker's restart and a paused broker: the harness resends what times out anyway.
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 60_000);
        // The partitioner every Waybill client uses (murmur2 of the key), as the engine expects.
        this.producer = new KafkaProducer<>(config, new StringSerializer(),
                WaybillSerdes.withRegistry(registryUrl).value(ShipmentEvent.class).serializer());
        this.rawProducer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
    }

    /** Starts sending; {@link #generating()} turns false once every event has been sent once. */
    ChaosLoad start() {
        threads.add(thread("chaos-load", this::generate));
        threads.add(thread("chaos-direct", this::sendDirect));
        for (int i = 0; i < 3; i++) threads.add(thread("chaos-gateway-" + i, this::sendToGateway));
        return this;
    }

    private Thread thread(String name, Runnable body) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (RuntimeException e) {
                if (!stop.get()) progress.accept(name + " failed: " + e);
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private void generate() {
        long started = System.nanoTime();
        Map<String, TreeMap<Instant, Instant>> times = new HashMap<>();
        Map<String, Integer> remaining = new HashMap<>();
        traffic.forEach(e -> remaining.merge(e.getShipmentId(), 1, Integer::sum));
        long n = 0;
        for (ShipmentEvent original : traffic) {
            if (stop.get()) return;
            if (n >= events && !faultsPending.getAsBoolean()) break;
            pace(started, n++);
            ShipmentEvent event = stamped.get(original.getEventId());
            if (event == null) {
                event = restamp(original, times.computeIfAbsent(original.getShipmentId(), k -> new TreeMap<>()));
            }
            if (remaining.merge(original.getShipmentId(), -1, Integer::sum) == 0) {
                times.remove(original.getShipmentId());
                remaining.remove(original.getShipmentId());
            }
            send(event, random.nextDouble() < gatewayShare);
            if (stallEvery > 0 && n % stallEvery == 0) stall(n / stallEvery);
            if (poisonEvery > 0 && n % poisonEvery == 0) poison(n / poisonEvery);
        }
        generatedAtMs = System.currentTimeMillis();
        generating = false;
        progress.accept(String.format("load: all %,d events sent once (%,d through the gateway)", sends.get(), viaGateway.size()));
    }

    private void pace(long started, long n) {
        long due = started + (long) (n * 1e9 / rate);
        long wait = due - System.nanoTime();
        if (wait > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** occurredAt is now, unless an event of the journey that Traffic dates later was already sent: then just before it. */
    private ShipmentEvent restamp(ShipmentEvent original, TreeMap<Instant, Instant> journey) {
        Instant now = Instant.now();
        Map.Entry<Instant, Instant> overtaken = journey.higherEntry(original.getOccurredAt());
        Instant at;
        if (overtaken != null) {
            at = overtaken.getValue().minusMillis(1);
        } else {
            Instant last = journey.isEmpty() ? Instant.EPOCH : journey.lastEntry().getValue();
            at = now.isAfter(last) ? now : last.plusMillis(1);
        }
        journey.put(original.getOccurredAt(), at);
        ShipmentEvent event = ShipmentEvent.newBuilder(original).setOccurredAt(at).setRecordedAt(now).setSource(SOURCE).build();
        if (event.getPayload() instanceof ShipmentCreated created) {
            // The standard-parcel workflow, the one the reference model folds.
            event.setPayload(ShipmentCreated.newBuilder(created).setServiceLevel(ServiceLevel.STANDARD).setHandling(List.of()).build());
        }
        return event;
    }

    private void send(ShipmentEvent event, boolean gateway) {
        stamped.putIfAbsent(event.getEventId(), event);
        firstSentMs.putIfAbsent(event.getEventId(), System.currentTimeMillis());
        sends.incrementAndGet();
        if (gateway) {
            viaGateway.add(event.getEventId());
            gatewayQueue.add(event);
        } else {
            directQueue.add(event);
        }
    }

    private void stall(long n) {
        String id = "CHAOS-STALL-" + n;
        Instant now = Instant.now();
        Instant promise = now.plusSeconds(45);
        stalled.add(new Stalled(id, promise));
        boolean gateway = random.nextDouble() < gatewayShare;
        send(ShipmentEvent.newBuilder().setEventId(java.util.UUID.randomUUID().toString()).setShipmentId(id).setOccurredAt(now)
                .setRecordedAt(now).setSource(SOURCE).setPayload(ShipmentCreated.newBuilder().setOrigin("DE-DEP-BER1").setDestination("DE-DEP-MUC1")
                        .setServiceLevel(ServiceLevel.STANDARD).setPromisedDeliveryAt(promise).setWeightKg(1.5).setHandling(List.of())
                        .setCustomerId(ESCALATING_CUSTOMER).build())
                .build(), gateway);
        send(ShipmentEvent.newBuilder().setEventId(java.util.UUID.randomUUID().toString()).setShipmentId(id).setOccurredAt(now.plusMillis(1))
                .setRecordedAt(now).setSource(SOURCE).setPayload(new ArrivedAtFacility("DE-DEP-BER1")).build(), gateway);
    }

    /** Two records the engine must refuse into the dead letters: bytes that are no event, and an event under another shipment's key. */
    private void poison(long n) {
        String topic = WaybillTopic.SHIPMENT_EVENTS.topicName();
        rawProducer.send(new ProducerRecord<>(topic, "CHAOS-POISON-" + n, ("not an event " + n).getBytes(StandardCharsets.UTF_8)),
                (metadata, error) -> {
                    if (error == null) poisons.add(new Poison(topic, metadata.partition(), metadata.offset(), "not deserialisable"));
                    else refusals.add("a poison record was not acknowledged: " + error);
                });
        Instant now = Instant.now();
        ShipmentEvent mismatched = ShipmentEvent.newBuilder().setEventId(java.util.UUID.randomUUID().toString())
                .setShipmentId("CHAOS-MISMATCH-" + n).setOccurredAt(now).setRecordedAt(now).setSource(SOURCE)
                .setPayload(new ArrivedAtFacility("DE-DEP-BER1")).build();
        producer.send(new ProducerRecord<>(topic, "CHAOS-WRONG-KEY-" + n, mismatched), (metadata, error) -> {
            if (error == null) poisons.add(new Poison(topic, metadata.partition(), metadata.offset(), "key is not the shipmentId"));
            else refusals.add("a poison record was not acknowledged: " + error);
        });
    }

    private void sendDirect() {
        String topic = WaybillTopic.SHIPMENT_EVENTS.topicName();
        while (!stop.get()) {
            ShipmentEvent event;
            try {
                event = directQueue.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (event == null) continue;
            inFlight.add(event.getEventId());
            try {
                producer.send(new ProducerRecord<>(topic, event.getShipmentId(), event), (metadata, error) -> {
                    if (error == null) {
                        acked.add(event.getEventId());
                        inFlight.remove(event.getEventId());
                    } else {
                        retryLater(event, directQueue);
                    }
                });
            } catch (RuntimeException e) {
                retryLater(event, directQueue);
            }
        }
    }

    private void retryLater(ShipmentEvent event, LinkedBlockingDeque<ShipmentEvent> queue) {
        resendsAfterFailure.incrementAndGet();
        inFlight.remove(event.getEventId());
        retries.schedule(() -> {
            if (!acked.contains(event.getEventId())) queue.add(event);
        }, 1, TimeUnit.SECONDS);
    }

    private void sendToGateway() {
        while (!stop.get()) {
            List<ShipmentEvent> batch = new ArrayList<>();
            Set<String> ids = new HashSet<>();
            try {
                ShipmentEvent first = gatewayQueue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) continue;
                batch.add(first);
                ids.add(first.getEventId());
                ShipmentEvent next;
                // A batch holds each eventId once (the gateway refuses a batch that repeats one).
                while (batch.size() < 25 && (next = gatewayQueue.peekFirst()) != null && !ids.contains(next.getEventId())) {
                    next = gatewayQueue.pollFirst();
                    if (next == null) break;
                    batch.add(next);
                    ids.add(next.getEventId());
                }
            } catch (InterruptedException e) {
                return;
            }
            batch.forEach(e -> inFlight.add(e.getEventId()));
            postBatch(batch);
        }
    }

    private void postBatch(List<ShipmentEvent> batch) {
        StringBuilder body = new StringBuilder("{\"events\":[");
        for (int i = 0; i < batch.size(); i++) {
            if (i > 0) body.append(',');
            body.append(GatewayJson.of(batch.get(i)));
        }
        body.append("]}");
        int status;
        String answer;
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(gatewayUrl)).timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json").header("X-Api-Key", WaybillServices.DEV_API_KEY)
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
            status = response.statusCode();
            answer = response.body();
        } catch (Exception e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            status = -1;
            answer = e.toString();
        }
        gatewayStatuses.computeIfAbsent(status, k -> new AtomicLong()).incrementAndGet();
        if (status == 200 || status == 202) {
            if (answer.contains("\"spooled\":true")) gatewaySpooled.addAndGet(batch.size());
            batch.forEach(e -> {
                acked.add(e.getEventId());
                inFlight.remove(e.getEventId());
            });
        } else if (status == 400 || status == 401 || status == 403 || status == 413) {
            // Refused for good: a harness bug or a gateway regression; the checker reports it.
            refusals.add("gateway answered " + status + " to a batch of " + batch.size() + ": " + answer);
            batch.forEach(e -> {
                refused.add(e.getEventId());
                inFlight.remove(e.getEventId());
            });
        } else {
            batch.forEach(e -> retryLater(e, gatewayQueue));
        }
    }

    boolean generating() {
        return generating;
    }

    long generatedAtMs() {
        return generatedAtMs;
    }

    /** Sent at least once and not yet acknowledged (nor refused for good). */
    long unacknowledged() {
        return stamped.size() - acked.size() - refusedCount();
    }

    private long refusedCount() {
        return refused.size();
    }

    Long firstSentMs(String eventId) {
        return firstSentMs.get(eventId);
    }

    /** The acknowledged events by shipment, one copy per eventId. */
    Map<String, List<ShipmentEvent>> acknowledgedByShipment() {
        Map<String, List<ShipmentEvent>> out = new HashMap<>();
        for (String id : acked) {
            ShipmentEvent e = stamped.get(id);
            out.computeIfAbsent(e.getShipmentId(), k -> new ArrayList<>()).add(e);
        }
        return out;
    }

    /** Shipments with an event that was sent but never acknowledged: whether it was applied is not known. */
    Set<String> uncertainShipments() {
        Set<String> out = new HashSet<>();
        stamped.forEach((id, e) -> {
            if (!acked.contains(id)) out.add(e.getShipmentId());
        });
        return out;
    }

    long acknowledged() {
        return acked.size();
    }

    long sends() {
        return sends.get();
    }

    long distinctEvents() {
        return stamped.size();
    }

    long throughGateway() {
        return viaGateway.size();
    }

    long spooledByGateway() {
        return gatewaySpooled.get();
    }

    long resendsAfterFailure() {
        return resendsAfterFailure.get();
    }

    Map<Integer, AtomicLong> gatewayStatuses() {
        return gatewayStatuses;
    }

    List<Stalled> stalled() {
        return List.copyOf(stalled);
    }

    List<Poison> poisons() {
        return List.copyOf(poisons);
    }

    List<String> refusals() {
        return List.copyOf(refusals);
    }

    double rate() {
        return rate;
    }

    @Override
    public void close() {
        stop.set(true);
        for (Thread t : threads) {
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        retries.shutdownNow();
        producer.close(Duration.ofSeconds(10));
        rawProducer.close(Duration.ofSeconds(10));
    }
}
