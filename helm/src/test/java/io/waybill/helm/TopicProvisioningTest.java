package io.waybill.helm;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TopicProvisioningTest {

    @Test
    void the_job_reads_the_catalogue_from_a_config_map_holding_the_chart_copy_of_topics_yaml() throws Exception {
        // given the default values
        Manifests manifests = HelmChart.renderDefaults();

        // when the provisioning Job is rendered
        Job job = manifests.job("waybill-provision-topics");
        PodSpec pod = job.getSpec().getTemplate().getSpec();
        Container container = Manifests.container(pod, "provision-topics");
        List<String> args = container.getArgs();

        // then it runs the provisioner from the engine image with the mounted catalogue ...
        assertThat(container.getImage()).isEqualTo("ghcr.io/waybill/waybill-engine:0.1.0");
        assertThat(container.getCommand()).containsSubsequence("-cp", "/deployments/lib/boot/*:/deployments/lib/main/*", "io.waybill.topology.provisioning.ProvisionTopics");
        String cataloguePath = args.get(args.indexOf("--catalogue") + 1);
        VolumeMount mount = mountContaining(container, cataloguePath);
        Volume volume = pod.getVolumes().stream().filter(v -> v.getName().equals(mount.getName())).findFirst().orElseThrow();
        ConfigMap catalogue = manifests.get(ConfigMap.class, volume.getConfigMap().getName());
        String file = Path.of(cataloguePath).getFileName().toString();
        // ... whose content is byte for byte the chart's files/topics.yaml
        assertThat(catalogue.getData().get(file)).isEqualTo(Files.readString(HelmChart.SOURCE.resolve("files/topics.yaml")))
                .contains("name: waybill.notifications.v1");
        assertThat(args).containsSubsequence("--bootstrap-servers", "kafka:9092");
        assertThat(args).doesNotContain("--dry-run", "--max-replication-factor");
        assertThat(job.getSpec().getTemplate().getSpec().getRestartPolicy()).isEqualTo("Never");
    }

    @Test
    void the_job_runs_before_install_and_upgrade_and_what_it_reads_is_created_before_it() {
        // given the default values
        Manifests manifests = HelmChart.renderDefaults();

        // when the hook annotations of the Job and of the ConfigMaps it mounts are read
        Job job = manifests.job("waybill-provision-topics");
        var jobHook = job.getMetadata().getAnnotations();
        var catalogueHook = manifests.get(ConfigMap.class, "waybill-provision-topics-catalogue").getMetadata().getAnnotations();
        var clientHook = manifests.get(ConfigMap.class, "waybill-provision-topics-client").getMetadata().getAnnotations();

        // then all are pre-install/pre-upgrade hooks (a release's ordinary resources do not exist yet then),
        // the ConfigMaps with a lower weight, so they exist when the Job starts
        assertThat(jobHook).containsEntry("helm.sh/hook", "pre-install,pre-upgrade").containsEntry("helm.sh/hook-weight", "0");
        for (var hook : List.of(catalogueHook, clientHook)) {
            assertThat(hook).containsEntry("helm.sh/hook", "pre-install,pre-upgrade");
            assertThat(Integer.parseInt(hook.get("helm.sh/hook-weight"))).isLessThan(Integer.parseInt(jobHook.get("helm.sh/hook-weight")));
        }
        // and the Job does not use the release's ServiceAccount, which a pre-install hook would not find
        assertThat(job.getSpec().getTemplate().getSpec().getServiceAccountName()).isNull();
    }

    @Test
    void the_job_passes_the_replication_cap_and_dry_run_through() {
        // given a small cluster and a dry run
        Job job = HelmChart.render("topics: {maxReplicationFactor: 1, provisioning: {dryRun: true}}").job("waybill-provision-topics");

        // then the provisioner is told both
        List<String> args = Manifests.container(job.getSpec().getTemplate().getSpec(), "provision-topics").getArgs();
        assertThat(args).containsSubsequence("--max-replication-factor", "1").contains("--dry-run");
    }

    @Test
    void with_tls_and_sasl_the_job_reads_its_secrets_from_the_environment_through_kafkas_config_provider() {
        // given the production values (TLS with a PEM CA, SCRAM-SHA-512 from a Secret)
        Manifests manifests = HelmChart.renderProduction();

        // when the Job's client properties and environment are rendered
        String properties = manifests.configMapData("waybill-provision-topics-client").get("client.properties");
        Container container = Manifests.container(manifests.job("waybill-provision-topics").getSpec().getTemplate().getSpec(), "provision-topics");

        // then the properties name no secret, only the variables that hold them, which come from the Secret
        assertThat(properties.lines()).contains(
                "config.providers=env",
                "config.providers.env.class=org.apache.kafka.common.config.provider.EnvVarConfigProvider",
                "security.protocol=SASL_SSL",
                "sasl.mechanism=SCRAM-SHA-512",
                "ssl.truststore.type=PEM",
                "ssl.truststore.location=/etc/waybill/kafka/truststore/ca.crt",
                "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required "
                        + "username=\"${env:WAYBILL_KAFKA_SASL_USERNAME}\" password=\"${env:WAYBILL_KAFKA_SASL_PASSWORD}\";");
        assertThat(container.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("WAYBILL_KAFKA_SASL_PASSWORD");
            assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("waybill");
            assertThat(e.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("password");
        });
        assertThat(container.getEnv()).extracting(EnvVar::getName).doesNotContain("KAFKA_SASL_PASSWORD");
        assertThat(mountContaining(container, "/etc/waybill/kafka/truststore/ca.crt").getReadOnly()).isTrue();
    }

    @Test
    void the_job_can_be_switched_off() {
        // given provisioning off, then neither the Job nor its ConfigMaps are rendered
        Manifests manifests = HelmChart.render("topics: {provisioning: {enabled: false}}");
        assertThat(manifests.find(Job.class, "waybill-provision-topics")).isEmpty();
        assertThat(manifests.find(ConfigMap.class, "waybill-provision-topics-catalogue")).isEmpty();
    }

    private static VolumeMount mountContaining(Container container, String path) {
        return container.getVolumeMounts().stream().filter(m -> path.startsWith(m.getMountPath() + "/")).findFirst()
                .orElseThrow(() -> new AssertionError("nothing mounted at " + path));
    }
}
