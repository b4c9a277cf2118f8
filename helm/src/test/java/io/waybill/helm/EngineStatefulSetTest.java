package io.waybill.helm;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class EngineStatefulSetTest {

    @Test
    void the_engine_keeps_its_state_on_a_volume_claim_per_pod_mounted_where_kafka_streams_writes() {
        // given the production values (3 engines, persistence on)
        Manifests manifests = HelmChart.renderProduction();

        // when the engine StatefulSet is rendered
        StatefulSet engine = manifests.statefulSet("waybill-engine");

        // then every pod gets a claim of its own, mounted at the state directory the engine is told to use
        assertThat(engine.getSpec().getReplicas()).isEqualTo(3);
        assertThat(engine.getSpec().getPodManagementPolicy()).isEqualTo("Parallel");
        assertThat(engine.getSpec().getVolumeClaimTemplates()).singleElement().satisfies(claim -> {
            PersistentVolumeClaim pvc = claim;
            assertThat(pvc.getMetadata().getName()).isEqualTo("state");
            assertThat(pvc.getSpec().getAccessModes()).containsExactly("ReadWriteOnce");
            assertThat(pvc.getSpec().getStorageClassName()).isEqualTo("fast-ssd");
            assertThat(pvc.getSpec().getResources().getRequests().get("storage").toString()).isEqualTo("50Gi");
        });
        assertThat(engine.getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenScaled()).isEqualTo("Retain");
        Container container = Manifests.container(engine.getSpec().getTemplate().getSpec(), "engine");
        assertThat(container.getVolumeMounts()).anySatisfy(m -> {
            assertThat(m.getName()).isEqualTo("state");
            assertThat(m.getMountPath()).isEqualTo("/var/lib/waybill/state");
        });
        assertThat(manifests.configMapData("waybill-engine")).containsEntry("WAYBILL_ENGINE_STATE_DIR", "/var/lib/waybill/state");
    }

    @Test
    void without_persistence_the_state_directory_is_an_empty_dir_and_no_claims_are_made() {
        // given persistence turned off
        Manifests manifests = HelmChart.render("engine: {persistence: {enabled: false}}");

        // when the engine StatefulSet is rendered
        StatefulSet engine = manifests.statefulSet("waybill-engine");

        // then the state volume is an emptyDir, so the read-only root file system still has a writable state dir
        assertThat(engine.getSpec().getVolumeClaimTemplates()).isEmpty();
        assertThat(engine.getSpec().getTemplate().getSpec().getVolumes())
                .anySatisfy(v -> {
                    assertThat(v.getName()).isEqualTo("state");
                    assertThat(v.getEmptyDir()).isNotNull();
                });
    }

    @Test
    void each_engine_advertises_its_stable_pod_name_and_joins_the_group_under_it() {
        // given the default values
        Manifests manifests = HelmChart.renderDefaults();

        // when the engine container is rendered
        StatefulSet engine = manifests.statefulSet("waybill-engine");
        Map<String, EnvVar> env = Manifests.container(engine.getSpec().getTemplate().getSpec(), "engine").getEnv().stream()
                .collect(Collectors.toMap(EnvVar::getName, e -> e));

        // then application.server is <pod>.<headless service>.<namespace>.svc..., the governing Service is that
        // headless Service (which publishes not-ready pods, so restoring peers are reachable), and the pod
        // name is the static group.instance.id, passed through to Kafka Streams by its dotted name
        assertThat(env.get("POD_NAME").getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name");
        assertThat(env.get("QUARKUS_KAFKA_STREAMS_APPLICATION_SERVER").getValue())
                .isEqualTo("$(POD_NAME).waybill-engine-headless.$(POD_NAMESPACE).svc.cluster.local:8080");
        assertThat(engine.getSpec().getServiceName()).isEqualTo("waybill-engine-headless");
        Service headless = manifests.get(Service.class, "waybill-engine-headless");
        assertThat(headless.getSpec().getClusterIP()).isEqualTo("None");
        assertThat(headless.getSpec().getPublishNotReadyAddresses()).isTrue();
        assertThat(headless.getSpec().getSelector()).isEqualTo(engine.getSpec().getSelector().getMatchLabels());
        assertThat(env.get("kafka-streams.consumer.group.instance.id").getValue()).isEqualTo("$(POD_NAME)");
        assertThat(manifests.configMapData("waybill-engine"))
                .containsEntry("kafka-streams.consumer.session.timeout.ms", "60000")
                .containsEntry("WAYBILL_ENGINE_STANDBY_REPLICAS", "1")
                .containsEntry("QUARKUS_HTTP_HOST", "0.0.0.0");
    }

    @Test
    void static_membership_can_be_turned_off() {
        // given static membership off
        Manifests manifests = HelmChart.render("engine: {staticMembership: {enabled: false}}");

        // when the engine is rendered, then no group.instance.id is set and the session timeout stays the engine's own
        Container container = Manifests.container(manifests.statefulSet("waybill-engine").getSpec().getTemplate().getSpec(), "engine");
        assertThat(container.getEnv()).extracting(EnvVar::getName).doesNotContain("kafka-streams.consumer.group.instance.id");
        assertThat(manifests.configMapData("waybill-engine")).doesNotContainKey("kafka-streams.consumer.session.timeout.ms");
    }

    @Test
    void configuration_properties_keep_their_names_unless_a_variable_cannot_have_them() {
        // given engine properties, one of them with quotes (not allowed in a variable name)
        Manifests manifests = HelmChart.render("""
                engine:
                  config:
                    waybill.engine.forward-timeout: PT3S
                    quarkus.log.category."io.waybill".level: DEBUG
                  streamsProperties:
                    max.task.idle.ms: 1000000
                """);

        // then Quarkus finds each under its own name, or under its upper-case form, and numbers stay whole
        assertThat(manifests.configMapData("waybill-engine"))
                .containsEntry("waybill.engine.forward-timeout", "PT3S")
                .containsEntry("QUARKUS_LOG_CATEGORY__IO_WAYBILL__LEVEL", "DEBUG")
                .containsEntry("kafka-streams.max.task.idle.ms", "1000000");
    }

    @Test
    void the_tick_and_the_retention_of_finished_shipments_reach_the_settings_the_engine_reads() throws Exception {
        // given the settings the engine's topology is built with (EngineTopology's @ConfigProperty names)
        String topology = java.nio.file.Files.readString(io.waybill.testkit.RepoLayout.root()
                .resolve("services/engine/src/main/java/io/waybill/engine/EngineTopology.java"));
        Map<String, String> settings = Map.of(
                "waybill.engine.tick-interval", "WAYBILL_ENGINE_TICK_INTERVAL",
                "waybill.engine.timer-batch", "WAYBILL_ENGINE_TIMER_BATCH",
                "waybill.engine.reroute-batch", "WAYBILL_ENGINE_REROUTE_BATCH",
                "waybill.engine.tick-budget", "WAYBILL_ENGINE_TICK_BUDGET",
                "waybill.engine.finished-retention", "WAYBILL_ENGINE_FINISHED_RETENTION");
        settings.keySet().forEach(property -> assertThat(topology).contains("@ConfigProperty(name = \"" + property + "\""));

        // when the chart is rendered with the defaults, and with a slower tick, smaller batches and a shorter retention
        Map<String, String> defaults = HelmChart.renderDefaults().configMapData("waybill-engine");
        Map<String, String> tuned = HelmChart.render("""
                engine:
                  finishedRetention: P7D
                  tick: {interval: PT5S, timerBatch: 500, rerouteBatch: 100, budget: PT0.2S}
                """).configMapData("waybill-engine");

        // then each is the environment variable Quarkus reads the property from, with the engine's own defaults by default
        settings.forEach((property, variable) -> assertThat(variable).isEqualTo(property.replaceAll("[^a-z0-9]", "_").toUpperCase()));
        assertThat(defaults).containsEntry("WAYBILL_ENGINE_TICK_INTERVAL", "PT1S").containsEntry("WAYBILL_ENGINE_TIMER_BATCH", "5000")
                .containsEntry("WAYBILL_ENGINE_REROUTE_BATCH", "2000").containsEntry("WAYBILL_ENGINE_TICK_BUDGET", "PT0.5S")
                .containsEntry("WAYBILL_ENGINE_FINISHED_RETENTION", "P30D");
        assertThat(topology).contains("\"waybill.engine.tick-interval\", defaultValue = \"PT1S\"", "\"waybill.engine.timer-batch\", defaultValue = \"5000\"",
                "\"waybill.engine.reroute-batch\", defaultValue = \"2000\"", "\"waybill.engine.tick-budget\", defaultValue = \"PT0.5S\"",
                "\"waybill.engine.finished-retention\", defaultValue = \"P30D\"");
        assertThat(tuned).containsEntry("WAYBILL_ENGINE_TICK_INTERVAL", "PT5S").containsEntry("WAYBILL_ENGINE_TIMER_BATCH", "500")
                .containsEntry("WAYBILL_ENGINE_REROUTE_BATCH", "100").containsEntry("WAYBILL_ENGINE_TICK_BUDGET", "PT0.2S")
                .containsEntry("WAYBILL_ENGINE_FINISHED_RETENTION", "P7D");
    }

    @Test
    void probes_give_a_restoring_engine_a_long_start_and_only_restart_a_dead_streams_client() {
        // given the default values
        StatefulSet engine = HelmChart.renderDefaults().statefulSet("waybill-engine");

        // when its probes are read
        Container container = Manifests.container(engine.getSpec().getTemplate().getSpec(), "engine");
        Probe startup = container.getStartupProbe();
        Probe liveness = container.getLivenessProbe();
        Probe readiness = container.getReadinessProbe();

        // then they hit the health checks on the named HTTP port, startup has a 15 minute budget, liveness
        // asks only whether the Streams client lives (UP while restoring), readiness leaves restarts alone
        assertThat(container.getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getName()).isEqualTo("http");
            assertThat(p.getContainerPort()).isEqualTo(8080);
        });
        assertThat(startup.getHttpGet().getPath()).isEqualTo("/q/health/live");
        assertThat(startup.getHttpGet().getPort().getStrVal()).isEqualTo("http");
        assertThat(startup.getPeriodSeconds() * startup.getFailureThreshold()).isGreaterThanOrEqualTo(900);
        assertThat(liveness.getHttpGet().getPath()).isEqualTo("/q/health/live");
        assertThat(liveness.getHttpGet().getPort().getStrVal()).isEqualTo("http");
        assertThat(readiness.getHttpGet().getPath()).isEqualTo("/q/health/ready");
        assertThat(readiness.getHttpGet().getPort().getStrVal()).isEqualTo("http");
        assertThat(engine.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds()).isGreaterThanOrEqualTo(120);
    }

    @Test
    void a_configuration_change_changes_the_pod_template_so_the_engines_roll() {
        // given two renderings that differ only in a setting that lives in the engine's ConfigMap
        String before = checksum(HelmChart.renderDefaults());
        String after = checksum(HelmChart.render("engine: {standbyReplicas: 2}"));
        String same = checksum(HelmChart.renderDefaults());

        // then the pod template's config checksum differs, and only then
        assertThat(after).isNotEqualTo(before);
        assertThat(same).isEqualTo(before);
    }

    private static String checksum(Manifests manifests) {
        return manifests.statefulSet("waybill-engine").getSpec().getTemplate().getMetadata().getAnnotations().get("checksum/config");
    }
}
