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
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
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

    /** Index keys of recently written values, so a put usually deserializes only the new value. */
    private static final int RECENT_KEYS = 20_000;

    private final Deserializer<V> values;
    private final List<DerivedIndex<V>> indexes;
    private final DerivedStores registry;
    private final Map<Bytes, List<Set<String>>> recent = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Bytes, List<Set<String>>> eldest) {
            return size() > RECENT_KEYS;
        }
    };
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
        recent.clear();
        indexStores = null;
        inner.init(new RestoreIndexing(context), root);
    }

    @Override
    public void put(Bytes key, byte[] value) {
        reindex(key, inner.get(key), value);
        inner.put(key, value);
    }

    @Override
    public byte[] delete(Bytes key) {
        byte[] old = inner.get(key);
        reindex(key, old, null);
        inner.put(key, null);
        return old;
    }

    private void reindex(Bytes key, byte[] oldValue, byte[] newValue) {
        List<IndexStore> stores = indexStores();
        List<Set<String>> was = recent.get(key);
        if (was == null) was = keysOf(oldValue);
        List<Set<String>> is = keysOf(newValue);
        for (int i = 0; i < stores.size(); i++) {
            IndexStore store = stores.get(i);
            Set<String> before = was.get(i);
            Set<String> after = is.get(i);
            for (String k : before) if (!after.contains(k)) store.remove(bytes(k));
            for (String k : after) if (!before.contains(k)) store.add(bytes(k));
        }
        if (newValue == null) recent.remove(key);
        else recent.put(key, is);
    }

    private List<Set<String>> keysOf(byte[] value) {
        List<Set<String>> keys = new java.util.ArrayList<>(indexes.size());
        V decoded = value == null ? null : values.deserialize(topic, value);
        for (DerivedIndex<V> index : indexes) {
            keys.add(decoded == null ? Set.of() : new HashSet<>(index.keys().apply(decoded)));
        }
        return keys;
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
                    reindex(key, old, r.value());
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
