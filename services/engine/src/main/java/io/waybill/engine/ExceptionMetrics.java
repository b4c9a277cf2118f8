package io.waybill.engine;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.waybill.contract.Severity;
import io.waybill.topology.catalogue.WaybillStores;
import io.waybill.topology.exception.ExceptionIndex;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code waybill_exceptions_open{severity}}: active exceptions in the partitions this instance owns
 * (Prometheus sums the instances). Counted from the exception index, at most every few seconds, so a
 * scrape never scans the store more often than that.
 */
@ApplicationScoped
public class ExceptionMetrics {

    private static final long REFRESH_MILLIS = 5_000;

    @Inject
    KafkaStreams streams;

    @Inject
    MeterRegistry registry;

    private volatile Map<Severity, Long> counts = new EnumMap<>(Severity.class);
    private volatile long countedAt;

    void register(@Observes StartupEvent start) {
        for (Severity severity : Severity.values()) {
            Gauge.builder("waybill.exceptions.open", this, m -> m.count(severity))
                    .description("Active (open or acknowledged) shipment exceptions in this instance's partitions")
                    .tag("severity", severity.name().toLowerCase(Locale.ROOT))
                    .register(registry);
        }
    }

    private double count(Severity severity) {
        if (System.currentTimeMillis() - countedAt > REFRESH_MILLIS) refresh();
        return counts.getOrDefault(severity, 0L);
    }

    private synchronized void refresh() {
        if (System.currentTimeMillis() - countedAt <= REFRESH_MILLIS) return;
        Map<Severity, Long> fresh = new EnumMap<>(Severity.class);
        try {
            var index = streams.store(StoreQueryParameters.fromNameAndType(WaybillStores.EXCEPTION_INDEX,
                    QueryableStoreTypes.<String, String>keyValueStore()));
            for (Severity severity : Severity.values()) {
                long n = 0;
                try (KeyValueIterator<String, String> it = index.prefixScan(ExceptionIndex.severityPrefix(severity.name()), new StringSerializer())) {
                    while (it.hasNext()) {
                        it.next();
                        n++;
                    }
                }
                fresh.put(severity, n);
            }
            counts = fresh;
        } catch (RuntimeException notQueryableYet) {
            // Restoring or rebalancing: keep the last counts rather than report zero.
        }
        countedAt = System.currentTimeMillis();
    }
}
