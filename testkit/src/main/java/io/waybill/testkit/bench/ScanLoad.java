package io.waybill.testkit.bench;

import io.waybill.contract.ArrivedAtFacility;
import io.waybill.contract.DepartedFacility;
import io.waybill.contract.RouteLeg;
import io.waybill.contract.ShipmentEvent;
import io.waybill.contract.ShipmentState;
import io.waybill.contract.WaybillTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Background scan traffic at a fixed rate while a scenario runs: arrival and departure scans of booked
 * shipments along the plans the engine gave them, wave by wave (every shipment's arrival at its origin,
 * then every departure on its first leg, every arrival at the end of it, ...), so one shipment's scans
 * are far apart. Each scan happens when it is sent (occurredAt = the wall clock).
 *
 * <p>Latency: from just before {@code send()} to the state-topic record whose lastEventId is the scan
 * (fed in through {@link #onState}), each sample kept with its send time so that a scenario can cut
 * the run into windows (before, during, after).
 */
final class ScanLoad implements AutoCloseable {

    /** One answered scan: when it was sent (wall clock, ms) and how long until its state was visible (µs). */
    record Sample(long sentMs, long micros) {
    }

    private final String bootstrap;
    private final Serializer<ShipmentEvent> serializer;
    private final List<String> ids;
    private final List<List<RouteLeg>> plans;
    private final double rate;
    private final Map<String, long[]> inFlight = new ConcurrentHashMap<>();
    private final List<Sample> samples = new ArrayList<>();
    /** The send time (wall ms) of every scan, in order: written by the sender only. */
    private long[] sentTimes = new long[1 << 14];
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong matched = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicBoolean stop = new AtomicBoolean();
    private volatile boolean ranOut;
    private Thread sender;
    private int longest;
    private int stage;
    private int index;

    /** @param plans shipmentId to the legs of its plan, in the order the waves visit them */
    ScanLoad(String bootstrap, Serializer<ShipmentEvent> serializer, Map<String, List<RouteLeg>> plans, double rate) {
        this.bootstrap = bootstrap;
        this.serializer = serializer;
        this.ids = new ArrayList<>(plans.keySet());
        this.plans = new ArrayList<>(plans.values());
        this.rate = rate;
        for (List<RouteLeg> legs : this.plans) longest = Math.max(longest, 2 * legs.size() + 1);
    }

    void start() {
        sender = new Thread(this::send, "scan-load");
        sender.setDaemon(true);
        sender.start();
    }

    private void send() {
        try (var producer = new KafkaProducer<>(Map.<String, Object>of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 1), new StringSerializer(), serializer)) {
            String topic = WaybillTopic.SHIPMENT_EVENTS.topicName();
            double interval = 1e9 / rate;
            long t0 = System.nanoTime();
            long n = 0;
            while (!stop.get()) {
                long wait = t0 + (long) (n * interval) - System.nanoTime();
                if (wait > 200_000) LockSupport.parkNanos(wait);
                ShipmentEvent scan = next();
                if (scan == null) {
                    ranOut = true;
                    break;
                }
                long wall = System.currentTimeMillis();
                inFlight.put(scan.getEventId(), new long[]{System.nanoTime(), wall});
                synchronized (this) {
                    if (n == sentTimes.length) sentTimes = Arrays.copyOf(sentTimes, sentTimes.length * 2);
                    sentTimes[(int) n] = wall;
                }
                producer.send(new ProducerRecord<>(topic, scan.getShipmentId(), scan), (m, err) -> {
                    if (err != null) failed.incrementAndGet();
                });
                sent.incrementAndGet();
                n++;
            }
            producer.flush();
        }
    }

    /** The next scan of the waves, or null when every plan has been travelled. */
    private ShipmentEvent next() {
        while (stage < longest) {
            while (index < ids.size() && 2 * plans.get(index).size() + 1 <= stage) index++;
            if (index < ids.size()) break;
            stage++;
            index = 0;
        }
        if (stage >= longest) return null;
        String id = ids.get(index);
        List<RouteLeg> legs = plans.get(index);
        int s = stage;
        index++;
        Object payload;
        if (s == 0) {
            payload = new ArrivedAtFacility(legs.get(0).getFromFacilityId());
        } else {
            RouteLeg leg = legs.get((s - 1) / 2);
            payload = s % 2 == 1 ? new DepartedFacility(leg.getFromFacilityId(), leg.getLaneId()) : new ArrivedAtFacility(leg.getToFacilityId());
        }
        Instant now = Instant.now();
        return ShipmentEvent.newBuilder().setEventId(id + ":scan:" + s).setShipmentId(id).setOccurredAt(now).setRecordedAt(now)
                .setSource("bench-scans").setPayload(payload).build();
    }

    /** A state-topic record: if it answers a scan in flight, a latency sample. */
    void onState(ShipmentState state, TopicTail.Seen<?> seen) {
        if (state == null || state.getLastEventId() == null) return;
        long[] t = inFlight.remove(state.getLastEventId());
        if (t == null) return;
        matched.incrementAndGet();
        synchronized (samples) {
            samples.add(new Sample(t[1], Math.max(0, (seen.receivedNanos() - t[0]) / 1000)));
        }
    }

    long sent() {
        return sent.get();
    }

    long matched() {
        return matched.get();
    }

    boolean ranOut() {
        return ranOut;
    }

    /** Stops sending (what was sent is still matched as its state arrives). */
    void stop() throws InterruptedException {
        stop.set(true);
        if (sender != null) sender.join(30_000);
        if (failed.get() > 0) throw new IllegalStateException(failed.get() + " scans were not produced");
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    /** Scans sent, answered and their latency in a window of send times [fromMs, toMs). */
    record Window(String name, long fromMs, long toMs, long sent, long answered, long[] sortedMicros) {
        double seconds() {
            return Math.max(1, toMs - fromMs) / 1000.0;
        }

        long percentile(double p) {
            if (sortedMicros.length == 0) return 0;
            int rank = (int) Math.ceil(p / 100.0 * sortedMicros.length);
            return sortedMicros[Math.min(sortedMicros.length - 1, Math.max(0, rank - 1))];
        }

        String latency() {
            if (sortedMicros.length == 0) return "no scan answered";
            return String.format("p50 %,.0f ms, p99 %,.0f ms, max %,.0f ms", percentile(50) / 1e3, percentile(99) / 1e3,
                    sortedMicros[sortedMicros.length - 1] / 1e3);
        }
    }

    /** The scans sent in [fromMs, toMs) (wall clock), and the latency of those answered. */
    Window window(String name, long fromMs, long toMs) {
        long sentInWindow = 0;
        synchronized (this) {
            for (int i = 0; i < sent.get() && i < sentTimes.length; i++) if (sentTimes[i] >= fromMs && sentTimes[i] < toMs) sentInWindow++;
        }
        long[] micros;
        synchronized (samples) {
            micros = samples.stream().filter(s -> s.sentMs() >= fromMs && s.sentMs() < toMs).mapToLong(Sample::micros).toArray();
        }
        Arrays.sort(micros);
        return new Window(name, fromMs, toMs, sentInWindow, micros.length, micros);
    }

    /** Shipment ids in a stable order with their plans, for the constructor. */
    static Map<String, List<RouteLeg>> ordered(Map<String, List<RouteLeg>> plans) {
        Map<String, List<RouteLeg>> sorted = new LinkedHashMap<>();
        plans.keySet().stream().sorted().forEach(k -> sorted.put(k, plans.get(k)));
        return sorted;
    }
}
