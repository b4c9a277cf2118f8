package io.waybill.helm;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.waybill.contract.TopicCatalogue;
import io.waybill.contract.TopicSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.InputStream;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StrimziTopicsTest {

    @ParameterizedTest(name = "replication capped at {0} (0: no cap)")
    @ValueSource(ints = {0, 1, 2})
    void kafka_topics_declare_what_the_provisioner_would_create_from_the_same_catalogue(int cap) throws Exception {
        // given Strimzi topics instead of the provisioning Job
        Manifests manifests = HelmChart.render("""
                topics:
                  maxReplicationFactor: %d
                  provisioning: {enabled: false}
                  strimzi: {enabled: true, clusterName: logistics-kafka}
                """.formatted(cap));

        // when the KafkaTopics are compared with the catalogue as the code reads it, capped as the provisioner caps it
        List<TopicSpec> catalogue;
        try (InputStream in = Files.newInputStream(HelmChart.SOURCE.resolve("files/topics.yaml"))) {
            catalogue = TopicCatalogue.parse(in).all().stream().map(t -> cap == 0 ? t : t.cappedTo(cap)).toList();
        }
        Map<String, GenericKubernetesResource> topics = manifests.custom("KafkaTopic").stream()
                .collect(Collectors.toMap(t -> t.getMetadata().getName(), t -> t));

        // then there is one per catalogue topic, for the named cluster, with the same partitions, replicas and configs
        assertThat(topics.keySet()).containsExactlyInAnyOrderElementsOf(catalogue.stream().map(TopicSpec::name).toList())
                .contains("waybill.notifications.v1");
        for (TopicSpec spec : catalogue) {
            GenericKubernetesResource topic = topics.get(spec.name());
            assertThat(topic.getApiVersion()).isEqualTo("kafka.strimzi.io/v1beta2");
            assertThat(topic.getMetadata().getLabels()).containsEntry("strimzi.io/cluster", "logistics-kafka");
            Map<String, Object> specOf = topic.get("spec");
            assertThat(specOf.get("topicName")).isEqualTo(spec.name());
            assertThat(((Number) specOf.get("partitions")).intValue()).as(spec.name() + " partitions").isEqualTo(spec.partitions());
            assertThat(((Number) specOf.get("replicas")).intValue()).as(spec.name() + " replicas").isEqualTo(spec.replicationFactor());
            @SuppressWarnings("unchecked")
            Map<String, Object> config = (Map<String, Object>) specOf.get("config");
            Map<String, String> rendered = new TreeMap<>();
            config.forEach((k, v) -> rendered.put(k, String.valueOf(v)));
            assertThat(rendered).as(spec.name() + " config").isEqualTo(new TreeMap<>(spec.topicConfigs()));
        }
    }

    @Test
    void the_job_and_strimzi_cannot_both_own_the_topics() {
        // given both switched on, then rendering fails and says what to change
        assertThatThrownBy(() -> HelmChart.template("topics: {strimzi: {enabled: true, clusterName: k}}"))
                .hasMessageContaining("topics.provisioning.enabled and topics.strimzi.enabled are both true");
    }

    @Test
    void strimzi_topics_need_the_cluster_they_belong_to() {
        assertThatThrownBy(() -> HelmChart.template("topics: {provisioning: {enabled: false}, strimzi: {enabled: true}}"))
                .hasMessageContaining("topics.strimzi.enabled needs topics.strimzi.clusterName");
    }
}
