package io.waybill.topology.deadletter;

import io.waybill.contract.FailureStage;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * A record that makes a processor throw (KIP-1033) goes to the dead-letter topic with its original
 * bytes, in the task's transaction (KIP-1034, see {@link DeadLetterPublisher}), and the engine goes on. If the dead letter cannot be written, the stream thread fails (the record is not skipped) and is retried.
 */
public class DeadLetterProcessingHandler implements ProcessingExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterProcessingHandler.class);

    private DeadLetterPublisher publisher;

    DeadLetterPublisher publisher() {
        return publisher;
    }

    @Override
    public void configure(Map<String, ?> configs) {
        publisher = DeadLetterPublisher.shared(configs);
    }

    @Override
    public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
        LOG.error("processor {} failed on {}-{}@{}; sending the record to the dead letters", context.processorNodeId(),
                context.topic(), context.partition(), context.offset(), exception);
        return Response.resume(publisher.deadLetters(context, FailureStage.PROCESSING, context.topic(), context.partition(), context.offset(),
                context.sourceRawKey(), context.sourceRawValue(), exception, "engine/" + context.processorNodeId()));
    }
}
