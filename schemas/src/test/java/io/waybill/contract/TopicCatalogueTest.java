package io.waybill.contract;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TopicCatalogueTest {

    @Test
    void every_topic_is_declared_with_production_durability() {
        TopicCatalogue catalogue = TopicCatalogue.standard();

        assertThat(catalogue.all()).hasSize(WaybillTopic.values().length);
        assertThat(catalogue.all()).allSatisfy(t -> {
            assertThat(t.replicationFactor()).as(t.name()).isEqualTo((short) 3);
            assertThat(t.minInsyncReplicas()).as(t.name()).isEqualTo(2);
        });
    }

    @Test
    void network_and_state_topics_are_compacted_and_event_topics_are_not() {
        TopicCatalogue catalogue = TopicCatalogue.standard();

        assertThat(catalogue.topic(WaybillTopic.SHIPMENT_STATE).cleanupPolicy()).isEqualTo("compact");
        assertThat(catalogue.topic(WaybillTopic.FACILITIES).cleanupPolicy()).isEqualTo("compact");
        assertThat(catalogue.topic(WaybillTopic.LANES).cleanupPolicy()).isEqualTo("compact");
        assertThat(catalogue.topic(WaybillTopic.WORKFLOWS).cleanupPolicy()).isEqualTo("compact");
        assertThat(catalogue.topic(WaybillTopic.SHIPMENT_EVENTS).cleanupPolicy()).isEqualTo("delete");
        assertThat(WaybillTopic.SHIPMENT_EVENTS.topicName()).isEqualTo("waybill.shipment-events.v1");
    }

    @Test
    void every_avro_value_names_a_schema_of_the_contract() {
        var contract = ContractSchemas.all().stream().map(s -> s.getFullName()).toList();
        assertThat(TopicCatalogue.standard().all())
                .filteredOn(t -> "avro".equals(t.valueFormat()))
                .allSatisfy(t -> assertThat(contract).contains(t.valueSchema()));
    }

    @Test
    void capping_replication_keeps_min_isr_below_it() {
        TopicSpec events = TopicCatalogue.standard().topic(WaybillTopic.SHIPMENT_EVENTS);

        assertThat(events.cappedTo(1).replicationFactor()).isEqualTo((short) 1);
        assertThat(events.cappedTo(1).minInsyncReplicas()).isEqualTo(1);
        assertThat(events.cappedTo(2).minInsyncReplicas()).isEqualTo(1);
        assertThat(events.cappedTo(5)).isEqualTo(events);
        assertThat(events.topicConfigs()).containsEntry("min.insync.replicas", "2").containsEntry("cleanup.policy", "delete");
    }

    @Test
    void a_catalogue_missing_a_topic_is_rejected() {
        String yaml = """
                defaults: {partitions: 3, replicationFactor: 3, minInsyncReplicas: 2}
                topics:
                  - {id: SHIPMENT_EVENTS, name: a}
                """;
        assertThatThrownBy(() -> TopicCatalogue.parse(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))))
                .hasMessageContaining("is missing");
    }

    @Test
    void a_topic_with_min_isr_above_replication_is_rejected() {
        assertThatThrownBy(() -> new TopicSpec(WaybillTopic.LANES, "x", null, 1, (short) 1, 2, "compact", null, null,
                null, null, null))
                .hasMessageContaining("minInsyncReplicas");
    }
}
