package io.waybill.topology.deadletter;

import io.waybill.contract.WaybillTopic;
import io.waybill.topology.catalogue.WaybillSerdes;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.processor.TaskId;
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
    void a_record_too_large_for_an_output_topic_is_dead_lettered_in_the_transaction_but_one_for_a_changelog_stops_the_engine() {
        // given the production handler, with a side producer that records anything sent outside the transaction
        MockProducer<byte[], byte[]> side = sideProducer();
        DeadLetterProductionHandler handler = new DeadLetterProductionHandler();
        handler.configure(Map.of(DeadLetterPublisher.PRODUCER, side, DeadLetterPublisher.SERDES, CLIENT.get(DeadLetterPublisher.SERDES)));
        var tooLarge = new org.apache.kafka.common.errors.RecordTooLargeException("2 MB > max.request.size");

        // when the state topic refuses a record
        var response = handler.handleError(context(TASK), new ProducerRecord<>("waybill.shipment-state.v1", "S-1".getBytes(), new byte[0]), tooLarge);

        // then the engine goes on and hands Streams the dead letter with the key, for the task's producer and transaction
        assertThat(response.result()).isEqualTo(ProductionExceptionHandler.Result.RESUME);
        assertThat(response.deadLetterQueueRecords()).singleElement().satisfies(r -> {
            assertThat(r.topic()).isEqualTo(WaybillTopic.DEAD_LETTERS.topicName());
            assertThat(new String(r.key())).isEqualTo("S-1");
            assertThat(header(r, "waybill.dlq.stage")).isEqualTo("PRODUCTION");
        });
        assertThat(side.history()).as("nothing written outside the transaction").isEmpty();

        // and when a changelog refuses one, the engine stops instead of skipping a store's record
        assertThat(handler.handleError(context(TASK), new ProducerRecord<>("waybill-engine-shipment-state-changelog", "S-1".getBytes(), new byte[0]), tooLarge)
                .result()).isEqualTo(ProductionExceptionHandler.Result.FAIL);
    }

    @Test
    void a_record_the_registry_cannot_serve_now_fails_the_thread_instead_of_becoming_a_dead_letter() {
        // given both handlers
        MockProducer<byte[], byte[]> side = sideProducer();
        Map<String, Object> config = Map.of(DeadLetterPublisher.PRODUCER, side, DeadLetterPublisher.SERDES, CLIENT.get(DeadLetterPublisher.SERDES));
        DeadLetterDeserializationHandler deserialization = new DeadLetterDeserializationHandler();
        deserialization.configure(config);
        DeadLetterProductionHandler production = new DeadLetterProductionHandler();
        production.configure(config);
        var closed = new RuntimeException(new java.util.concurrent.ExecutionException(new io.vertx.core.http.HttpClosedException("Connection was closed")));

        // when the registry closes the connection while an unseen schema id is looked up, or an output's schema registered
        // then the thread fails (the record is read again once it is replaced) and there is no dead letter
        var failed = deserialization.handleError(context(TASK), INPUT, closed);
        assertThat(failed.result()).isEqualTo(DeserializationExceptionHandler.Result.FAIL);
        assertThat(failed.deadLetterQueueRecords()).isEmpty();
        assertThat(production.handleSerializationError(context(TASK), new ProducerRecord<>("waybill.shipment-state.v1", "S-1", "x"),
                closed, ProductionExceptionHandler.SerializationExceptionOrigin.VALUE).result()).isEqualTo(ProductionExceptionHandler.Result.FAIL);

        // and garbage bytes are still dead-lettered, with their original bytes and source
        var garbage = deserialization.handleError(context(TASK), INPUT, new org.apache.kafka.common.errors.SerializationException("Unknown magic byte!"));
        assertThat(garbage.result()).isEqualTo(DeserializationExceptionHandler.Result.RESUME);
        assertThat(garbage.deadLetterQueueRecords()).singleElement().satisfies(r -> {
            assertThat(header(r, "waybill.dlq.source.topic")).isEqualTo("waybill.shipment-events.v1");
            assertThat(header(r, "waybill.dlq.source.offset")).isEqualTo("42");
        });
        assertThat(side.history()).isEmpty();
    }

    @Test
    void on_the_global_thread_the_dead_letter_is_sent_by_the_engine_itself_because_streams_drops_it_there() {
        // given the processing handler and a failure on the global thread (task -1_-1: a network or workflow record)
        MockProducer<byte[], byte[]> side = sideProducer();
        DeadLetterProcessingHandler handler = new DeadLetterProcessingHandler();
        handler.configure(Map.of(DeadLetterPublisher.PRODUCER, side, DeadLetterPublisher.SERDES, CLIENT.get(DeadLetterPublisher.SERDES)));

        // when a global processor throws
        var response = handler.handleError(context(new TaskId(-1, -1)), new org.apache.kafka.streams.processor.api.Record<>("F-1", "x", 0L),
                new IllegalStateException("bad facility"));

        // then the dead letter is written through the side producer and none is returned (Streams 4.4 would only log it)
        assertThat(response.result()).isEqualTo(ProcessingExceptionHandler.Result.RESUME);
        assertThat(response.deadLetterQueueRecords()).isEmpty();
        assertThat(side.history()).singleElement().satisfies(r -> assertThat(header(r, "waybill.dlq.stage")).isEqualTo("PROCESSING"));
    }

    private static final TaskId TASK = new TaskId(0, 3);
    private static final ConsumerRecord<byte[], byte[]> INPUT =
            new ConsumerRecord<>("waybill.shipment-events.v1", 3, 42L, "S-1".getBytes(), new byte[]{0, 0, 0, 0, 9});

    private static MockProducer<byte[], byte[]> sideProducer() {
        return new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static String header(ProducerRecord<byte[], byte[]> r, String name) {
        return new String(r.headers().lastHeader(name).value(), java.nio.charset.StandardCharsets.UTF_8);
    }

    private static ErrorHandlerContext context(TaskId task) {
        return new ErrorHandlerContext() {
            public String topic() { return "waybill.shipment-events.v1"; }
            public int partition() { return 3; }
            public long offset() { return 42; }
            public org.apache.kafka.common.header.Headers headers() { return new org.apache.kafka.common.header.internals.RecordHeaders(); }
            public String processorNodeId() { return "shipment-processor"; }
            public TaskId taskId() { return task; }
            public long timestamp() { return 0; }
            public byte[] sourceRawKey() { return "S-1".getBytes(); }
            public byte[] sourceRawValue() { return new byte[]{1}; }
        };
    }
}
