package io.waybill.planner;

import io.smallrye.common.annotation.Identifier;
import io.waybill.contract.PlannerCommand;
import io.waybill.contract.WaybillTopic;
import io.waybill.topology.catalogue.WaybillSerdes;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
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

/** Publishes planner commands to the commands topic, keyed by shipment, acknowledged by all in-sync replicas. */
@ApplicationScoped
public class CommandPublisher {

    /** Kafka did not take the command; nothing was accepted. */
    public static final class CommandNotAcceptedException extends RuntimeException {
        CommandNotAcceptedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final Producer<String, PlannerCommand> producer;

    @Inject
    public CommandPublisher(@Identifier("default-kafka-broker") Map<String, Object> kafkaConfig,
                            @ConfigProperty(name = "waybill.registry.url") String registryUrl) {
        Map<String, Object> config = new HashMap<>(kafkaConfig);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 8_000);
        config.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        config.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, 3_000);
        producer = new KafkaProducer<>(config, new StringSerializer(),
                WaybillSerdes.withRegistry(registryUrl).value(PlannerCommand.class).serializer());
    }

    @Timeout(value = 10, unit = ChronoUnit.SECONDS)
    @CircuitBreaker(requestVolumeThreshold = 10, failureRatio = 0.5, delay = 5, delayUnit = ChronoUnit.SECONDS)
    @Bulkhead(value = 32)
    public void publish(PlannerCommand command) {
        try {
            producer.send(new ProducerRecord<>(WaybillTopic.PLANNER_COMMANDS.topicName(), command.getShipmentId(), command))
                    .get(9, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommandNotAcceptedException("interrupted", e);
        } catch (Exception e) {
            throw new CommandNotAcceptedException("Kafka did not acknowledge the command: " + e.getMessage(), e);
        }
    }

    @PreDestroy
    void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
