package io.waybill.gateway;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.waybill.contract.ShipmentEvent;
import io.waybill.gateway.spool.EventSpool;
import io.waybill.testkit.WaybillTestResource;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Load harness, not a test of behaviour: sustained ingest through the gateway over loopback HTTP
 * (the shared 3-broker test cluster, RF 3, min ISR 2, acks=all), and the spool's own write and drain rates.
 * Bounded in requests and time. Excluded from the default run (tag "benchmark"); run it with
 *
 * <pre>mvn -B -o test -pl services/gateway -Dtest=IngestBenchmark -DexcludedGroups= -Dsurefire.failIfNoSpecifiedTests=false</pre>
 *
 * Results: services/gateway/target/benchmarks/ingest.txt. Everything (brokers, registry, gateway,
 * load generator) shares the machine's cores, so compare runs on one machine, not absolute numbers.
 */
@QuarkusTest
@QuarkusTestResource(WaybillTestResource.class)
@Tag("benchmark")
class IngestBenchmark {

    private static final int CLIENTS = Integer.getInteger("bench.clients", 16);
    private static final int REQUESTS = Integer.getInteger("bench.requests", 20_000);
    private static final Duration MAX_TIME = Duration.ofSeconds(Long.getLong("bench.seconds", 60));
    private static final Path RESULTS = Path.of("target/benchmarks/ingest.txt");

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @Inject
    EventSpool gatewaySpool;

    private final List<String> lines = new ArrayList<>();

    @Test
    void sustained_ingest_and_spool_rates() throws Exception {
        lines.add("# Waybill gateway ingest benchmark, " + Instant.now() + ", " + Runtime.getRuntime().availableProcessors() + " cores");
        warmUp();
        httpIngest("single events", 1);
        httpIngest("batches of 10", 10);
        spoolRates();
        concurrentSpoolWrites();
        spoolDrainToKafka(20_000);
        Files.createDirectories(RESULTS.getParent());
        Files.write(RESULTS, lines);
        lines.forEach(System.out::println);
    }

