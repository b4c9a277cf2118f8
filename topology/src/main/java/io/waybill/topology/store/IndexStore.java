package io.waybill.topology.store;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The bytes store under a derived index: an unlogged RocksDB store that its primary store writes
 * (through {@link #apply}) on every change and on every record it restores. Processors and
 * interactive queries read it as a plain key-value store; they must not write it.
 */
final class IndexStore extends DelegatingBytesStore {

    private static final byte[] EMPTY = new byte[0];
    private final DerivedStores registry;
    private String taskDirectory;

    IndexStore(KeyValueStore<Bytes, byte[]> inner, DerivedStores registry) {
        super(inner);
        this.registry = registry;
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        super.init(context, root);
        taskDirectory = context.stateDir().getAbsolutePath();
        registry.opened(taskDirectory, this);
    }

    @Override
    public void close() {
        if (taskDirectory != null) registry.closed(taskDirectory, this);
        super.close();
    }

    void add(Bytes key) {
        inner.put(key, EMPTY);
    }

    void remove(Bytes key) {
        inner.put(key, null); // a delete without the read RocksDBStore.delete does first
    }
}
