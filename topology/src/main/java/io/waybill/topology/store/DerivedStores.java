package io.waybill.topology.store;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds a task's index stores from its primary store. Both are built by suppliers of the same
 * topology and opened by the same task, in its own state directory, so the directory and the store
 * name identify an index store uniquely, also with several instances or threads in one JVM.
 */
public final class DerivedStores {

    private final Map<String, IndexStore> open = new ConcurrentHashMap<>();
    /** Per stream thread: the value a primary store is about to be given for a key, and the value it holds now. */
    private final ThreadLocal<Map<String, Write>> writes = ThreadLocal.withInitial(java.util.HashMap::new);

    /** A write announced by the processor that makes it: the store's current value and the new one, as objects. */
    record Write(String key, Object before, Object after) {
    }

    /**
     * Announces the next write of {@code key} to the primary store {@code storeName} on this thread, with
     * the value the store holds now ({@code before}, as the processor loaded it) and the new one
     * ({@code after}, null for a delete). The store then derives the index keys from these objects
     * instead of reading and decoding the stored bytes, the most expensive part of an index update.
     * Without an announcement (or for another key) the store decodes, which is always correct.
     */
    public void writing(String storeName, String key, Object before, Object after) {
        writes.get().put(storeName, new Write(key, before, after));
    }

    /** The announced write of this key, if it is the next one; it is used once. */
    Write take(String storeName, String key) {
        Map<String, Write> pending = writes.get();
        Write w = pending.remove(storeName);
        return w != null && w.key().equals(key) ? w : null;
    }

    void opened(String taskDirectory, IndexStore store) {
        open.put(taskDirectory + "|" + store.name(), store);
    }

    void closed(String taskDirectory, IndexStore store) {
        open.remove(taskDirectory + "|" + store.name(), store);
    }

    IndexStore find(String taskDirectory, String storeName) {
        IndexStore store = open.get(taskDirectory + "|" + storeName);
        if (store == null) {
            throw new IllegalStateException("index store " + storeName + " is not open in " + taskDirectory
                    + ": it must be connected to the same processor as its primary store");
        }
        return store;
    }
}
