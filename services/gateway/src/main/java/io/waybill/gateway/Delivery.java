package io.waybill.gateway;

import io.waybill.contract.ShipmentEvent;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * The sends of one batch of events, remembered across attempts: a retry (or the spool drainer
 * after a timed-out request) resends only what failed and waits for what is still in flight, so a
 * retry never puts an event on the topic twice.
 */
public final class Delivery {

    private final List<ShipmentEvent> events;
    private final Map<String, Future<RecordMetadata>> sends = new LinkedHashMap<>();

    public Delivery(List<ShipmentEvent> events) {
        this(events, Map.of());
    }

    /** A delivery that first waits for sends already started for some of these events. */
    public Delivery(List<ShipmentEvent> events, Map<String, Future<RecordMetadata>> earlierSends) {
        this.events = List.copyOf(events);
        earlierSends.forEach((id, send) -> {
            if (send != null) sends.put(id, send);
        });
    }

    public List<ShipmentEvent> events() {
        return events;
    }

    /**
     * Sends, in order, every event that has no send yet or whose send failed. Sends started earlier
     * are waited for first: resending after one of them failed while later events were already sent
     * would put the later events of a shipment ahead of it.
     */
    void sendUnsent(Producer<String, ShipmentEvent> producer, String topic) throws InterruptedException {
        List<Future<RecordMetadata>> earlier;
        synchronized (this) {
            earlier = new ArrayList<>(sends.values());
        }
        for (Future<RecordMetadata> send : earlier) {
            try {
                send.get();
            } catch (ExecutionException failedSoResentBelow) {
                // resent in its place below
            }
        }
        sendMissing(producer, topic);
    }

    private synchronized void sendMissing(Producer<String, ShipmentEvent> producer, String topic) {
        RuntimeException notSent = null;
        for (ShipmentEvent event : events) {
            Future<RecordMetadata> earlier = sends.get(event.getEventId());
            if (earlier != null && !failed(earlier)) continue;
            if (notSent != null) {
                // Once one send failed outright, later events stay unsent: sending them would let
                // them overtake it. The next attempt sends from the failed one on, in order.
                sends.put(event.getEventId(), CompletableFuture.failedFuture(notSent));
                continue;
            }
            try {
                Future<RecordMetadata> send = producer.send(new ProducerRecord<>(topic, event.getShipmentId(), event));
                sends.put(event.getEventId(), send);
                // KafkaProducer returns a failed future, not a throw, for an ApiException in send() itself (no
                // metadata within max.block.ms): not sent either. Sending on let later events of the shipment
                // reach Kafka first once the brokers were back (GatewayOutageTest in CI, 2026-12-08).
                if (failed(send)) notSent = new IllegalStateException("send of " + event.getEventId() + " failed at once");
            } catch (RuntimeException e) {
                // Serializer (registry down), max.block.ms (no metadata) or an interrupt: not sent.
                notSent = e;
                sends.put(event.getEventId(), CompletableFuture.failedFuture(e));
            }
        }
    }

    /** Waits for every send; throws with the first cause when any failed. */
    void awaitAll() throws InterruptedException, DeliveryFailedException {
        List<Future<RecordMetadata>> all;
        synchronized (this) {
            all = new ArrayList<>(sends.values());
        }
        Throwable firstFailure = null;
        int failures = 0;
        for (Future<RecordMetadata> send : all) {
            try {
                send.get();
            } catch (ExecutionException e) {
                failures++;
                if (firstFailure == null) firstFailure = e.getCause();
            }
        }
        if (firstFailure != null) {
            throw new DeliveryFailedException(failures + " of " + all.size() + " event(s) not acknowledged by Kafka: "
                    + firstFailure.getClass().getSimpleName() + (firstFailure.getMessage() == null ? "" : " (" + firstFailure.getMessage() + ")"), firstFailure);
        }
    }

    /**
     * Events Kafka refused for what they are, not for the state of the cluster (too large, invalid):
     * sending them again can never succeed, so the drainer sets them aside instead of retrying forever
     * while everything behind them waits.
     */
    public synchronized List<ShipmentEvent> refusedForGood() {
        List<ShipmentEvent> refused = new ArrayList<>();
        for (ShipmentEvent event : events) {
            Future<RecordMetadata> send = sends.get(event.getEventId());
            if (send == null || !send.isDone()) continue;
            try {
                send.get();
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof org.apache.kafka.common.errors.RecordTooLargeException
                        || cause instanceof org.apache.kafka.common.InvalidRecordException) {
                    refused.add(event);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return refused;
    }

    /** Sends that were started and may still complete: the drainer waits for them before resending. */
    public synchronized Map<String, Future<RecordMetadata>> startedSends() {
        Map<String, Future<RecordMetadata>> started = new LinkedHashMap<>();
        sends.forEach((id, send) -> {
            if (!failed(send)) started.put(id, send);
        });
        return started;
    }

    private static boolean failed(Future<RecordMetadata> send) {
        if (!send.isDone()) return false;
        try {
            send.get();
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | java.util.concurrent.CancellationException e) {
            return true;
        }
    }

    /** Kafka refused or did not acknowledge some events of the batch. */
    public static final class DeliveryFailedException extends Exception {
        public DeliveryFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
