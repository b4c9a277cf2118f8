package io.waybill.topology.store;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.CommitCallback;
import org.apache.kafka.streams.processor.StateRestoreCallback;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.processor.internals.RecordBatchingStateRestoreCallback;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.StreamsMetrics;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A primary store whose secondary indexes follow its values: every put or delete, and every record
 * restored from the changelog, brings the index stores in line (index keys of the old value that
 * the new one lacks go, new ones come). Only the primary is changelogged, so an index costs no
 * Kafka record at all; and because the index is rebuilt from the very changelog records that
 * restore the primary, a restored, migrated or standby task has an index equal to its primary.
 * Under exactly-once a task that dies uncleanly has its whole state directory wiped and restored,
 * the index stores with it.
 */
final class IndexedStore<V> extends DelegatingBytesStore {

    private final Deserializer<V> values;
    private final List<DerivedIndex<V>> indexes;
    private final DerivedStores registry;
    private String topic = "";
    private String taskDirectory;
    private List<IndexStore> indexStores;

    IndexedStore(KeyValueStore<Bytes, byte[]> inner, Deserializer<V> values, List<DerivedIndex<V>> indexes, DerivedStores registry) {
        super(inner);
        this.values = values;
        this.indexes = List.copyOf(indexes);
        this.registry = registry;
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        taskDirectory = context.stateDir().getAbsolutePath();
        topic = name();
        indexStores = null;
        inner.init(new RestoreIndexing(context), root);
    }

    /**
     * Commits the derived indexes before the store itself. With transactional stores each RocksDB store
     * commits on its own; a crash between the two commits then leaves the indexes ahead, never behind:
     * the store restores the records after its own last commit from the changelog and derives their
     * index keys again (idempotent), whereas index keys committed after the store would be lost.
     */
    @Override
    public void commit(java.util.Map<org.apache.kafka.common.TopicPartition, Long> changelogOffsets) {
        if (taskDirectory != null) {
            for (IndexStore index : indexStores()) {
                if (index.isOpen()) index.commit(java.util.Map.of());
            }
        }
        inner.commit(changelogOffsets);
    }

    @Override
    public void put(Bytes key, byte[] value) {
        DerivedStores.Write announced = registry.take(name(), new String(key.get(), StandardCharsets.UTF_8));
        if (announced != null) {
            reindex(objectKeys(announced.before()), objectKeys(announced.after()));
        } else {
            reindex(inner.get(key), value);
        }
        inner.put(key, value);
    }

    @Override
    public byte[] delete(Bytes key) {
        byte[] old = inner.get(key);
        DerivedStores.Write announced = registry.take(name(), new String(key.get(), StandardCharsets.UTF_8));
        if (announced != null) reindex(objectKeys(announced.before()), objectKeys(null));
        else reindex(old, null);
        inner.put(key, null);
        return old;
    }

    private void reindex(byte[] oldValue, byte[] newValue) {
        reindex(keysOf(oldValue), keysOf(newValue));
    }

    private void reindex(List<Set<String>> was, List<Set<String>> is) {
        List<IndexStore> stores = indexStores();
        for (int i = 0; i < stores.size(); i++) {
            IndexStore store = stores.get(i);
            Set<String> before = was.get(i);
            Set<String> after = is.get(i);
            for (String k : before) if (!after.contains(k)) store.remove(bytes(k));
            for (String k : after) if (!before.contains(k)) store.add(bytes(k));
        }
    }

    @SuppressWarnings("unchecked")
    private List<Set<String>> objectKeys(Object value) {
        List<Set<String>> keys = new java.util.ArrayList<>(indexes.size());
        for (DerivedIndex<V> index : indexes) {
            keys.add(value == null ? Set.of() : new HashSet<>(index.keys().apply((V) value)));
        }
        return keys;
    }

    private List<Set<String>> keysOf(byte[] value) {
        return objectKeys(value == null ? null : values.deserialize(topic, value));
    }

    private List<IndexStore> indexStores() {
        if (indexStores == null) {
            indexStores = indexes.stream().map(i -> registry.find(taskDirectory, i.storeName())).toList();
        }
        return indexStores;
    }

    private static Bytes bytes(String key) {
        return Bytes.wrap(key.getBytes(StandardCharsets.UTF_8));
    }

    /** Hands the inner store a restore callback that indexes each restored record before the inner store writes it. */
    private final class RestoreIndexing implements StateStoreContext {
        private final StateStoreContext context;

        RestoreIndexing(StateStoreContext context) {
            this.context = context;
        }

        @Override
        public void register(StateStore store, StateRestoreCallback callback) {
            context.register(store, indexing(callback));
        }

        @Override
        public void register(StateStore store, StateRestoreCallback callback, CommitCallback onCommit) {
            context.register(store, indexing(callback), onCommit);
        }

        private StateRestoreCallback indexing(StateRestoreCallback callback) {
            if (!(callback instanceof RecordBatchingStateRestoreCallback batching)) {
                throw new IllegalStateException("the store under " + name() + " restores record by record: "
                        + callback.getClass().getName() + " is not supported");
            }
            return (RecordBatchingStateRestoreCallback) records -> {
                // Each record is indexed against the value before it (the store, or an earlier record of this batch).
                Map<Bytes, byte[]> batch = new HashMap<>();
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    Bytes key = Bytes.wrap(r.key());
                    byte[] old = batch.containsKey(key) ? batch.get(key) : inner.get(key);
                    reindex(old, r.value());
                    batch.put(key, r.value());
                }
                batching.restoreBatch(records);
            };
        }

        @Override
        public String applicationId() {
            return context.applicationId();
        }

        @Override
        public TaskId taskId() {
            return context.taskId();
        }

        @Override
        public Optional<RecordMetadata> recordMetadata() {
            return context.recordMetadata();
        }

        @Override
        public Serde<?> keySerde() {
            return context.keySerde();
        }

        @Override
        public Serde<?> valueSerde() {
            return context.valueSerde();
        }

        @Override
        public File stateDir() {
            return context.stateDir();
        }

        @Override
        public StreamsMetrics metrics() {
            return context.metrics();
        }

        @Override
        public Map<String, Object> appConfigs() {
            return context.appConfigs();
        }

        @Override
        public Map<String, Object> appConfigsWithPrefix(String prefix) {
            return context.appConfigsWithPrefix(prefix);
        }
    }
}
