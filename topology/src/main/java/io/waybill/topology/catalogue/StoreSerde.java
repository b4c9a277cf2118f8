package io.waybill.topology.catalogue;

import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import java.io.ByteArrayOutputStream;

/**
 * The values of the engine's own stores (and so of their changelogs): Avro single-object encoding
 * (marker {@code C3 01}, the schema's 64-bit fingerprint, the binary record), with no registry.
 *
 * <p>Why not the registry serde the topics use: a changelog is read back only by the engine that
 * wrote it, so a registry round trip buys nothing there, and restoring a store must not depend on the
 * registry being up. Why not bare Avro binary: the fingerprint says which schema wrote a record, so an
 * upgrade that evolves a schema can still read the old records (add their schemas as
 * {@code olderSchemas}). Records in the Confluent wire format (first byte {@code 00}), written by
 * engines before this format, are read through the registry deserializer when there is one.
 */
final class StoreSerde<T extends SpecificRecord> implements Serde<T> {

    private static final byte CONFLUENT_MAGIC = 0x0;

    private final Class<T> type;
    /** The single-object header: marker and the schema's fingerprint (little-endian). */
    private final byte[] header = new byte[10];
    private final SpecificDatumWriter<T> writer;
    /** One buffer per stream thread: states and histories are written on every event, and growing a fresh one each time showed in the profile. */
    private final ThreadLocal<Buffer> buffers = ThreadLocal.withInitial(Buffer::new);
    private final BinaryMessageDecoder<T> decoder;
    private final Deserializer<T> legacy;

    StoreSerde(Class<T> type, Deserializer<T> legacy, Schema... olderSchemas) {
        this.type = type;
        Schema schema = SpecificData.get().getSchema(type);
        this.writer = new SpecificDatumWriter<>(schema);
        long fingerprint = SchemaNormalization.parsingFingerprint64(schema);
        header[0] = (byte) 0xC3;
        header[1] = 0x01;
        for (int i = 0; i < 8; i++) header[2 + i] = (byte) (fingerprint >>> (8 * i));
        this.decoder = new BinaryMessageDecoder<>(SpecificData.get(), schema);
        for (Schema older : olderSchemas) decoder.addSchema(older);
        this.legacy = legacy;
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, value) -> {
            if (value == null) return null;
            Buffer buffer = buffers.get();
            try {
                buffer.reset();
                buffer.write(header);
                buffer.encoder = EncoderFactory.get().binaryEncoder(buffer, buffer.encoder);
                writer.write(value, buffer.encoder);
                buffer.encoder.flush();
                return buffer.toByteArray();
            } catch (java.io.IOException | RuntimeException e) {
                throw new SerializationException("cannot write " + type.getSimpleName() + " to " + topic, e);
            }
        };
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) return null;
            if (bytes.length > 0 && bytes[0] == CONFLUENT_MAGIC) {
                if (legacy == null) {
                    throw new SerializationException(topic + ": a " + type.getSimpleName() + " in the Confluent wire format, and no registry to read it");
                }
                return legacy.deserialize(topic, bytes);
            }
            try {
                return decoder.decode(bytes);
            } catch (java.io.IOException | RuntimeException e) {
                throw new SerializationException("cannot read a " + type.getSimpleName() + " from " + topic, e);
            }
        };
    }

    /** A growable byte buffer that is reused, with the encoder that writes into it. */
    private static final class Buffer extends ByteArrayOutputStream {
        BinaryEncoder encoder;

        Buffer() {
            super(4096);
        }
    }
}
