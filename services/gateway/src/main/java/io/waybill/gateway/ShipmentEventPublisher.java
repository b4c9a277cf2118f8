package io.waybill.gateway;

import io.smallrye.common.annotation.Identifier;
import io.waybill.contract.ShipmentEvent;
import io.waybill.contract.WaybillTopic;
import io.waybill.topology.catalogue.WaybillSerdes;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Publishes accepted events to the shipment-events topic, keyed by shipmentId (so each shipment's
 * events stay in order on one partition), and returns only once every broker acknowledgement is in:
 * a 202 from the gateway means the event is on min.insync.replicas brokers.
 */
@ApplicationScoped
public class ShipmentEventPublisher {

    private final Producer<String, ShipmentEvent> producer;
    private final Duration ackTimeout;
    private final String topic = WaybillTopic.SHIPMENT_EVENTS.topicName();

    @Inject
    public ShipmentEventPublisher(@Identifier("default-kafka-broker") Map<String, Object> kafkaConfig,
                                  @ConfigProperty(name = "waybill.registry.url") String registryUrl,
                                  @ConfigProperty(name = "waybill.gateway.ack-timeout", defaultValue = "PT30S") Duration ackTimeout) {
        Map<String, Object> config = new HashMap<>(kafkaConfig);
        // Acknowledged means durable: all in-sync replicas, no duplicates from retries.
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        // Retries happen inside this window; past it the client gets a 503 and retries itself.
        config.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) ackTimeout.toMillis());
        config.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(15_000, (int) ackTimeout.toMillis()));
        config.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        config.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
        config.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
        var serdes = WaybillSerdes.withRegistry(registryUrl);
        this.producer = new KafkaProducer<>(config, new StringSerializer(), serdes.value(ShipmentEvent.class).serializer());
        this.ackTimeout = ackTimeout;
    }

    /** Sends every event and waits for all acknowledgements; throws if any is not acknowledged in time. */
    public void publishAll(List<ShipmentEvent> events) throws PublishFailedException {
        List<Future<RecordMetadata>> acks = new ArrayList<>(events.size());
        try {
            for (ShipmentEvent event : events) {
                acks.add(producer.send(new ProducerRecord<>(topic, event.getShipmentId(), event)));
            }
            long deadline = System.nanoTime() + ackTimeout.toNanos() + TimeUnit.SECONDS.toNanos(1);
            for (Future<RecordMetadata> ack : acks) {
                ack.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PublishFailedException("interrupted while waiting for Kafka", e);
        } catch (Exception e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new PublishFailedException("Kafka did not acknowledge the events: " + cause.getClass().getSimpleName()
                    + (cause.getMessage() == null ? "" : " (" + cause.getMessage() + ")"), e);
        }
    }

    @PreDestroy
    void close() {
        producer.close(Duration.ofSeconds(10));
    }

    public static final class PublishFailedException extends Exception {
        public PublishFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
