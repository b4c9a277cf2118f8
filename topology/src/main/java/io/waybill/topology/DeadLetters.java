package io.waybill.topology;

import io.waybill.contract.DeadLetter;
import io.waybill.contract.FailureStage;
import io.waybill.topology.catalogue.UndecodableInput;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.io.JsonEncoder;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
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
        return ofInput(context, record.key(), stage, failedIn, errorClass, errorMessage)
                .setOriginalValue(record.value() == null ? null : ByteBuffer.wrap(avroJson(record.value())))
                .setOriginalValueEncoding("avro-json")
                .build();
    }

    /**
     * A dead letter for an input value that could not be read: its bytes as they were (for replay),
     * and why. The key is the record's, as the engine read it.
     */
    public static DeadLetter forUndecodable(ProcessorContext<?, ?> context, String key, UndecodableInput input, String failedIn) {
        return ofInput(context, key, FailureStage.DESERIALIZATION, failedIn, input.error().getClass().getName(), input.reason())
                .setOriginalValue(ByteBuffer.wrap(input.value()))
                .setOriginalValueEncoding(KAFKA_WIRE)
                .build();
    }

    /** What every dead letter of an input record says: where it came from, its key, what failed, when and where. */
    private static DeadLetter.Builder ofInput(ProcessorContext<?, ?> context, String key, FailureStage stage, String failedIn,
                                              String errorClass, String errorMessage) {
        var metadata = context.recordMetadata();
        return DeadLetter.newBuilder()
                .setStage(stage)
                .setSourceTopic(metadata.map(m -> m.topic()).orElse(null))
                .setSourcePartition(metadata.map(m -> m.partition()).orElse(null))
                .setSourceOffset(metadata.map(m -> m.offset()).orElse(null))
                .setOriginalKey(key == null ? null : ByteBuffer.wrap(key.getBytes(StandardCharsets.UTF_8)))
                .setErrorClass(errorClass)
                .setErrorMessage(errorMessage)
                .setFailedAt(Instant.ofEpochMilli(context.currentSystemTimeMs()))
                .setFailedIn(failedIn);
    }

    /** The encoding of an original value kept as the bytes read from Kafka (wire format included). */
    public static final String KAFKA_WIRE = "kafka-wire";

    /**
     * The headers every dead letter carries, from its own fields: a tool can sort and count dead letters
     * by stage, source and error without the registry.
     */
    public static Headers headers(Headers original, DeadLetter letter) {
        RecordHeaders headers = new RecordHeaders(original == null ? new Header[0] : original.toArray());
        String message = letter.getErrorMessage();
        header(headers, "waybill.dlq.stage", letter.getStage().name());
        header(headers, "waybill.dlq.source.topic", letter.getSourceTopic());
        header(headers, "waybill.dlq.source.partition", letter.getSourcePartition() == null ? null : letter.getSourcePartition().toString());
        header(headers, "waybill.dlq.source.offset", letter.getSourceOffset() == null ? null : letter.getSourceOffset().toString());
        header(headers, "waybill.dlq.error.class", letter.getErrorClass());
        header(headers, "waybill.dlq.error.message", message == null || message.length() <= 1000 ? message : message.substring(0, 1000));
        header(headers, "waybill.dlq.failed.at", letter.getFailedAt() == null ? null : letter.getFailedAt().toString());
        header(headers, "waybill.dlq.failed.in", letter.getFailedIn());
        return headers;
    }

    private static void header(RecordHeaders headers, String name, String value) {
        if (value != null) headers.add(name, value.getBytes(StandardCharsets.UTF_8));
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
