package io.waybill.gateway;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.waybill.contract.ShipmentEvent;
import io.waybill.gateway.spool.EventSpool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.eclipse.microprofile.faulttolerance.exceptions.BulkheadException;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;

/**
 * Accepts validated events: drops duplicates of recently accepted eventIds, publishes the rest
 * (acks=all) or, when Kafka cannot acknowledge in time, appends them to the durable spool. Either
 * way the events are durable before the caller answers 202; otherwise the caller gets a
 * {@link RefusedException} to answer 503, and nothing is remembered as accepted.
 *
 * <p>Order per shipment: while anything waits in the spool, new events are spooled behind it
 * instead of overtaking it, until the drainer has published the spool.
 */
@ApplicationScoped
public class EventIngest {

    private static final Logger LOG = Logger.getLogger(EventIngest.class);

    /** What happened to an accepted request. */
    public record Result(List<String> accepted, List<String> duplicates, boolean spooled) {
    }

    /** Nothing of the request was accepted; the client retries after {@code retryAfterSeconds}. */
    public static final class RefusedException extends Exception {
        private final int retryAfterSeconds;

        public RefusedException(String message, int retryAfterSeconds, Throwable cause) {
            super(message, cause);
            this.retryAfterSeconds = retryAfterSeconds;
        }

        public int retryAfterSeconds() {
            return retryAfterSeconds;
        }
    }

    private final ShipmentEventPublisher publisher;
    private final EventSpool spool;
    private final RecentEventIds recent;
    /** Sends of requests that timed out and were spooled: the drainer waits for them instead of resending. */
    private final Map<String, Future<RecordMetadata>> startedSends = new ConcurrentHashMap<>();
    private final Counter published;
    private final Counter spooled;
    private final Counter duplicates;
    private final Counter refused;

    @Inject
    public EventIngest(ShipmentEventPublisher publisher, EventSpool spool, RecentEventIds recent, MeterRegistry metrics) {
        this.publisher = publisher;
        this.spool = spool;
        this.recent = recent;
        this.published = outcome(metrics, "published");
        this.spooled = outcome(metrics, "spooled");
        this.duplicates = outcome(metrics, "duplicate");
        this.refused = outcome(metrics, "refused");
    }

    private static Counter outcome(MeterRegistry metrics, String outcome) {
        return Counter.builder("waybill.gateway.events").tag("outcome", outcome)
                .description("events posted to the gateway, by what happened to them").register(metrics);
    }

    public Result ingest(List<ShipmentEvent> events) throws RefusedException {
        List<String> ids = events.stream().map(ShipmentEvent::getEventId).toList();
        RecentEventIds.Claim claim;
        try {
            claim = recent.claim(ids);
        } catch (RecentEventIds.StillInProgressException e) {
            refused.increment(events.size());
            throw new RefusedException(e.getMessage() + "; retry with the same eventIds", 1, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RefusedException("interrupted", 1, e);
        }
        List<ShipmentEvent> fresh = events.stream().filter(e -> !claim.isDuplicate(e.getEventId())).toList();
        duplicates.increment(events.size() - fresh.size());
        boolean wentToSpool = false;
        if (!fresh.isEmpty()) {
            try {
                wentToSpool = publishOrSpool(fresh);
            } catch (RefusedException e) {
                claim.refused();
                refused.increment(fresh.size());
                throw e;
            } catch (RuntimeException e) {
                claim.refused();
                throw e;
            }
        }
        claim.accepted();
        (wentToSpool ? spooled : published).increment(fresh.size());
        return new Result(ids, claim.duplicates(), wentToSpool);
    }

    private boolean publishOrSpool(List<ShipmentEvent> events) throws RefusedException {
        if (!spool.isEmpty()) {
            spool(events, Map.of(), null);
            return true;
        }
        Delivery delivery = new Delivery(events);
        try {
            publisher.deliver(delivery);
            return false;
        } catch (BulkheadException e) {
            throw new RefusedException("too many requests are waiting for Kafka right now", 1, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            spool(events, delivery.startedSends(), e);
            return true;
        } catch (Exception kafkaUnavailable) {
            // Timeout, open circuit or failed sends: the events are durable in the spool instead.
            LOG.debugf("publishing %d event(s) failed, spooling them: %s", events.size(), kafkaUnavailable);
            spool(events, delivery.startedSends(), kafkaUnavailable);
            return true;
        }
    }

    private void spool(List<ShipmentEvent> events, Map<String, Future<RecordMetadata>> started, Exception why) throws RefusedException {
        startedSends.putAll(started);
        try {
            spool.append(events);
        } catch (EventSpool.SpoolFullException e) {
            events.forEach(ev -> startedSends.remove(ev.getEventId()));
            LOG.warnf("refusing %d event(s): %s (Kafka: %s)", events.size(), e.getMessage(), why);
            throw new RefusedException(e.getMessage() + "; retry later with the same eventIds", 30, e);
        } catch (IOException e) {
            events.forEach(ev -> startedSends.remove(ev.getEventId()));
            LOG.errorf(e, "cannot write the spool in %s", spool.directory());
            throw new RefusedException("Kafka is unreachable and the gateway cannot write its spool; retry later with the same eventIds", 5, e);
        }
    }

    /** For the drainer: sends already started for these events by requests that then spooled them. */
    Map<String, Future<RecordMetadata>> startedSendsOf(List<ShipmentEvent> events) {
        Map<String, Future<RecordMetadata>> started = new LinkedHashMap<>();
        for (ShipmentEvent event : events) {
            Future<RecordMetadata> send = startedSends.get(event.getEventId());
            if (send != null) started.put(event.getEventId(), send);
        }
        return started;
    }

    /** For the drainer: sends of a chunk that did not complete in time, to wait for in the next attempt. */
    void rememberStartedSends(Map<String, Future<RecordMetadata>> started) {
        startedSends.putAll(started);
    }

    void drained(List<ShipmentEvent> events) {
        events.forEach(e -> startedSends.remove(e.getEventId()));
    }
}
