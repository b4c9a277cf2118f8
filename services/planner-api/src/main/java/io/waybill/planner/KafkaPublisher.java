package io.waybill.planner;

import io.smallrye.common.annotation.Identifier;
import io.waybill.contract.PlannerCommand;
import io.waybill.contract.WaybillTopic;
import io.waybill.topology.catalogue.WaybillSerdes;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.faulttolerance.Bulkhead;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Timeout;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Publishes what the API accepts: planner commands (keyed by shipment) and changes of the network
 * and workflows (keyed by their id), each acknowledged by all in-sync replicas before the API answers.
 */
@ApplicationScoped
public class KafkaPublisher {

    /** Kafka did not take the record; nothing was accepted. */
    public static final class NotAcceptedException extends RuntimeException {
        NotAcceptedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final Producer<String, SpecificRecord> producer;

    @Inject
    public KafkaPublisher(@Identifier("default-kafka-broker") Map<String, Object> kafkaConfig,
                          @ConfigProperty(name = "waybill.registry.url") String registryUrl) {
        Map<String, Object> config = new HashMap<>(kafkaConfig);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 8_000);
        config.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        config.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, 3_000);
        // The registry's serializer takes any record of the contract; the subject follows the topic.
        producer = new KafkaProducer<>(config, new StringSerializer(),
                WaybillSerdes.withRegistry(registryUrl).value(SpecificRecord.class).serializer());
    }

    /** A planner command on the commands topic, keyed by its shipment. */
    public void publish(PlannerCommand command) {
        publish(WaybillTopic.PLANNER_COMMANDS, command.getShipmentId(), command);
    }

    @Timeout(value = 10, unit = ChronoUnit.SECONDS)
    @CircuitBreaker(requestVolumeThreshold = 10, failureRatio = 0.5, delay = 5, delayUnit = ChronoUnit.SECONDS)
    @Bulkhead(value = 32)
    public void publish(WaybillTopic topic, String key, SpecificRecord value) {
        try {
            producer.send(new ProducerRecord<>(topic.topicName(), key, value)).get(9, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NotAcceptedException("interrupted", e);
        } catch (Exception e) {
            throw new NotAcceptedException("Kafka did not acknowledge it: " + e.getMessage(), e);
        }
    }

    @PreDestroy
    void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
