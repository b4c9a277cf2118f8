package io.waybill.testkit.bench;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

import java.util.Map;

/**
 * The yardstick: source (byte[] key and value) → one get and one put on one logged persistent
 * RocksDB key-value store per record (the record's value under its key) → sink. What any stateful
 * exactly-once Streams app pays per record on this cluster, with no domain logic.
 */
final class BaselineTopology {

    static final String STORE = "bench-baseline-store";

    static Topology build(String inputTopic, String outputTopic) {
        Topology t = new Topology();
        t.addSource("source", Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer(), inputTopic);
        t.addProcessor("get-put", GetPut::new, "source");
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), Serdes.ByteArray(), Serdes.ByteArray())
                .withLoggingEnabled(Map.of()), "get-put");
        t.addSink("sink", outputTopic, Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer(), "get-put");
        return t;
    }

    static final class GetPut implements Processor<byte[], byte[], byte[], byte[]> {
        private ProcessorContext<byte[], byte[]> context;
        private KeyValueStore<byte[], byte[]> store;
        long previousBytes;

        @Override
        public void init(ProcessorContext<byte[], byte[]> context) {
            this.context = context;
            this.store = context.getStateStore(STORE);
        }

        @Override
        public void process(Record<byte[], byte[]> record) {
            if (record.key() == null) return;
            byte[] previous = store.get(record.key());
            if (previous != null) previousBytes += previous.length;
            store.put(record.key(), record.value());
            context.forward(record);
        }
    }

    private BaselineTopology() {
    }
}
