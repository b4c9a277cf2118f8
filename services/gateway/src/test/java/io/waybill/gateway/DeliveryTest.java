package io.waybill.gateway;

import io.waybill.contract.ShipmentEvent;
import io.waybill.gateway.spool.EventSpool;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which refused sends the drainer sets aside (so they cannot block the spool) and which it retries. */
class DeliveryTest {

    @TempDir
    Path dir;

    @Test
    void an_event_kafka_refuses_for_good_is_named_and_kept_aside_readably_while_a_timeout_is_retried() throws Exception {
        // given a batch of three whose second event is too large for the brokers and whose third timed out
        MockProducer<String, ShipmentEvent> producer = new MockProducer<>(false, null, new StringSerializer(), (topic, e) -> new byte[0]);
        List<ShipmentEvent> events = TestEvents.arrivals("S-1", 3);
        Delivery delivery = new Delivery(events);
        delivery.sendUnsent(producer, "waybill.shipment-events.v1");
        producer.completeNext();
        producer.errorNext(new RecordTooLargeException("1.2 MB is more than max.request.size"));
        producer.errorNext(new TimeoutException("not acknowledged in time"));

        // when the delivery is awaited, then it failed, and only the too-large event is refused for good
        assertThatThrownBy(delivery::awaitAll).isInstanceOf(Delivery.DeliveryFailedException.class);
        assertThat(delivery.refusedForGood()).containsExactly(events.get(1));

        // and set aside, it reads back as it was accepted
        try (EventSpool spool = EventSpool.open(dir, 1 << 20)) {
            Path file = spool.setAside(delivery.refusedForGood(), "RecordTooLargeException");
            assertThat(EventSpool.readSetAside(file)).containsExactly(events.get(1));
        }
    }

    @Test
    void a_send_that_fails_at_once_keeps_the_later_events_of_the_batch_unsent_so_none_overtakes_it() throws Exception {
        // given a producer whose first send() finds no metadata in max.block.ms: KafkaProducer returns a failed
        // future then (an ApiException), it does not throw; the brokers come back just after it
        List<ShipmentEvent> events = TestEvents.arrivals("S-1", 3);
        java.util.concurrent.atomic.AtomicBoolean brokersBack = new java.util.concurrent.atomic.AtomicBoolean();
        MockProducer<String, ShipmentEvent> producer = new MockProducer<>(true, null, new StringSerializer(), (topic, e) -> new byte[0]) {
            @Override
            public synchronized java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata> send(
                    org.apache.kafka.clients.producer.ProducerRecord<String, ShipmentEvent> record) {
                if (brokersBack.compareAndSet(false, true)) {
                    return java.util.concurrent.CompletableFuture.failedFuture(
                            new TimeoutException("Topic waybill.shipment-events.v1 not present in metadata after 3000 ms."));
                }
                return super.send(record);
            }
        };
        Delivery delivery = new Delivery(events);

        // when the batch is sent, and sent again after the failure
        delivery.sendUnsent(producer, "waybill.shipment-events.v1");
        assertThat(producer.history()).as("sent in the first attempt").isEmpty();
        assertThatThrownBy(delivery::awaitAll).isInstanceOf(Delivery.DeliveryFailedException.class);
        delivery.sendUnsent(producer, "waybill.shipment-events.v1");
        delivery.awaitAll();

        // then the topic has them in the order they were accepted
        assertThat(producer.history()).extracting(r -> r.value().getEventId())
                .containsExactlyElementsOf(events.stream().map(ShipmentEvent::getEventId).toList());
    }
}
