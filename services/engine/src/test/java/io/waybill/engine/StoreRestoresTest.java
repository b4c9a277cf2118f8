package io.waybill.engine;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class StoreRestoresTest {

    @Test
    void restored_records_are_counted_per_store_and_each_partition_restore_is_timed() {
        // given the listener Kafka Streams calls while it restores
        StoreRestores restores = new StoreRestores();
        restores.registry = new SimpleMeterRegistry();
        TopicPartition p0 = new TopicPartition("waybill-engine-shipment-state-changelog", 0);
        TopicPartition p1 = new TopicPartition("waybill-engine-shipment-state-changelog", 1);

        // when two partitions of the state store and one of the history store are restored in batches
        restores.onRestoreStart(p0, "shipment-state", 0, 30_000);
        restores.onBatchRestored(p0, "shipment-state", 20_000, 20_000);
        restores.onBatchRestored(p0, "shipment-state", 30_000, 10_000);
        restores.onRestoreEnd(p0, "shipment-state", 30_000);
        restores.onRestoreStart(p1, "shipment-state", 5, 10);
        restores.onBatchRestored(p1, "shipment-state", 10, 5);
        restores.onRestoreEnd(p1, "shipment-state", 5);
        TopicPartition h0 = new TopicPartition("waybill-engine-shipment-history-changelog", 0);
        restores.onRestoreStart(h0, "shipment-history", 0, 7);
        restores.onBatchRestored(h0, "shipment-history", 7, 7);
        restores.onRestoreEnd(h0, "shipment-history", 7);

        // then the counter says how much each store restored, and the timer how many partition restores there were
        assertThat(restores.registry.get("waybill.store.restore.records").tag("store", "shipment-state").counter().count()).isEqualTo(30_005);
        assertThat(restores.registry.get("waybill.store.restore.records").tag("store", "shipment-history").counter().count()).isEqualTo(7);
        assertThat(restores.registry.get("waybill.store.restore").tag("store", "shipment-state").timer().count()).isEqualTo(2);
    }
}
