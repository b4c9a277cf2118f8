package io.waybill.topology.deadletter;

import io.waybill.contract.FailureStage;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * Undeserialisable input (garbage bytes, an unknown schema id) goes to the dead-letter topic and
 * processing continues with the next record. If the dead letter cannot be written, the engine
 * stops instead of dropping the record silently (health then reports it down).
 */
public class DeadLetterDeserializationHandler implements DeserializationExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterDeserializationHandler.class);

    private DeadLetterPublisher publisher;

    @Override
    public void configure(Map<String, ?> configs) {
        publisher = new DeadLetterPublisher(configs);
    }

    @Override
    public DeserializationHandlerResponse handle(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
        LOG.warn("cannot deserialize {}-{}@{}: {}; sending it to the dead letters", record.topic(), record.partition(), record.offset(),
                exception.toString());
        boolean written = publisher.publish(FailureStage.DESERIALIZATION, record.topic(), record.partition(), record.offset(),
                record.key(), record.value(), exception, "engine/" + context.processorNodeId());
        return written ? DeserializationHandlerResponse.CONTINUE : DeserializationHandlerResponse.FAIL;
    }
}
