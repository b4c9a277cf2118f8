package io.waybill.engine;

import io.waybill.contract.WaybillTopic;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import java.util.List;

/**
 * Ordered reads of an engine store over this instance's active partitions, each partition read from
 * a key on and only as far as a page needs.
 *
 * <p>Why not the store Kafka Streams gives without a partition: it iterates the partitions one after
 * another, each in key order but not merged, so the first N keys after a cursor could only be found by
 * reading every partition to its end. A page of 50 shipments AT_FACILITY read the whole status index:
 * 57 % of the engine's CPU in a JFR profile of the list benchmark. A partition's keys are in order, so
 * its first N keys after the cursor are all that a merged page of N can take from it.
 */
final class PartitionScans {

    private PartitionScans() {
    }

    /** The partitions of the shipment stores this instance serves as active (its tasks of the shipment processor). */
    static List<Integer> activePartitions(KafkaStreams streams) {
        String events = WaybillTopic.SHIPMENT_EVENTS.topicName();
        return streams.metadataForLocalThreads().stream()
                .flatMap(thread -> thread.activeTasks().stream())
                .flatMap(task -> task.topicPartitions().stream())
                .filter(tp -> tp.topic().equals(events))
                .map(TopicPartition::partition)
                .sorted()
                .toList();
    }

    /** One partition's store of a store name, as Streams serves it to interactive queries (active copy only). */
    static <V> ReadOnlyKeyValueStore<String, V> partition(KafkaStreams streams, String storeName, int partition) {
        return streams.store(StoreQueryParameters.fromNameAndType(storeName, QueryableStoreTypes.<String, V>keyValueStore())
                .withPartition(partition));
    }

    /** A key found in one partition of a store. */
    record Found(int partition, String key) {
    }

    /**
     * The smallest {@code limit} keys under {@code prefix} that sort after {@code prefix + after}
     * ({@code after} null: from the start), over all active partitions of the store, in key order,
     * each with the partition it is in (so that what it points to is read from the same partition).
     *
     * @throws InvalidStateStoreException when a partition cannot be read now (restoring, moving)
     */
    static List<Found> firstKeysAfter(KafkaStreams streams, String storeName, String prefix, String after, int limit) {
        java.util.TreeMap<String, Found> page = new java.util.TreeMap<>();
        // "\0" sorts before every other character: the smallest key that is greater than prefix + after
        String from = after == null ? prefix : prefix + after + '\0';
        for (int partition : activePartitions(streams)) {
            ReadOnlyKeyValueStore<String, ?> store = partition(streams, storeName, partition);
            try (KeyValueIterator<String, ?> it = store.range(from, null)) {
                while (it.hasNext()) {
                    KeyValue<String, ?> entry = it.next();
                    if (!entry.key.startsWith(prefix)) break; // past the prefix: nothing more of it in this partition
                    // keys come in order: once one is beyond a full page's last, so is the rest of this partition
                    // (which also stops each partition after at most `limit` keys)
                    if (page.size() == limit && entry.key.compareTo(page.lastKey()) > 0) break;
                    page.put(entry.key, new Found(partition, entry.key));
                    if (page.size() > limit) page.pollLastEntry();
                }
            }
        }
        return List.copyOf(page.values());
    }
}
