package io.waybill.helm;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The optional Job that publishes the routing network (PublishNetwork from the engine image) after an install. */
class NetworkSeedTest {

    @Test
    void there_is_no_seed_job_unless_asked_for_and_the_production_values_do_not_ask() {
        assertThat(HelmChart.renderDefaults().find(Job.class, "waybill-seed-network")).isEmpty();
        assertThat(HelmChart.renderProduction().find(Job.class, "waybill-seed-network")).isEmpty();
    }

    @Test
    void the_job_publishes_the_bundled_seed_network_from_the_engine_image_after_the_install_only() {
        // given the seed Job on
        Manifests manifests = HelmChart.render("network: {seed: {enabled: true}}");

        // when it is rendered
        Job job = manifests.job("waybill-seed-network");
        PodSpec pod = job.getSpec().getTemplate().getSpec();
        Container container = Manifests.container(pod, "seed-network");

        // then it runs PublishNetwork from the engine image with the provisioning Job's class path,
        // against the release's Kafka and registry, with no file: the bundled seed network
        assertThat(container.getImage()).isEqualTo("ghcr.io/waybill/waybill-engine:0.1.0");
        assertThat(container.getCommand()).isEqualTo(List.of("java", "-XX:MaxRAMPercentage=75", "-cp",
                "/deployments/lib/boot/*:/deployments/lib/main/*", "io.waybill.topology.routing.PublishNetwork"));
        assertThat(Manifests.container(manifests.job("waybill-provision-topics").getSpec().getTemplate().getSpec(), "provision-topics").getCommand())
                .contains("/deployments/lib/boot/*:/deployments/lib/main/*");
        assertThat(container.getArgs()).containsExactly("--bootstrap-servers", "kafka:9092",
                "--registry-url", "http://apicurio-registry:8080/apis/registry/v3");
        // and it is a post-install hook only: publishing again would reset facility statuses and lane disruptions
        assertThat(job.getMetadata().getAnnotations()).containsEntry("helm.sh/hook", "post-install")
                .containsEntry("helm.sh/hook-delete-policy", "before-hook-creation");
        assertThat(pod.getRestartPolicy()).isEqualTo("Never");
        assertThat(job.getSpec().getBackoffLimit()).isEqualTo(3);
    }

    @Test
    void a_network_file_from_a_config_map_is_published_instead_and_upgrades_can_publish_again() {
        // given a network file in an existing ConfigMap, published after upgrades too
        Manifests manifests = HelmChart.render("""
                network:
                  seed:
                    enabled: true
                    fileConfigMap: logistics-network
                    fileConfigMapKey: network-2026.yaml
                    runOnUpgrade: true
                """);
        Job job = manifests.job("waybill-seed-network");
        PodSpec pod = job.getSpec().getTemplate().getSpec();
        Container container = Manifests.container(pod, "seed-network");

        // then the file is the last argument, where a read-only mount of the ConfigMap's key puts it
        String file = container.getArgs().get(container.getArgs().size() - 1);
        assertThat(file).isEqualTo("/etc/waybill/network/network-2026.yaml");
        VolumeMount mount = container.getVolumeMounts().stream().filter(m -> file.startsWith(m.getMountPath() + "/")).findFirst().orElseThrow();
        assertThat(mount.getReadOnly()).isTrue();
        Volume volume = pod.getVolumes().stream().filter(v -> v.getName().equals(mount.getName())).findFirst().orElseThrow();
        assertThat(volume.getConfigMap().getName()).isEqualTo("logistics-network");
        assertThat(volume.getConfigMap().getItems()).singleElement().satisfies(item -> {
            assertThat(item.getKey()).isEqualTo("network-2026.yaml");
            assertThat(item.getPath()).isEqualTo(file.substring(mount.getMountPath().length() + 1));
        });
        // and it runs after upgrades as well
        assertThat(job.getMetadata().getAnnotations()).containsEntry("helm.sh/hook", "post-install,post-upgrade");
    }

    @Test
    void the_seed_job_is_refused_for_a_kafka_cluster_it_cannot_connect_to() {
        // PublishNetwork takes bootstrap servers and a registry URL only: no TLS, no SASL
        assertThatThrownBy(() -> HelmChart.template("network: {seed: {enabled: true}}", HelmChart.PRODUCTION_VALUES))
                .hasMessageContaining("network.seed.enabled: the network publisher (PublishNetwork) connects without TLS or SASL");
        assertThatThrownBy(() -> HelmChart.template("network: {seed: {enabled: true}}\nkafka: {tls: {enabled: true}}"))
                .hasMessageContaining("connects without TLS or SASL");
    }
}
