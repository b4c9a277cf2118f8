package io.waybill.topology.deadletter;

import io.waybill.contract.FailureStage;
import io.waybill.topology.catalogue.RegistryOutage;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * Undeserialisable input that reaches Streams' handler goes to the dead-letter topic (see
 * {@link DeadLetterPublisher}), and processing continues with the next record. If the dead letter
 * cannot be written, the stream thread fails instead of dropping the record silently, and is replaced
 * once the cause is gone. A registry that cannot answer is not bad input: the thread fails and the
 * record is read again.
 *
 * <p>The engine's own inputs (events, commands) do not come here for bad bytes: their deserializer
 * hands them to the processor ({@link io.waybill.topology.catalogue.UndecodableInput}), because a
 * dead letter returned here may commit without its record's offset. What comes here is a registry
 * outage on those topics and anything undecodable on the global stores' topics.
 */
public class DeadLetterDeserializationHandler implements DeserializationExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterDeserializationHandler.class);

    private DeadLetterPublisher publisher;

    DeadLetterPublisher publisher() {
        return publisher;
    }

    @Override
    public void configure(Map<String, ?> configs) {
        publisher = DeadLetterPublisher.shared(configs);
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
        if (RegistryOutage.isCause(exception)) {
            // a valid record whose schema the registry could not serve now: failing the thread retries it, a dead letter would lose it
            LOG.warn("cannot deserialize {}-{}@{}: the registry cannot answer ({}); failing the stream thread to retry the record",
                    record.topic(), record.partition(), record.offset(), exception.toString());
            return Response.fail();
        }
        LOG.warn("cannot deserialize {}-{}@{}: {}; sending it to the dead letters", record.topic(), record.partition(), record.offset(),
                exception.toString());
        return Response.resume(publisher.deadLetters(context, FailureStage.DESERIALIZATION, record.topic(), record.partition(), record.offset(),
                record.key(), record.value(), exception, "engine/" + context.processorNodeId()));
    }
}