    private void warmUp() throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        for (int i = 0; i < 300; i++) post(http, body(1));
    }

    /** {@link #REQUESTS} requests from {@link #CLIENTS} concurrent clients, or {@link #MAX_TIME}. */
    private void httpIngest(String label, int eventsPerRequest) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
        long[] latencies = new long[REQUESTS];
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        long deadline = System.nanoTime() + MAX_TIME.toNanos();
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        long start = System.nanoTime();
        List<Future<?>> running = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            running.add(clients.submit(() -> {
                int i;
                while ((i = next.getAndIncrement()) < REQUESTS && System.nanoTime() < deadline) {
                    String body = body(eventsPerRequest);
                    long t0 = System.nanoTime();
                    int status = post(http, body);
                    latencies[i] = System.nanoTime() - t0;
                    if (status != 202) failures.incrementAndGet();
                }
                return null;
            }));
        }
        for (Future<?> f : running) f.get();
        long elapsed = System.nanoTime() - start;
        clients.shutdown();
        int done = Math.min(next.get(), REQUESTS);
        long[] measured = Arrays.copyOf(latencies, done);
        Arrays.sort(measured);
        double seconds = elapsed / 1e9;
        lines.add(String.format("http %-15s clients=%d requests=%d events=%d time=%.1fs requests/s=%.0f events/s=%.0f p50=%.1fms p99=%.1fms max=%.1fms non-202=%d",
                label, CLIENTS, done, (long) done * eventsPerRequest, seconds, done / seconds, done * eventsPerRequest / seconds,
                percentile(measured, 0.50), percentile(measured, 0.99), measured[measured.length - 1] / 1e6, failures.get()));
        assertThat(failures.get()).as("requests not answered 202").isZero();
    }

    /** The spool file alone: fsynced appends of one-event and 100-event batches, then reading and dropping. */
    private void spoolRates() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("target"), "bench-spool");
        try (EventSpool spool = EventSpool.open(dir, 512L << 20)) {
            int singles = 3_000;
            long t0 = System.nanoTime();
            for (int i = 0; i < singles; i++) spool.append(List.of(TestEvents.arrival("B-" + (i % 100), "BER-HUB")));
            double single = singles / ((System.nanoTime() - t0) / 1e9);
            int batches = 500;
            t0 = System.nanoTime();
            for (int i = 0; i < batches; i++) spool.append(TestEvents.arrivals("BB-" + i, 100));
            double batched = batches * 100 / ((System.nanoTime() - t0) / 1e9);
            long total = spool.depthEvents();
            t0 = System.nanoTime();
            while (!spool.isEmpty()) spool.acknowledge(spool.peek(1000));
            double drained = total / ((System.nanoTime() - t0) / 1e9);
            lines.add(String.format("spool write, one writer (an fsync per batch): 1-event batches %.0f events/s; 100-event batches %.0f events/s",
                    single, batched));
            lines.add(String.format("spool read+drop (no Kafka): %.0f events/s over %d events", drained, total));
        }
    }

    /** Events put straight into the running gateway's spool (batches of 1000), drained to Kafka by its drainer. */
    private void spoolDrainToKafka(int events) throws Exception {
        List<List<ShipmentEvent>> batches = new ArrayList<>();
        for (int b = 0; b < events / 1000; b++) {
            List<ShipmentEvent> batch = new ArrayList<>();
            for (int i = 0; i < 1000; i++) batch.add(TestEvents.arrival("DRAIN-" + (i % 500), "BER-HUB"));
            batches.add(batch);
        }
        long t0 = System.nanoTime();
        for (List<ShipmentEvent> batch : batches) gatewaySpool.append(batch);
        double filled = (System.nanoTime() - t0) / 1e9;
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(20)).until(() -> gatewaySpool.isEmpty());
        double seconds = (System.nanoTime() - t0) / 1e9;
        lines.add(String.format("spool drain to Kafka (acks=all, chunks of 1000): %d events appended in %.2fs, all published %.1fs after the first = %.0f events/s",
                events, filled, seconds, events / seconds));
    }

    /** Concurrent single-event appends to a spool (as during an outage): group commit shares the fsyncs. */
    private void concurrentSpoolWrites() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("target"), "bench-spool-concurrent");
        try (EventSpool spool = EventSpool.open(dir, 512L << 20)) {
            int perClient = 500;
            ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
            List<Future<?>> running = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int c = 0; c < CLIENTS; c++) {
                running.add(clients.submit(() -> {
                    for (int i = 0; i < perClient; i++) spool.append(List.of(TestEvents.arrival("C-" + i, "BER-HUB")));
                    return null;
                }));
            }
            for (Future<?> f : running) f.get();
            clients.shutdown();
            double rate = CLIENTS * perClient / ((System.nanoTime() - t0) / 1e9);
            lines.add(String.format("spool write, %d concurrent writers of 1-event batches (group commit): %.0f events/s", CLIENTS, rate));
        }
    }

    private int post(HttpClient http, String body) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/events"))
                    .timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json").header("X-Api-Key", "test-key-wms")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build();
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private static String body(int events) {
        if (events == 1) return EventResourceTest.arrival(UUID.randomUUID().toString(), "BENCH-" + (int) (Math.random() * 1000), "BER-HUB");
        StringBuilder batch = new StringBuilder("{\"events\":[");
        String shipmentId = "BENCH-" + (int) (Math.random() * 1000);
        for (int i = 0; i < events; i++) {
            if (i > 0) batch.append(',');
            batch.append(EventResourceTest.arrival(UUID.randomUUID().toString(), shipmentId, i % 2 == 0 ? "BER-HUB" : "MUC-DEP"));
        }
        return batch.append("]}").toString();
    }

    private static double percentile(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)] / 1e6;
    }
}
