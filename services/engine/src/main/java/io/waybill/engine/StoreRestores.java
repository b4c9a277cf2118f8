package io.waybill.engine;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Makes state restoration visible: how many changelog records each store restored, and how long each
 * restore took ({@code waybill_store_restore_records_total{store}}, {@code waybill_store_restore_seconds{store}}),
 * with a log line per restored partition. A restart that restores far more than the records since the
 * last commit means the local state was lost (a wiped or new volume, transactional stores off).
 * Quarkus hands this bean to {@code KafkaStreams#setGlobalStateRestoreListener}.
 */
@ApplicationScoped
public class StoreRestores implements StateRestoreListener {

    private static final Logger LOG = Logger.getLogger(StoreRestores.class);

    @Inject
    MeterRegistry registry;

    private final Map<TopicPartition, Long> startedAt = new ConcurrentHashMap<>();

    @Override
    public void onRestoreStart(TopicPartition partition, String store, long startingOffset, long endingOffset) {
        startedAt.put(partition, System.nanoTime());
        if (endingOffset - startingOffset > 10_000) {
            LOG.infof("restoring %s from %s: %,d changelog records to read", store, partition, endingOffset - startingOffset);
        }
    }

    @Override
    public void onBatchRestored(TopicPartition partition, String store, long batchEndOffset, long numRestored) {
        Counter.builder("waybill.store.restore.records").description("Changelog records restored into this instance's stores")
                .tag("store", store).register(registry).increment(numRestored);
    }

    @Override
    public void onRestoreEnd(TopicPartition partition, String store, long totalRestored) {
        Long start = startedAt.remove(partition);
        Duration took = Duration.ofNanos(start == null ? 0 : System.nanoTime() - start);
        Timer.builder("waybill.store.restore").description("Time to restore a store partition from its changelog")
                .tag("store", store).register(registry).record(took);
        if (totalRestored > 0) {
            LOG.infof("restored %,d records of %s from %s in %d ms", totalRestored, store, partition, took.toMillis());
        }
    }

    @Override
    public void onRestoreSuspended(TopicPartition partition, String store, long totalRestored) {
        startedAt.remove(partition);
        LOG.infof("restore of %s from %s suspended after %,d records (the task moved)", store, partition, totalRestored);
    }
}
