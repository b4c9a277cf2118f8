package io.waybill.topology.deadletter;

import io.waybill.topology.catalogue.RegistryOutage;
import io.waybill.contract.FailureStage;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * A record the engine cannot write. For an output topic (state, instructions, exceptions, ...) a record
 * the brokers refuse as too large, or one that cannot be serialised, goes to the dead letters with its
 * key and the reason (not its value: that is what did not fit), and the engine goes on: the shipment's
 * stores are intact and its next change publishes it again. For a changelog the engine stops instead:
 * skipping a changelog record would leave a store that a restore cannot rebuild, and exactly-once
 * forbids that. The bounds on input and history (InputLimits, max-history-entries) keep records far
 * below the brokers' limit, so this is the last line, not the plan.
 */
public class DeadLetterProductionHandler implements ProductionExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterProductionHandler.class);

    private DeadLetterPublisher publisher;

    @Override
    public void configure(Map<String, ?> configs) {
        publisher = DeadLetterPublisher.shared(configs);
    }

    DeadLetterPublisher publisher() {
        return publisher;
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception exception) {
        if (!(exception instanceof RecordTooLargeException)) return Response.fail();
        return skipUnlessChangelog(context, record, exception);
    }

    @Override
    public Response handleSerializationError(ErrorHandlerContext context, ProducerRecord record, Exception exception,
                                             SerializationExceptionOrigin origin) {
        if (RegistryOutage.isCause(exception)) {
            LOG.error("cannot serialize a record for {}: the registry cannot answer; failing the stream thread, the transaction aborts and the input is processed again",
                    record.topic(), exception);
            return Response.fail();
        }
        return skipUnlessChangelog(context, record, exception);
    }

    private Response skipUnlessChangelog(ErrorHandlerContext context, ProducerRecord<?, ?> record, Exception exception) {
        if (isChangelog(record.topic())) {
            LOG.error("cannot write to changelog {}; stopping (a skipped changelog record would corrupt a store)", record.topic(), exception);
            return Response.fail();
        }
        LOG.error("cannot write a record to {}; sending its key and the reason to the dead letters", record.topic(), exception);
        byte[] key = record.key() instanceof byte[] b ? b : null;
        return Response.resume(publisher.deadLetters(context, FailureStage.PRODUCTION, record.topic(), context.partition(), context.offset(),
                key, null, exception, "engine/" + context.processorNodeId()));
    }

    /** Kafka Streams names a store's changelog {@code <application.id>-<store>-changelog}. */
    static boolean isChangelog(String topic) {
        return topic.endsWith("-changelog");
    }
}
