package io.waybill.engine;

import io.waybill.contract.ShipmentEvent;
import io.waybill.contract.WaybillTopic;
import io.waybill.testkit.WaybillTestResource;
import io.waybill.topology.catalogue.WaybillSerdes;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** Events published to the test cluster the way a warehouse system does (Avro, acks=all). */
final class TestEvents {

    private TestEvents() {
    }

    static ShipmentEvent event(String shipmentId, Instant at, Object payload) {
        return ShipmentEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setShipmentId(shipmentId)
                .setOccurredAt(at).setRecordedAt(at).setSource("engine-test").setPayload(payload).build();
    }

    static void publish(ShipmentEvent event) throws Exception {
        publishAll(java.util.List.of(event));
    }

    /** Events in order, through one producer. */
    static void publishAll(java.util.List<ShipmentEvent> events) throws Exception {
        var platform = WaybillTestResource.platform();
        var serde = WaybillSerdes.withRegistry(platform.registry().apiUrl()).value(ShipmentEvent.class);
        try (var producer = new KafkaProducer<>(Map.<String, Object>of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.kafka().bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true), new StringSerializer(), serde.serializer())) {
            for (ShipmentEvent event : events) {
                producer.send(new ProducerRecord<>(WaybillTopic.SHIPMENT_EVENTS.topicName(), event.getShipmentId(), event));
            }
            producer.flush();
        }
    }
}
