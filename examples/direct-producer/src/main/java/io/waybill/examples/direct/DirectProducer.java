package io.waybill.examples.direct;

import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import io.waybill.contract.ArrivedAtFacility;
import io.waybill.contract.ServiceLevel;
import io.waybill.contract.ShipmentCreated;
import io.waybill.contract.ShipmentEvent;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * A warehouse system reporting straight to Kafka, the way docs/integration.md describes:
 * topic {@value #TOPIC}, key = shipmentId, value = {@link ShipmentEvent} in the Confluent wire
 * format, acks=all with idempotence. Only kafka-clients and Apicurio's Avro serializer.
 *
 * <pre>
 * java -cp ... io.waybill.examples.direct.DirectProducer [bootstrap-servers] [registry-url] [shipment-id]
 *   defaults: 127.0.0.1:9092  http://127.0.0.1:8085/apis/registry/v3  DIRECT-&lt;random&gt;
 * </pre>
 */
public final class DirectProducer implements AutoCloseable {

    /** The contract's topic (schemas/src/main/resources/waybill/topics.yaml); versioned in its name. */
    public static final String TOPIC = "waybill.shipment-events.v1";

    private final Producer<String, ShipmentEvent> producer;

    public DirectProducer(String bootstrapServers, String registryUrl) {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "wms-example");
        // Acknowledged = written to every in-sync replica (the topic requires at least 2).
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        // The producer's own retries never duplicate or reorder a record within a partition.
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        // Keep retrying a record for up to 2 minutes (a broker failover takes seconds); only then
        // report failure, and the application resends it with the same eventId.
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 30_000);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, AvroKafkaSerializer.class.getName());
        config.putAll(confluentWireFormat(registryUrl));
        this.producer = new KafkaProducer<>(config);
    }

    /**
     * Apicurio's Avro serializer writing the Confluent wire format (magic byte 0, 4-byte schema id,
     * Avro binary) under the subject {@code waybill.shipment-events.v1-value}.
     */
    public static Map<String, Object> confluentWireFormat(String registryUrl) {
        return Map.of(
                "apicurio.registry.url", registryUrl,
                // In production, register schemas through the release process and set this to false.
                "apicurio.registry.auto-register", "true",
                "apicurio.registry.headers.enabled", "false",
                "apicurio.registry.id-handler", "io.apicurio.registry.serde.Default4ByteIdHandler",
                "apicurio.registry.use-id", "contentId");
    }

    /** Sends events in order (they share their shipment's key, so one partition) and waits for every acknowledgement. */
    public List<RecordMetadata> sendAndWait(List<ShipmentEvent> events) throws Exception {
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        for (ShipmentEvent event : events) {
            acks.add(producer.send(new ProducerRecord<>(TOPIC, event.getShipmentId(), event)));
        }
        List<RecordMetadata> written = new ArrayList<>();
        for (Future<RecordMetadata> ack : acks) written.add(ack.get(3, TimeUnit.MINUTES));
        return written;
    }

    /** A booking and an arrival of one shipment, as a warehouse would report them. */
    public static List<ShipmentEvent> bookingAndArrival(String shipmentId) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);   // the contract keeps milliseconds
        ShipmentEvent booked = ShipmentEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString())   // chosen once, reused on every resend
                .setShipmentId(shipmentId)
                .setOccurredAt(now.minusSeconds(60))
                .setRecordedAt(now)
                .setSource("wms-example")
                .setPayload(new ShipmentCreated("BER-HUB", "MUC-DEP", ServiceLevel.STANDARD, null, 2.5, null, List.of(), null))
                .build();
        ShipmentEvent arrived = ShipmentEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setShipmentId(shipmentId)
                .setOccurredAt(now)
                .setRecordedAt(now)
                .setSource("wms-example")
                .setPayload(new ArrivedAtFacility("BER-HUB"))
                .build();
        return List.of(booked, arrived);
    }

    @Override
    public void close() {
        producer.close();
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = args.length > 0 ? args[0] : "127.0.0.1:9092";
        String registry = args.length > 1 ? args[1] : "http://127.0.0.1:8085/apis/registry/v3";
        String shipmentId = args.length > 2 ? args[2] : "DIRECT-" + UUID.randomUUID().toString().substring(0, 8);
        try (DirectProducer wms = new DirectProducer(bootstrap, registry)) {
            for (RecordMetadata written : wms.sendAndWait(bookingAndArrival(shipmentId))) {
                System.out.printf("%s: written to %s-%d at offset %d%n", shipmentId, written.topic(), written.partition(), written.offset());
            }
        }
    }
}
