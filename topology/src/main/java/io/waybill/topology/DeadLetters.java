package io.waybill.topology;

import io.waybill.contract.DeadLetter;
import io.waybill.contract.FailureStage;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.io.JsonEncoder;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/** Builds dead-letter records: what failed, where it came from, and enough of it to replay. */
public final class DeadLetters {

    private DeadLetters() {
    }

    /** A dead letter for a record that was read but could not be processed. */
    public static DeadLetter forRecord(ProcessorContext<?, ?> context, Record<String, ? extends SpecificRecord> record,
                                       FailureStage stage, String failedIn, String errorClass, String errorMessage) {
        var metadata = context.recordMetadata();
        return DeadLetter.newBuilder()
                .setStage(stage)
                .setSourceTopic(metadata.map(m -> m.topic()).orElse(null))
                .setSourcePartition(metadata.map(m -> m.partition()).orElse(null))
                .setSourceOffset(metadata.map(m -> m.offset()).orElse(null))
                .setOriginalKey(record.key() == null ? null : ByteBuffer.wrap(record.key().getBytes(StandardCharsets.UTF_8)))
                .setOriginalValue(record.value() == null ? null : ByteBuffer.wrap(avroJson(record.value())))
                .setOriginalValueEncoding("avro-json")
                .setErrorClass(errorClass)
                .setErrorMessage(errorMessage)
                .setFailedAt(Instant.ofEpochMilli(context.currentSystemTimeMs()))
                .setFailedIn(failedIn)
                .build();
    }

    /** How a dead letter of the engine's own work (a timer, a re-plan) says that there is nothing to replay. */
    public static final String RETRIED_BY_ENGINE = "retried-by-engine";

    /**
     * A dead letter for work of the engine's tick that failed (a timer, a re-plan): keyed by the
     * shipment, no source record, and not for replay, because the engine keeps the work and retries it.
     */
    public static DeadLetter forTick(String shipmentId, String failedIn, String errorClass, String errorMessage, long wallClock) {
        return DeadLetter.newBuilder()
                .setStage(FailureStage.PROCESSING)
                .setOriginalKey(ByteBuffer.wrap(shipmentId.getBytes(StandardCharsets.UTF_8)))
                .setOriginalValueEncoding(RETRIED_BY_ENGINE)
                .setErrorClass(errorClass)
                .setErrorMessage(errorMessage)
                .setFailedAt(Instant.ofEpochMilli(wallClock))
                .setFailedIn(failedIn)
                .build();
    }

    static byte[] avroJson(SpecificRecord value) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            JsonEncoder encoder = EncoderFactory.get().jsonEncoder(value.getSchema(), out);
            SpecificDatumWriter<SpecificRecord> writer = new SpecificDatumWriter<>(value.getSchema());
            writer.write(value, encoder);
            encoder.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode " + value.getSchema().getFullName(), e);
        }
    }
}
