package io.waybill.helm;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SecurityContext;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class PodHardeningTest {

    @Test
    void every_pod_runs_non_root_read_only_without_capabilities_and_without_an_api_token() {
        // given everything the chart can run: the defaults plus the simulator and the network seed Job
        Manifests manifests = HelmChart.render("""
                simulator: {enabled: true}
                network: {seed: {enabled: true, fileConfigMap: network}}
                plannerApi: {auth: {jwt: {publicKeySecret: planner-jwt-key}}}
                tests: {plannerApiToken: {existingSecret: planner-test-token}}
                """);
        Map<String, PodSpec> pods = manifests.podSpecs();
        assertThat(pods.keySet()).contains("StatefulSet/waybill-engine", "StatefulSet/waybill-gateway",
                "Deployment/waybill-planner-api", "Deployment/waybill-simulator", "Job/waybill-provision-topics", "Job/waybill-seed-network",
                "Pod/waybill-test");

        pods.forEach((resource, pod) -> {
            // then no pod gets a service account token or service-link variables
            assertThat(pod.getAutomountServiceAccountToken()).as(resource + " token").isFalse();
            assertThat(pod.getEnableServiceLinks()).as(resource + " service links").isFalse();
            assertThat(pod.getSecurityContext().getRunAsNonRoot()).as(resource + " non-root pod").isTrue();
            assertThat(pod.getSecurityContext().getSeccompProfile().getType()).as(resource + " seccomp").isEqualTo("RuntimeDefault");
            for (Container container : pod.getContainers()) {
                SecurityContext security = container.getSecurityContext();
                String what = resource + "/" + container.getName();
                // and every container is locked down ...
                assertThat(security.getReadOnlyRootFilesystem()).as(what + " read-only root").isTrue();
                assertThat(security.getAllowPrivilegeEscalation()).as(what + " privilege escalation").isFalse();
                assertThat(security.getCapabilities().getDrop()).as(what + " capabilities").containsExactly("ALL");
                assertThat(security.getCapabilities().getAdd()).as(what + " added capabilities").isNullOrEmpty();
                // ... with a writable /tmp from an emptyDir, since the root file system is read-only
                assertThat(container.getVolumeMounts()).as(what + " /tmp").anySatisfy(m -> {
                    assertThat(m.getMountPath()).isEqualTo("/tmp");
                    assertThat(pod.getVolumes()).anySatisfy(v -> {
                        assertThat(v.getName()).isEqualTo(m.getName());
                        assertThat(v.getEmptyDir()).isNotNull();
                    });
                });
                assertThat(container.getResources().getLimits()).as(what + " memory limit").containsKey("memory");
            }
        });
        // and the Waybill pods run as the images' user 185, with volumes group-owned by it
        pods.entrySet().stream().filter(e -> !e.getKey().startsWith("Pod/")).forEach(e -> {
            assertThat(e.getValue().getSecurityContext().getRunAsUser()).as(e.getKey()).isEqualTo(185L);
            assertThat(e.getValue().getSecurityContext().getFsGroup()).as(e.getKey()).isEqualTo(185L);
        });
    }

    @Test
    void the_service_account_mounts_no_token_either() {
        // given the default values, when the ServiceAccount is rendered, then it does not automount a token
        var account = HelmChart.renderDefaults().get(io.fabric8.kubernetes.api.model.ServiceAccount.class, "waybill");
        assertThat(account.getAutomountServiceAccountToken()).isFalse();
    }
}
