package io.waybill.helm;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GatewayAndPlannerApiTest {

    @Test
    void a_persistent_spool_makes_the_gateway_a_stateful_set_with_a_claim_per_pod_scaled_by_its_autoscaler() {
        // given the default values (durable spool)
        Manifests manifests = HelmChart.renderDefaults();

        // when the gateway is rendered
        StatefulSet gateway = manifests.statefulSet("waybill-gateway");
        HorizontalPodAutoscaler hpa = manifests.get(HorizontalPodAutoscaler.class, "waybill-gateway");
        Container container = Manifests.container(gateway.getSpec().getTemplate().getSpec(), "gateway");

        // then each pod's spool lives on its own claim, mounted where the gateway is told to spool
        assertThat(gateway.getSpec().getVolumeClaimTemplates()).singleElement()
                .satisfies(claim -> assertThat(claim.getMetadata().getName()).isEqualTo("spool"));
        assertThat(container.getVolumeMounts()).anySatisfy(m -> {
            assertThat(m.getName()).isEqualTo("spool");
            assertThat(m.getMountPath()).isEqualTo("/var/lib/waybill/spool");
        });
        assertThat(manifests.configMapData("waybill-gateway")).containsEntry("WAYBILL_GATEWAY_SPOOL_DIR", "/var/lib/waybill/spool");
        assertThat(manifests.get(Service.class, "waybill-gateway-headless").getSpec().getClusterIP()).isEqualTo("None");
        assertThat(gateway.getSpec().getServiceName()).isEqualTo("waybill-gateway-headless");
        // and the autoscaler owns the replica count
        assertThat(gateway.getSpec().getReplicas()).isNull();
        assertThat(hpa.getSpec().getScaleTargetRef().getKind()).isEqualTo("StatefulSet");
        assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo("waybill-gateway");
        assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(2);
        assertThat(hpa.getSpec().getMetrics()).singleElement().satisfies(m -> {
            assertThat(m.getResource().getName()).isEqualTo("cpu");
            assertThat(m.getResource().getTarget().getAverageUtilization()).isEqualTo(70);
        });
    }

    @Test
    void without_a_persistent_spool_the_gateway_is_a_deployment_with_the_spool_on_an_empty_dir() {
        // given the spool's persistence off
        Manifests manifests = HelmChart.render("gateway: {spool: {persistence: {enabled: false}}}");

        // when the gateway is rendered
        Deployment gateway = manifests.deployment("waybill-gateway");
        PodSpec pod = gateway.getSpec().getTemplate().getSpec();

        // then the spool is an emptyDir with a size limit, and the autoscaler scales the Deployment
        assertThat(manifests.find(StatefulSet.class, "waybill-gateway")).isEmpty();
        assertThat(pod.getVolumes()).anySatisfy(v -> {
            assertThat(v.getName()).isEqualTo("spool");
            assertThat(v.getEmptyDir().getSizeLimit().toString()).isEqualTo("1Gi");
        });
        assertThat(manifests.get(HorizontalPodAutoscaler.class, "waybill-gateway").getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
        assertThat(manifests.find(Service.class, "waybill-gateway-headless")).isEmpty();
    }

    @Test
    void the_planner_api_is_an_autoscaled_deployment_that_asks_the_engine_service() {
        // given the default values
        Manifests manifests = HelmChart.renderDefaults();

        // when the planner API is rendered
        Deployment planner = manifests.deployment("waybill-planner-api");
        Container container = Manifests.container(planner.getSpec().getTemplate().getSpec(), "planner-api");

        // then it asks the engine's ClusterIP Service (any engine answers any shipment)
        assertThat(manifests.configMapData("waybill-planner-api")).containsEntry("WAYBILL_ENGINE_URLS", "http://waybill-engine:8080");
        Service engine = manifests.get(Service.class, "waybill-engine");
        assertThat(engine.getSpec().getClusterIP()).isNull();
        assertThat(engine.getSpec().getPorts()).singleElement().satisfies(p -> assertThat(p.getPort()).isEqualTo(8080));
        assertThat(planner.getSpec().getReplicas()).isNull();
        assertThat(manifests.get(HorizontalPodAutoscaler.class, "waybill-planner-api").getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
        // and its probes map to the health checks
        assertThat(container.getStartupProbe().getHttpGet().getPath()).isEqualTo("/q/health/started");
        assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
        assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
    }

    @Test
    void every_component_has_a_disruption_budget_and_spreads_over_zones_and_nodes() {
        // given the default values
        Manifests manifests = HelmChart.renderDefaults();

        for (String name : List.of("waybill-engine", "waybill-gateway", "waybill-planner-api")) {
            // then each has a budget that lets one pod go at a time ...
            PodDisruptionBudget pdb = manifests.get(PodDisruptionBudget.class, name);
            assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).as(name).isEqualTo(1);
            PodSpec pod = manifests.podSpecs().entrySet().stream().filter(e -> e.getKey().endsWith("/" + name)).findFirst().orElseThrow().getValue();
            // ... and spreads over zones and nodes, counting only its own pods
            assertThat(pod.getTopologySpreadConstraints()).extracting(c -> c.getTopologyKey())
                    .containsExactly("topology.kubernetes.io/zone", "kubernetes.io/hostname");
            assertThat(pod.getTopologySpreadConstraints()).allSatisfy(c ->
                    assertThat(c.getLabelSelector().getMatchLabels()).isEqualTo(pdb.getSpec().getSelector().getMatchLabels()));
        }
    }

    @Test
    void ingresses_route_to_the_services() {
        // given the production values with Ingresses for gateway and planner API
        Manifests manifests = HelmChart.renderProduction();

        // then each Ingress routes its host to its Service's port
        Ingress gateway = manifests.get(Ingress.class, "waybill-gateway");
        assertThat(gateway.getSpec().getIngressClassName()).isEqualTo("nginx");
        assertThat(gateway.getSpec().getRules()).singleElement().satisfies(rule -> {
            assertThat(rule.getHost()).isEqualTo("events.logistics.example.com");
            assertThat(rule.getHttp().getPaths()).singleElement().satisfies(path -> {
                assertThat(path.getPath()).isEqualTo("/api");
                assertThat(path.getBackend().getService().getName()).isEqualTo("waybill-gateway");
                assertThat(path.getBackend().getService().getPort().getNumber()).isEqualTo(8080);
            });
        });
        assertThat(manifests.get(Ingress.class, "waybill-planner-api").getSpec().getRules()).singleElement()
                .satisfies(rule -> assertThat(rule.getHttp().getPaths().get(0).getPath()).isEqualTo("/"));
    }

    @Test
    void images_default_to_the_registry_repositories_and_version_the_dockerfiles_document() {
        // given the default values
        Manifests manifests = HelmChart.render("simulator: {enabled: true}");

        // then every image is ghcr.io/waybill/waybill-<service>:<appVersion>, as docs/README build them
        assertThat(Manifests.container(manifests.statefulSet("waybill-engine").getSpec().getTemplate().getSpec(), "engine").getImage())
                .isEqualTo("ghcr.io/waybill/waybill-engine:0.1.0");
        assertThat(Manifests.container(manifests.statefulSet("waybill-gateway").getSpec().getTemplate().getSpec(), "gateway").getImage())
                .isEqualTo("ghcr.io/waybill/waybill-gateway:0.1.0");
        assertThat(Manifests.container(manifests.deployment("waybill-planner-api").getSpec().getTemplate().getSpec(), "planner-api").getImage())
                .isEqualTo("ghcr.io/waybill/waybill-planner-api:0.1.0");
        assertThat(Manifests.container(manifests.deployment("waybill-simulator").getSpec().getTemplate().getSpec(), "simulator").getImage())
                .isEqualTo("ghcr.io/waybill/waybill-simulator:0.1.0");
        // and a digest pins an image over the tag
        String pinned = "sha256:" + "a".repeat(64);
        Manifests digest = HelmChart.render("engine: {image: {digest: \"" + pinned + "\"}}");
        assertThat(Manifests.container(digest.statefulSet("waybill-engine").getSpec().getTemplate().getSpec(), "engine").getImage())
                .isEqualTo("ghcr.io/waybill/waybill-engine@" + pinned);
    }

    @Test
    void the_dockerfiles_build_the_images_the_chart_runs_as_the_user_and_port_it_expects() throws Exception {
        // given the chart's appVersion and the Dockerfile of each service
        String appVersion = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
                .readTree(HelmChart.SOURCE.resolve("Chart.yaml").toFile()).get("appVersion").asText();
        for (String service : List.of("engine", "gateway", "planner-api", "simulator")) {
            java.nio.file.Path dockerfile = io.waybill.testkit.RepoLayout.root().resolve("services/" + service + "/src/main/docker/Dockerfile.jvm");
            String text = java.nio.file.Files.readString(dockerfile);
            // then it documents the tag the chart pulls, lays out the Quarkus fast-jar and runs as uid 185
            assertThat(text).as(service)
                    .contains("-t ghcr.io/waybill/waybill-" + service + ":" + appVersion + " services/" + service)
                    .contains("COPY --chown=185 target/quarkus-app/lib/ /deployments/lib/")
                    .contains("COPY --chown=185 target/quarkus-app/app/ /deployments/app/")
                    .contains("COPY --chown=185 target/quarkus-app/quarkus/ /deployments/quarkus/")
                    .contains("COPY --chown=185 target/quarkus-app/*.jar /deployments/")
                    .contains("FROM ${BASE_IMAGE}")
                    .contains("ARG BASE_IMAGE=registry.access.redhat.com/ubi9/openjdk-17-runtime")
                    .containsPattern("(?m)^USER 185$");
            if (!service.equals("simulator")) {
                assertThat(text).as(service).contains("ENV QUARKUS_HTTP_PORT=8080").contains("ENV QUARKUS_HTTP_HOST=0.0.0.0");
            }
        }
    }

    @Test
    void an_autoscaler_that_cannot_scale_is_refused() {
        assertThatThrownBy(() -> HelmChart.template("gateway: {autoscaling: {minReplicas: 5, maxReplicas: 3}}"))
                .hasMessageContaining("gateway.autoscaling.minReplicas (5) must not exceed gateway.autoscaling.maxReplicas (3)");
    }
}
