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
