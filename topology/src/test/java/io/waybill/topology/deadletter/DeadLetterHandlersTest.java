package io.waybill.topology.deadletter;

import io.waybill.topology.catalogue.WaybillSerdes;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The dead-letter handlers Kafka Streams makes per task share one producer per process and client settings. */
class DeadLetterHandlersTest {

    private static final Map<String, Object> CLIENT = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1",
            DeadLetterPublisher.SERDES, WaybillSerdes.withoutRegistry());

    @Test
    void handlers_made_for_every_task_and_rebalance_share_one_publisher() {
        // given the handlers Streams configures for twelve tasks, twice (a rebalance), of both kinds
        DeadLetterPublisher first = null;
        for (int i = 0; i < 24; i++) {
            DeadLetterProcessingHandler processing = new DeadLetterProcessingHandler();
            processing.configure(CLIENT);
            DeadLetterDeserializationHandler deserialization = new DeadLetterDeserializationHandler();
            deserialization.configure(CLIENT);
            if (first == null) first = processing.publisher();

            // then every one of them writes through the same publisher (one producer), not a new one that is never closed
            assertThat(processing.publisher()).isSameAs(first);
            assertThat(deserialization.publisher()).isSameAs(first);
        }
    }

    @Test
    void other_client_settings_get_a_publisher_of_their_own() {
        DeadLetterProcessingHandler a = new DeadLetterProcessingHandler();
        a.configure(CLIENT);
        DeadLetterProcessingHandler b = new DeadLetterProcessingHandler();
        b.configure(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:2", DeadLetterPublisher.SERDES, CLIENT.get(DeadLetterPublisher.SERDES)));
        assertThat(a.publisher()).isNotSameAs(b.publisher());
    }

    @Test
    void a_record_too_large_for_an_output_topic_is_dead_lettered_but_one_for_a_changelog_stops_the_engine() {
        // given the production handler with a producer that records what it is given
        org.apache.kafka.clients.producer.MockProducer<byte[], byte[]> dead = new org.apache.kafka.clients.producer.MockProducer<>(true, null,
                new org.apache.kafka.common.serialization.ByteArraySerializer(), new org.apache.kafka.common.serialization.ByteArraySerializer());
        DeadLetterProductionHandler handler = new DeadLetterProductionHandler();
        handler.configure(Map.of(DeadLetterPublisher.PRODUCER, dead, DeadLetterPublisher.SERDES, CLIENT.get(DeadLetterPublisher.SERDES)));
        ErrorHandlerContext context = new ErrorHandlerContext() {
            public String topic() { return "waybill.shipment-events.v1"; }
            public int partition() { return 3; }
            public long offset() { return 42; }
            public org.apache.kafka.common.header.Headers headers() { return new org.apache.kafka.common.header.internals.RecordHeaders(); }
            public String processorNodeId() { return "shipment-processor"; }
            public org.apache.kafka.streams.processor.TaskId taskId() { return new org.apache.kafka.streams.processor.TaskId(0, 3); }
            public long timestamp() { return 0; }
            public byte[] sourceRawKey() { return null; }
            public byte[] sourceRawValue() { return null; }
        };
        var tooLarge = new org.apache.kafka.common.errors.RecordTooLargeException("2 MB > max.request.size");

        // when the state topic refuses a record, then it is dead-lettered with its key and the engine goes on
        assertThat(handler.handle(context, new org.apache.kafka.clients.producer.ProducerRecord<>("waybill.shipment-state.v1", "S-1".getBytes(), new byte[0]), tooLarge))
                .isEqualTo(org.apache.kafka.streams.errors.ProductionExceptionHandler.ProductionExceptionHandlerResponse.CONTINUE);
        assertThat(dead.history()).singleElement().satisfies(r -> assertThat(new String(r.key())).isEqualTo("S-1"));

        // and when a changelog refuses one, the engine stops instead of skipping a store's record
        assertThat(handler.handle(context, new org.apache.kafka.clients.producer.ProducerRecord<>("waybill-engine-shipment-state-changelog", "S-1".getBytes(), new byte[0]), tooLarge))
                .isEqualTo(org.apache.kafka.streams.errors.ProductionExceptionHandler.ProductionExceptionHandlerResponse.FAIL);
        assertThat(dead.history()).hasSize(1);
    }

    @Test
    void a_record_the_registry_cannot_serve_now_fails_the_thread_instead_of_becoming_a_dead_letter() {
        // given both handlers, with a dead-letter producer that records what it is given
        org.apache.kafka.clients.producer.MockProducer<byte[], byte[]> dead = new org.apache.kafka.clients.producer.MockProducer<>(true, null,
                new org.apache.kafka.common.serialization.ByteArraySerializer(), new org.apache.kafka.common.serialization.ByteArraySerializer());
        Map<String, Object> config = Map.of(DeadLetterPublisher.PRODUCER, dead, DeadLetterPublisher.SERDES, CLIENT.get(DeadLetterPublisher.SERDES));
        DeadLetterDeserializationHandler deserialization = new DeadLetterDeserializationHandler();
        deserialization.configure(config);
        DeadLetterProductionHandler production = new DeadLetterProductionHandler();
        production.configure(config);
        var closed = new RuntimeException(new java.util.concurrent.ExecutionException(new io.vertx.core.http.HttpClosedException("Connection was closed")));
        var input = new org.apache.kafka.clients.consumer.ConsumerRecord<>("waybill.shipment-events.v1", 3, 42L, "S-1".getBytes(), new byte[]{0, 0, 0, 0, 9});

        // when the registry closes the connection while an unseen schema id is looked up, or an output's schema registered
        // then the thread fails (the record is read again once it is replaced) and nothing is dead-lettered
        assertThat(deserialization.handle(context(), input, closed))
                .isEqualTo(org.apache.kafka.streams.errors.DeserializationExceptionHandler.DeserializationHandlerResponse.FAIL);
        assertThat(production.handleSerializationException(context(), new org.apache.kafka.clients.producer.ProducerRecord<>("waybill.shipment-state.v1", "S-1", "x"),
                closed, org.apache.kafka.streams.errors.ProductionExceptionHandler.SerializationExceptionOrigin.VALUE))
                .isEqualTo(org.apache.kafka.streams.errors.ProductionExceptionHandler.ProductionExceptionHandlerResponse.FAIL);
        assertThat(dead.history()).isEmpty();

        // and garbage bytes are still dead-lettered
        assertThat(deserialization.handle(context(), input, new org.apache.kafka.common.errors.SerializationException("Unknown magic byte!")))
                .isEqualTo(org.apache.kafka.streams.errors.DeserializationExceptionHandler.DeserializationHandlerResponse.CONTINUE);
        assertThat(dead.history()).hasSize(1);
    }

    private static ErrorHandlerContext context() {
        return new ErrorHandlerContext() {
            public String topic() { return "waybill.shipment-events.v1"; }
            public int partition() { return 3; }
            public long offset() { return 42; }
            public org.apache.kafka.common.header.Headers headers() { return new org.apache.kafka.common.header.internals.RecordHeaders(); }
            public String processorNodeId() { return "shipment-processor"; }
            public org.apache.kafka.streams.processor.TaskId taskId() { return new org.apache.kafka.streams.processor.TaskId(0, 3); }
            public long timestamp() { return 0; }
            public byte[] sourceRawKey() { return null; }
            public byte[] sourceRawValue() { return null; }
        };
    }
}
