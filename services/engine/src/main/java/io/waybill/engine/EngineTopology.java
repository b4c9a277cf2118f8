package io.waybill.engine;

import io.waybill.contract.TopicCatalogue;
import io.waybill.contract.WaybillTopic;
import io.waybill.topology.TopologySettings;
import io.waybill.topology.WaybillTopology;
import io.waybill.topology.catalogue.WaybillSerdes;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import org.apache.kafka.streams.Topology;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Duration;

/** Hands the framework-free topology to Quarkus, which runs and monitors it. */
@ApplicationScoped
public class EngineTopology {

    @Produces
    public Topology topology(TimelinessMetrics meters,
                             @ConfigProperty(name = "waybill.registry.url") String registryUrl,
                             @ConfigProperty(name = "waybill.engine.dedupe-window", defaultValue = "P7D") Duration dedupeWindow,
                             @ConfigProperty(name = "waybill.engine.tick-interval", defaultValue = "PT1S") Duration tickInterval,
                             @ConfigProperty(name = "waybill.engine.timer-batch", defaultValue = "5000") int timerBatch,
                             @ConfigProperty(name = "waybill.engine.reroute-batch", defaultValue = "2000") int rerouteBatch,
                             @ConfigProperty(name = "waybill.engine.tick-budget", defaultValue = "PT0.5S") Duration tickBudget,
                             @ConfigProperty(name = "waybill.engine.finished-retention", defaultValue = "P30D") Duration finishedRetention,
                             @ConfigProperty(name = "waybill.engine.max-history-entries", defaultValue = "1000") int maxHistoryEntries,
                             @ConfigProperty(name = "waybill.engine.failed-timer-retry", defaultValue = "PT5M") Duration failedTimerRetry,
                             @ConfigProperty(name = "waybill.engine.input-partitions", defaultValue = "-1") int inputPartitions) {
        // The partition check needs the input topics' partitions: by default the catalogue's, which provisioning keeps
        // the topics at (a change is drift it refuses); 0 turns the check off.
        int partitions = inputPartitions >= 0 ? inputPartitions : TopicCatalogue.standard().topic(WaybillTopic.SHIPMENT_EVENTS).partitions();
        return WaybillTopology.build(WaybillSerdes.withRegistry(registryUrl),
                new TopologySettings(dedupeWindow, tickInterval, timerBatch, rerouteBatch, tickBudget, finishedRetention, maxHistoryEntries,
                        failedTimerRetry, partitions), meters);
    }
}
