package io.waybill.gateway;

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

    private volatile boolean running;
    private Thread thread;
    private Counter drained;

    void start(@Observes StartupEvent started) {
        drained = Counter.builder("waybill.gateway.spool.drained").description("spooled events published to Kafka").register(metrics);
        if (!spool.isEmpty()) {
            LOG.infof("spool holds %d event(s) (%d bytes) from an earlier run: draining", spool.depthEvents(), spool.depthBytes());
        }
        running = true;
        thread = new Thread(this::drainUntilStopped, "waybill-spool-drainer");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent stopping) {
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
                Delivery delivery = new Delivery(chunk.events(), ingest.startedSendsOf(chunk.events()));
                try {
                    publisher.deliver(delivery);
                } finally {
                    // Sends still in flight are waited for by the next attempt, never sent twice.
                    ingest.rememberStartedSends(delivery.startedSends());
                }
                spool.acknowledge(chunk);
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
