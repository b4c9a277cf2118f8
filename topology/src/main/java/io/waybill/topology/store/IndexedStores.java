package io.waybill.topology.store;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

import java.util.List;

/**
 * Store suppliers for a primary store with derived secondary indexes (RocksDB underneath, as
 * {@link Stores#persistentKeyValueStore}). Build the primary with logging enabled and every index
 * with logging disabled, and connect all of them to the same processor:
 * <pre>
 *   DerivedStores registry = new DerivedStores();
 *   topology.addStateStore(Stores.keyValueStoreBuilder(IndexedStores.primary("shipment-state", serde.deserializer(), registry,
 *           new DerivedIndex&lt;&gt;("shipment-index", ShipmentIndex::keys)), keys, serde), PROCESSOR);
 *   topology.addStateStore(Stores.keyValueStoreBuilder(IndexedStores.index("shipment-index", registry), keys, Serdes.String())
 *           .withLoggingDisabled(), PROCESSOR);
 * </pre>
 * Why not a logged index written by the processor: every index key that changes is then one more
 * changelog record in the transaction, and a shipment's move touched five to ten of them per event.
 */
public final class IndexedStores {

    private IndexedStores() {
    }

    @SafeVarargs
    public static <V> KeyValueBytesStoreSupplier primary(String name, Deserializer<V> values, DerivedStores registry,
                                                         DerivedIndex<V>... indexes) {
        KeyValueBytesStoreSupplier rocks = Stores.persistentKeyValueStore(name);
        return supplier(name, () -> new IndexedStore<>(rocks.get(), values, List.of(indexes), registry));
    }

    public static KeyValueBytesStoreSupplier index(String name, DerivedStores registry) {
        KeyValueBytesStoreSupplier rocks = Stores.persistentKeyValueStore(name);
        return supplier(name, () -> new IndexStore(rocks.get(), registry));
    }

    private static KeyValueBytesStoreSupplier supplier(String name, java.util.function.Supplier<KeyValueStore<Bytes, byte[]>> stores) {
        return new KeyValueBytesStoreSupplier() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public KeyValueStore<Bytes, byte[]> get() {
                return stores.get();
            }

            @Override
            public String metricsScope() {
                return "rocksdb";
            }
        };
    }
}
