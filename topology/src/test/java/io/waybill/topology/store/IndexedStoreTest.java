package io.waybill.topology.store;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.streams.StreamsMetrics;
import org.apache.kafka.streams.processor.CommitCallback;
import org.apache.kafka.streams.processor.StateRestoreCallback;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.processor.internals.RecordBatchingStateRestoreCallback;
import org.apache.kafka.streams.processor.internals.metrics.StreamsMetricsImpl;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A derived index follows its primary store on writes and on restoration from the changelog. The
 * index here: "first letter/key" for each value. The store context is a minimal fake that keeps the
 * restore callback, as Kafka Streams' state manager does.
 */
class IndexedStoreTest {

    @TempDir
    Path dir;

    private final DerivedStores registry = new DerivedStores();
    private final List<StateStore> opened = new ArrayList<>();
    private final Map<String, StateRestoreCallback> callbacks = new HashMap<>();

    @AfterEach
    void close() {
        opened.forEach(StateStore::close);
    }

    @Test
    void writesMoveTheIndexKeysOfAValue() {
        // given a primary store and its index
        KeyValueStore<Bytes, byte[]> primary = open(dir.resolve("task"));

        // when a value is written, overwritten, and another one deleted
        primary.put(key("k1"), value("apple"));
        primary.put(key("k2"), value("avocado"));
        primary.put(key("k1"), value("banana"));
        primary.delete(key("k2"));

        // then the index holds exactly the keys of the values now in the primary
        assertThat(indexKeys()).containsExactly("b/k1");
    }

    @Test
    void restoringTheChangelogBuildsTheIndex() {
        // given an empty task directory (a new instance, or a wiped one after a crash)
        open(dir.resolve("task"));

        // when the changelog is restored, a key overwritten and another deleted within the batch
        restore(List.of(record("k1", "apple"), record("k2", "avocado"), record("k1", "banana"), record("k2", null),
                record("k3", "cherry")));

        // then the index equals the index of the restored values
        assertThat(indexKeys()).containsExactly("b/k1", "c/k3");
    }

    @Test
    void restoringOnTopOfOlderLocalStateReplacesTheOldIndexKeys() {
        // given a task directory with state from before (a checkpoint, then the task moved away and back)
        KeyValueStore<Bytes, byte[]> primary = open(dir.resolve("task"));
        primary.put(key("k1"), value("apple"));
        primary.put(key("k2"), value("date"));

        // when the newer part of the changelog is restored
        restore(List.of(record("k1", "elderberry"), record("k2", null)));

        // then the index keys of the old values are gone
        assertThat(indexKeys()).containsExactly("e/k1");
    }

    @Test
    void anAnnouncedWriteIsIndexedFromItsObjectsAndAnotherKeysAnnouncementIsIgnored() {
        // given a stored value
        KeyValueStore<Bytes, byte[]> primary = open(dir.resolve("task"));
        primary.put(key("k1"), value("apple"));

        // when the processor announces its next write of k1 (what it loaded, what it writes) and writes it
        registry.writing("fruit", "k1", "apple", "banana");
        primary.put(key("k1"), value("banana"));
        // and announces k2 but writes k3 (an announcement is only for the key it names)
        registry.writing("fruit", "k2", "zucchini", "zucchini");
        primary.put(key("k3"), value("cherry"));
        keys.put("cherry", "k3");

        // then the index follows both writes
        assertThat(indexKeys()).containsExactly("b/k1", "c/k3");
    }

    // ---- the fake task -----------------------------------------------------------------------------

    private KeyValueStore<Bytes, byte[]> open(Path taskDir) {
        StateStoreContext context = new FakeContext(taskDir.toFile());
        KeyValueStore<Bytes, byte[]> index = IndexedStores.index("by-letter", registry).get();
        index.init(context, index);
        opened.add(index);
        KeyValueStore<Bytes, byte[]> primary = IndexedStores.primary("fruit", Serdes.String().deserializer(), registry,
                new DerivedIndex<String>("by-letter", v -> List.of(v.charAt(0) + "/" + keyOf(v)))).get();
        primary.init(context, primary);
        opened.add(0, primary);
        lastPrimary = primary;
        lastIndex = index;
        return primary;
    }

    private KeyValueStore<Bytes, byte[]> lastPrimary;
    private KeyValueStore<Bytes, byte[]> lastIndex;
    /** value → key, so the test index can name the primary key (a real index derives it from the value). */
    private final Map<String, String> keys = new HashMap<>();

    private String keyOf(String value) {
        return keys.get(value);
    }

    private Bytes key(String k) {
        return Bytes.wrap(k.getBytes(StandardCharsets.UTF_8));
    }

    private byte[] value(String v) {
        return v.getBytes(StandardCharsets.UTF_8);
    }

    private ConsumerRecord<byte[], byte[]> record(String k, String v) {
        if (v != null) keys.put(v, k);
        return new ConsumerRecord<>("fruit-changelog", 0, 0, k.getBytes(StandardCharsets.UTF_8), v == null ? null : value(v));
    }

    private void restore(List<ConsumerRecord<byte[], byte[]>> records) {
        ((RecordBatchingStateRestoreCallback) callbacks.get("fruit")).restoreBatch(records);
    }

    private TreeSet<String> indexKeys() {
        TreeSet<String> all = new TreeSet<>();
        try (var it = lastIndex.all()) {
            it.forEachRemaining(kv -> all.add(new String(kv.key.get(), StandardCharsets.UTF_8)));
        }
        return all;
    }

    {
        // the writes in the first test name their keys through the same map
        keys.put("apple", "k1");
        keys.put("avocado", "k2");
        keys.put("banana", "k1");
        keys.put("date", "k2");
        keys.put("cherry", "k3");
    }

    private final class FakeContext implements StateStoreContext {
        private final File stateDir;
        private final StreamsMetricsImpl metrics = new StreamsMetricsImpl(new Metrics(), "test-client", Time.SYSTEM);

        FakeContext(File stateDir) {
            this.stateDir = stateDir;
            stateDir.mkdirs();
        }

        @Override
        public String applicationId() {
            return "test";
        }

        @Override
        public TaskId taskId() {
            return new TaskId(0, 0);
        }

        @Override
        public Optional<RecordMetadata> recordMetadata() {
            return Optional.empty();
        }

        @Override
        public Serde<?> keySerde() {
            return Serdes.String();
        }

        @Override
        public Serde<?> valueSerde() {
            return Serdes.String();
        }

        @Override
        public File stateDir() {
            return stateDir;
        }

        @Override
        public StreamsMetrics metrics() {
            return metrics;
        }

        @Override
        public void register(StateStore store, StateRestoreCallback callback) {
            callbacks.put(store.name(), callback);
        }

        @Override
        public void register(StateStore store, StateRestoreCallback callback, CommitCallback onCommit) {
            callbacks.put(store.name(), callback);
        }

        @Override
        public Map<String, Object> appConfigs() {
            Map<String, Object> configs = new HashMap<>(new org.apache.kafka.streams.StreamsConfig(Map.of(
                    org.apache.kafka.streams.StreamsConfig.APPLICATION_ID_CONFIG, "test",
                    org.apache.kafka.streams.StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9")).values());
            configs.values().removeIf(java.util.Objects::isNull);
            return configs;
        }

        @Override
        public Map<String, Object> appConfigsWithPrefix(String prefix) {
            return Map.of();
        }
    }
}
