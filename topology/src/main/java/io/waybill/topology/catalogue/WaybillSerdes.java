package io.waybill.topology.catalogue;

import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.Serdes;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The serdes of every Waybill topic and store. Keys are UTF-8 strings (shipmentId, facilityId,
 * laneId); values are Avro records of the contract.
 *
 * <p>On real topics the values use Apicurio's serdes in the Confluent wire format (magic byte 0,
 * 4-byte schema id, no headers), so producers with Confluent's own serializer interoperate.
 */
public final class WaybillSerdes {

    private final Map<String, Object> registryConfig;

    private WaybillSerdes(Map<String, Object> registryConfig) {
        this.registryConfig = registryConfig;
    }

    /** Serdes that register and resolve schemas in the registry at {@code registryUrl}. */
    public static WaybillSerdes withRegistry(String registryUrl) {
        return withRegistry(registryConfig(registryUrl));
    }

    /** Serdes with a full Apicurio serde configuration (TLS, auth, ...), see {@link #registryConfig(String)}. */
    public static WaybillSerdes withRegistry(Map<String, Object> config) {
        Objects.requireNonNull(config.get("apicurio.registry.url"), "apicurio.registry.url");
        return new WaybillSerdes(Map.copyOf(config));
    }

    /** Serdes that need no registry, for TopologyTestDriver tests. */
    public static WaybillSerdes withoutRegistry() {
        return new WaybillSerdes(null);
    }

    /** The Apicurio settings that make its serdes speak the Confluent wire format. */
    public static Map<String, Object> registryConfig(String registryUrl) {
        Map<String, Object> config = new HashMap<>();
        config.put("apicurio.registry.url", registryUrl);
        config.put("apicurio.registry.auto-register", "true");
        config.put("apicurio.registry.headers.enabled", "false");
        config.put("apicurio.registry.id-handler", "io.apicurio.registry.serde.Default4ByteIdHandler");
        config.put("apicurio.registry.use-id", "contentId");
        config.put("apicurio.registry.use-specific-avro-reader", "true");
        // Apicurio's default provider fingerprints the schema on every record (see CachedAvroDatumProvider).
        // The class itself, not its name: Apicurio loads names through its own class loader, which in Quarkus does not see ours.
        config.put("apicurio.registry.avro-datum-provider", CachedAvroDatumProvider.class);
        return config;
    }

    public Serde<String> key() {
        return Serdes.String();
    }

    /**
     * The serde of an engine store's values (and its changelog): no registry on the hot path
     * ({@link StoreSerde}); the registry, when configured, only reads records of older engines.
     */
    public <T extends SpecificRecord> Serde<T> store(Class<T> type) {
        return new StoreSerde<>(type, registryConfig == null ? null : value(type).deserializer());
    }

    public <T extends SpecificRecord> Serde<T> value(Class<T> type) {
        if (registryConfig == null) {
            return new PlainAvroSerde<>(type);
        }
        AvroKafkaSerializer<T> serializer = new AvroKafkaSerializer<>();
        AvroKafkaDeserializer<T> deserializer = new AvroKafkaDeserializer<>();
        serializer.configure(registryConfig, false);
        deserializer.configure(registryConfig, false);
        return Serdes.serdeFrom(new RetryingSerializer<>(serializer), new RetryingDeserializer<>(deserializer));
    }

    /**
     * The value deserializer of an input topic the engine's tasks read: a record whose value cannot be
     * read arrives as an {@link UndecodableInput}, for the processor to dead-letter in the transaction
     * that consumes its offset. A registry that cannot answer is not bad input: that still throws, and
     * the deserialization exception handler fails the stream thread so that the record is read again.
     */
    public <T extends SpecificRecord> Deserializer<Object> input(Class<T> type) {
        return new InputDeserializer<>(value(type).deserializer());
    }

    record InputDeserializer<T>(Deserializer<T> inner) implements Deserializer<Object> {
        @Override
        public Object deserialize(String topic, byte[] data) {
            return deserialize(topic, null, data);
        }

        @Override
        public Object deserialize(String topic, Headers headers, byte[] data) {
            if (data == null) return null;
            try {
                return headers == null ? inner.deserialize(topic, data) : inner.deserialize(topic, headers, data);
            } catch (RuntimeException e) {
                if (RegistryOutage.isCause(e)) throw e;
                return new UndecodableInput(data, e);
            }
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    /** A registry-backed serializer that rides out a closed connection or a registry restart of under a second. */
    record RetryingSerializer<T>(Serializer<T> inner) implements Serializer<T> {
        @Override
        public byte[] serialize(String topic, T data) {
            return RegistryOutage.retrying(() -> inner.serialize(topic, data));
        }

        @Override
        public byte[] serialize(String topic, Headers headers, T data) {
            return RegistryOutage.retrying(() -> inner.serialize(topic, headers, data));
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    /** The deserializer's counterpart: only the first record of an unseen schema id calls the registry. */
    record RetryingDeserializer<T>(Deserializer<T> inner) implements Deserializer<T> {
        @Override
        public T deserialize(String topic, byte[] data) {
            return RegistryOutage.retrying(() -> inner.deserialize(topic, data));
        }

        @Override
        public T deserialize(String topic, Headers headers, byte[] data) {
            return RegistryOutage.retrying(() -> inner.deserialize(topic, headers, data));
        }

        @Override
        public T deserialize(String topic, Headers headers, ByteBuffer data) {
            return RegistryOutage.retrying(() -> inner.deserialize(topic, headers, data));
        }

        @Override
        public void close() {
            inner.close();
        }
    }
}
