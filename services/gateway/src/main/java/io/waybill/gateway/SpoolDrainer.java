package io.waybill.gateway;

import io.waybill.contract.ShipmentEvent;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.waybill.gateway.spool.EventSpool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * Publishes the spool in order, one chunk of whole batches at a time, through the same guarded
 * publisher as requests (so the circuit breaker also paces it), and drops a chunk from the spool
 * only after Kafka acknowledged all of it. Starts with the application: a restarted gateway resumes
 * draining what an earlier run left.
 */
@ApplicationScoped
public class SpoolDrainer {

    private static final Logger LOG = Logger.getLogger(SpoolDrainer.class);
    private static final long MIN_BACKOFF_MS = 250;
    private static final long MAX_BACKOFF_MS = 5_000;

    @Inject
    EventSpool spool;

    @Inject
    EventIngest ingest;

    @Inject
    ShipmentEventPublisher publisher;

    @Inject
    GatewayConfig config;

    @Inject
    MeterRegistry metrics;

    /** Events of the current chunk already set aside (in memory: after a restart they are refused, and set aside, again). */
    private final Set<String> setAside = ConcurrentHashMap.newKeySet();
    private Counter refusedForGood;
    private volatile boolean running;
    private Thread thread;
    private Counter drained;

    void start(@Observes StartupEvent started) {
        drained = Counter.builder("waybill.gateway.spool.drained").description("spooled events published to Kafka").register(metrics);
        refusedForGood = Counter.builder("waybill.gateway.spool.set.aside")
                .description("spooled events Kafka refuses for good (too large, invalid), kept aside on the spool's volume").register(metrics);
        if (!spool.isEmpty()) {
            LOG.infof("spool holds %d event(s) (%d bytes) from an earlier run: draining", spool.depthEvents(), spool.depthBytes());
        }
        running = true;
        thread = new Thread(this::drainUntilStopped, "waybill-spool-drainer");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * On shutdown the spool is drained first, for up to {@code waybill.gateway.shutdown-drain-timeout}:
     * a pod the autoscaler removes would otherwise leave accepted events on a volume that no pod reads
     * until that ordinal is scaled up again. Whatever Kafka does not take in time stays in the spool,
     * which the next gateway on the same volume drains (nothing is dropped either way).
     */
    void stop(@Observes ShutdownEvent stopping) {
        long deadline = System.nanoTime() + config.shutdownDrainTimeout().toNanos();
        long before = spool.depthEvents();
        while (!spool.isEmpty() && thread != null && thread.isAlive() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (before > 0) {
            LOG.infof("shutdown: %d spooled event(s) drained, %d left in the spool for the next gateway on this volume",
                    before - spool.depthEvents(), spool.depthEvents());
        }
        running = false;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void drainUntilStopped() {
        long backoff = MIN_BACKOFF_MS;
        long failuresSinceLog = 0;
        while (running) {
            try {
                if (!spool.awaitNonEmpty(500)) continue;
                EventSpool.Chunk chunk = spool.peek(config.spoolDrainChunk());
                List<ShipmentEvent> toSend = chunk.events().stream().filter(e -> !setAside.contains(e.getEventId())).toList();
                Delivery delivery = new Delivery(toSend, ingest.startedSendsOf(toSend));
                try {
                    publisher.deliver(delivery);
                } catch (Delivery.DeliveryFailedException failed) {
                    List<ShipmentEvent> refused = delivery.refusedForGood();
                    if (!refused.isEmpty()) {
                        // One event Kafka can never take must not hold up every event behind it: keep it aside, on disk.
                        Path file = spool.setAside(refused, failed.getMessage());
                        refused.forEach(e -> setAside.add(e.getEventId()));
                        refusedForGood.increment(refused.size());
                        LOG.errorf("spool: %d event(s) Kafka refuses for good (%s) set aside in %s; the rest drains", refused.size(),
                                failed.getMessage(), file);
                    }
                    throw failed;
                } finally {
                    // Sends still in flight are waited for by the next attempt, never sent twice.
                    ingest.rememberStartedSends(delivery.startedSends());
                }
                spool.acknowledge(chunk);
                chunk.events().forEach(e -> setAside.remove(e.getEventId()));
                ingest.drained(chunk.events());
                drained.increment(chunk.events().size());
                if (failuresSinceLog > 0) LOG.infof("Kafka is back: draining the spool (%d event(s) left)", spool.depthEvents());
                backoff = MIN_BACKOFF_MS;
                failuresSinceLog = 0;
            } catch (InterruptedException e) {
                if (!running) return;
                Thread.interrupted();
            } catch (Exception e) {
                if (failuresSinceLog++ % 20 == 0) {
                    LOG.warnf("spool: %d event(s) wait for Kafka: %s", spool.depthEvents(), e.toString());
                }
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException stopped) {
                    if (!running) return;
                }
                backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
            }
        }
    }
}
