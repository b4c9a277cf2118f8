package io.waybill.gateway;

import io.smallrye.common.annotation.Identifier;
import io.waybill.contract.ShipmentEvent;
import io.waybill.contract.WaybillTopic;
import io.waybill.topology.catalogue.WaybillSerdes;
import io.apicurio.registry.resolver.config.SchemaResolverConfig;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.faulttolerance.Bulkhead;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.Timeout;
import org.eclipse.microprofile.faulttolerance.exceptions.BulkheadException;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Publishes accepted events to the shipment-events topic, keyed by shipmentId (so each shipment's
 * events stay in order on one partition), and returns only once every broker acknowledgement is in:
 * a published event is on min.insync.replicas brokers.
 *
 * <p>How the timeouts nest (each bounded by the next):
 * <ul>
 *   <li>{@code max.block.ms} (3 s): {@code send()} waits this long for metadata or buffer space,
 *       so a request never blocks its thread on an unreachable cluster for the whole HTTP time;</li>
 *   <li>{@code request.timeout.ms} (10 s): one produce request to one broker; the client then
 *       retries it, on a new leader if there is one;</li>
 *   <li>the fault-tolerance {@code @Timeout} (5 s by default, see application.properties): how long
 *       an HTTP request waits for acknowledgements before its events go to the durable spool;
 *       clients should allow 15 s for an answer;</li>
 *   <li>{@code delivery.timeout.ms} (60 s, {@code waybill.gateway.kafka.delivery-timeout}): how
 *       long the producer keeps retrying one record, with {@code retries} unbounded inside it. It
 *       is longer than the HTTP wait on purpose: a send that outlives its request is not abandoned,
 *       the spool drainer waits for its outcome and resends only if it failed, so a slow broker
 *       does not cause a duplicate.</li>
 * </ul>
 * {@code acks=all} + idempotence: a record is acknowledged once on every in-sync replica (at least
 * min.insync.replicas = 2), and the producer's own retries never write it twice; at most 5
 * requests in flight per connection keep the order per partition with idempotence.
 */
@ApplicationScoped
public class ShipmentEventPublisher {

    private static final Logger LOG = Logger.getLogger(ShipmentEventPublisher.class);

    private final Producer<String, ShipmentEvent> producer;
    private final String topic = WaybillTopic.SHIPMENT_EVENTS.topicName();
    /**
     * The registry client's own Vert.x, closed only after the producer. Left to itself, Apicurio's client
     * takes the application's Vert.x, which Quarkus closes while ShutdownEvent observers still run: the
     * spool's drain on shutdown then failed on "Client is closed" whenever a schema had to be looked up.
     */
    private final Vertx registryVertx;

    @Inject
    public ShipmentEventPublisher(@Identifier("default-kafka-broker") Map<String, Object> kafkaConfig,
                                  @ConfigProperty(name = "waybill.registry.url") String registryUrl,
                                  @ConfigProperty(name = "waybill.gateway.kafka.delivery-timeout", defaultValue = "PT60S") Duration deliveryTimeout) {
        Map<String, Object> config = new HashMap<>(kafkaConfig);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        config.put(ProducerConfig.RETRIES_CONFIG, Integer.MAX_VALUE);
        config.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) deliveryTimeout.toMillis());
        config.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        config.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, 3_000);
        config.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
        config.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
        this.registryVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(2).setUseDaemonThread(true));
        Map<String, Object> registry = WaybillSerdes.registryConfig(registryUrl);
        registry.put(SchemaResolverConfig.VERTX_INSTANCE, registryVertx);
        var serdes = WaybillSerdes.withRegistry(registry);
        this.producer = new KafkaProducer<>(config, new StringSerializer(), serdes.value(ShipmentEvent.class).serializer());
    }

    /**
     * Sends every event of the delivery that is not yet sent and waits for all acknowledgements.
     * Guarded (settings in application.properties): a bulkhead bounds how many requests wait on
     * Kafka at once; a timeout bounds the wait; a retry resends only sends that failed; a circuit
     * breaker stops trying while Kafka keeps failing, so requests go straight to the spool.
     */
    @Bulkhead(32)
    @Timeout(5_000)
    @CircuitBreaker(requestVolumeThreshold = 4, failureRatio = 0.5, delay = 10_000, successThreshold = 1,
            skipOn = BulkheadException.class)
    @Retry(maxRetries = 1, delay = 200, jitter = 100, retryOn = Delivery.DeliveryFailedException.class)
    public void deliver(Delivery delivery) throws Delivery.DeliveryFailedException, InterruptedException {
        delivery.sendUnsent(producer, topic);
        delivery.awaitAll();
    }

    @PreDestroy
    void close() {
        producer.close(Duration.ofSeconds(10));
        try {
            registryVertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warnf("the registry client's Vert.x did not close within 5 s: %s", e.toString());
        }
    }
}
