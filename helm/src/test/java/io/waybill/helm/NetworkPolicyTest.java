package io.waybill.helm;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class NetworkPolicyTest {

    @Test
    void only_planner_api_and_engine_pods_reach_the_engine_http_port() {
        // given the default values
        Manifests manifests = HelmChart.renderDefaults();
        NetworkPolicy policy = manifests.get(NetworkPolicy.class, "waybill-engine");
        Map<String, String> engine = podLabels(manifests, "StatefulSet/waybill-engine");
        Map<String, String> planner = podLabels(manifests, "Deployment/waybill-planner-api");
        Map<String, String> gateway = podLabels(manifests, "StatefulSet/waybill-gateway");
        Map<String, String> simulator = podLabels(HelmChart.render("simulator: {enabled: true}"), "Deployment/waybill-simulator");

        // when its selectors are applied to the pods of the release
        // then it governs the engine pods' ingress, and nothing but the engines' own pods ...
        assertThat(selects(policy.getSpec().getPodSelector(), engine)).isTrue();
        assertThat(selects(policy.getSpec().getPodSelector(), planner)).isFalse();
        assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress");
        // ... and the one rule admits planner-api and engine pods, on the HTTP port only
        NetworkPolicyIngressRule rule = policy.getSpec().getIngress().get(0);
        assertThat(policy.getSpec().getIngress()).hasSize(1);
        assertThat(rule.getPorts()).singleElement().satisfies(p -> assertThat(p.getPort().getStrVal()).isEqualTo("http"));
        assertThat(admits(rule.getFrom(), planner)).isTrue();
        assertThat(admits(rule.getFrom(), engine)).isTrue();
        assertThat(admits(rule.getFrom(), gateway)).isFalse();
        assertThat(admits(rule.getFrom(), simulator)).isFalse();
        assertThat(rule.getFrom()).allSatisfy(peer -> {
            assertThat(peer.getNamespaceSelector()).as("same namespace only").isNull();
            assertThat(peer.getIpBlock()).isNull();
        });
    }

    @Test
    void metrics_scrapers_get_a_rule_of_their_own_when_configured() {
        // given the production values, which let the monitoring namespace scrape
        NetworkPolicy policy = HelmChart.renderProduction().get(NetworkPolicy.class, "waybill-engine");

        // then a second rule admits that namespace on the HTTP port (where /q/metrics is served)
        assertThat(policy.getSpec().getIngress()).hasSize(2);
        NetworkPolicyIngressRule metrics = policy.getSpec().getIngress().get(1);
        assertThat(metrics.getFrom()).singleElement().satisfies(peer ->
                assertThat(peer.getNamespaceSelector().getMatchLabels()).containsEntry("kubernetes.io/metadata.name", "monitoring"));
        assertThat(metrics.getPorts()).singleElement().satisfies(p -> assertThat(p.getPort().getStrVal()).isEqualTo("http"));
    }

    @Test
    void the_planner_api_and_gateway_accept_only_their_http_port() {
        // given the default values
        Manifests manifests = HelmChart.renderDefaults();

        for (String name : List.of("waybill-gateway", "waybill-planner-api")) {
            NetworkPolicy policy = manifests.get(NetworkPolicy.class, name);
            // then their policies open the HTTP port to anyone (no "from") and nothing else
            assertThat(policy.getSpec().getIngress()).singleElement().satisfies(rule -> {
                assertThat(rule.getFrom()).isNullOrEmpty();
                assertThat(rule.getPorts()).singleElement().satisfies(p -> assertThat(p.getPort().getStrVal()).isEqualTo("http"));
            });
        }
    }

    @Test
    void the_policies_restrict_ingress_only_so_the_planner_api_reaches_kafka_for_its_network_view_and_live_stream() {
        // given the production values (the planner API reads the network and live-stream topics, and
        // serves the live stream to its clients on its own HTTP port)
        Manifests manifests = HelmChart.renderProduction();

        // then no policy governs egress: Kafka, the registry and the identity provider's JWKS stay reachable
        assertThat(manifests.all(NetworkPolicy.class)).allSatisfy(p ->
                assertThat(p.getSpec().getPolicyTypes()).as(p.getMetadata().getName()).containsExactly("Ingress"));
        // and the planner API's clients reach the port that serves /api/v1/stream
        NetworkPolicy planner = manifests.get(NetworkPolicy.class, "waybill-planner-api");
        assertThat(planner.getSpec().getIngress()).singleElement().satisfies(rule ->
                assertThat(rule.getPorts()).singleElement().satisfies(p -> assertThat(p.getPort().getStrVal()).isEqualTo("http")));
    }

    @Test
    void network_policies_can_be_left_to_the_platform() {
        // given network policies off, then none is rendered
        assertThat(HelmChart.render("networkPolicy: {enabled: false}").all(NetworkPolicy.class)).isEmpty();
    }

    private static Map<String, String> podLabels(Manifests manifests, String workload) {
        String[] kindAndName = workload.split("/");
        return switch (kindAndName[0]) {
            case "StatefulSet" -> manifests.statefulSet(kindAndName[1]).getSpec().getTemplate().getMetadata().getLabels();
            case "Deployment" -> manifests.deployment(kindAndName[1]).getSpec().getTemplate().getMetadata().getLabels();
            default -> throw new IllegalArgumentException(workload);
        };
    }

    private static boolean admits(List<NetworkPolicyPeer> peers, Map<String, String> podLabels) {
        return peers.stream().anyMatch(peer -> peer.getPodSelector() != null && selects(peer.getPodSelector(), podLabels));
    }

    /** matchLabels semantics (the chart uses no matchExpressions). */
    private static boolean selects(LabelSelector selector, Map<String, String> labels) {
        assertThat(selector.getMatchExpressions()).isNullOrEmpty();
        return labels.entrySet().containsAll(selector.getMatchLabels().entrySet());
    }
}
