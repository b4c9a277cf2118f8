package io.waybill.engine;

import io.waybill.contract.WaybillTopic;
import org.eclipse.microprofile.config.spi.ConfigSource;

import java.util.Map;
import java.util.Set;

/**
 * Feeds the topic catalogue into Quarkus configuration, so the topics the Streams readiness check
 * waits for are the ones the topology reads, without repeating names in application.properties.
 * Low ordinal: any explicit setting wins.
 */
public class CatalogueConfigSource implements ConfigSource {

    private static final String SOURCE_TOPICS = "quarkus.kafka-streams.topics";

    @Override
    public Set<String> getPropertyNames() {
        return Set.of(SOURCE_TOPICS);
    }

    @Override
    public String getValue(String propertyName) {
        return SOURCE_TOPICS.equals(propertyName) ? values().get(SOURCE_TOPICS) : null;
    }

    private static Map<String, String> values() {
        // Every topic the topology reads: Streams must not start before the provisioner made them.
        return Map.of(SOURCE_TOPICS, String.join(",", WaybillTopic.SHIPMENT_EVENTS.topicName(),
                WaybillTopic.PLANNER_COMMANDS.topicName(), WaybillTopic.WORKFLOWS.topicName(),
                WaybillTopic.FACILITIES.topicName(), WaybillTopic.LANES.topicName(),
                WaybillTopic.LANE_LOAD_DELTAS.topicName(), WaybillTopic.LANE_LOAD.topicName()));
    }

    @Override
    public String getName() {
        return "waybill-topic-catalogue";
    }

    @Override
    public int getOrdinal() {
        return 50;
    }
}
