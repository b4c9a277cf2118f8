package io.waybill.helm;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.waybill.testkit.RepoLayout;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The gateway authenticates every request (services/gateway, Sources): the chart hands it the
 * registered sources as a properties file from a Secret (QUARKUS_CONFIG_LOCATIONS) and the key
 * that verifies bearer tokens (mp.jwt.verify.*), and its switch (waybill.gateway.auth.enabled).
 */
class GatewayAuthTest {

    private static final String SOURCES = """
            gateway:
              auth:
                sourcesSecret: waybill-gateway-sources
            """;

    @Test
    void the_sources_file_is_mounted_read_only_from_its_secret_and_quarkus_reads_it_from_there() {
        // given the registered sources in a Secret
        Manifests manifests = HelmChart.render(SOURCES);

        // when the gateway's pod and environment are rendered
        PodSpec pod = gatewayPod(manifests);
        Map<String, String> env = gatewayEnvironment(manifests);

        // then QUARKUS_CONFIG_LOCATIONS names a file that a read-only mount of the Secret's key puts there
        String location = env.get("QUARKUS_CONFIG_LOCATIONS");
        assertThat(location).isEqualTo("/etc/waybill/gateway/sources/sources.properties");
        assertThat(fileFromSecret(pod, location)).isEqualTo("waybill-gateway-sources/sources.properties");
        // and authentication stays on
        assertThat(env).containsEntry("WAYBILL_GATEWAY_AUTH_ENABLED", "true");
    }

    @Test
    void the_key_of_the_sources_file_in_the_secret_is_configurable() {
        // given a Secret that holds the sources under another key
        Manifests manifests = HelmChart.render("""
                gateway:
                  auth:
                    sourcesSecret: wms-sources
                    sourcesSecretKey: gateway-sources.properties
                """);

        // then that key is the file Quarkus reads
        String location = gatewayEnvironment(manifests).get("QUARKUS_CONFIG_LOCATIONS");
        assertThat(location).isEqualTo("/etc/waybill/gateway/sources/gateway-sources.properties");
        assertThat(fileFromSecret(gatewayPod(manifests), location)).isEqualTo("wms-sources/gateway-sources.properties");
    }

    @Test
    void jwt_verification_is_configured_only_when_a_key_or_jwks_url_is_given() {
        // given no JWT settings (the default values, and sources alone)
        for (Manifests manifests : new Manifests[] {HelmChart.renderDefaults(), HelmChart.render(SOURCES)}) {
            // then the gateway gets no mp.jwt.* variables and no key volume
            assertThat(gatewayEnvironment(manifests)).doesNotContainKeys("MP_JWT_VERIFY_PUBLICKEY_LOCATION", "MP_JWT_VERIFY_ISSUER");
            assertThat(gatewayPod(manifests).getVolumes()).noneMatch(v -> v.getName().equals("gateway-jwt-key"));
        }
        // and without sources there is no sources file either
        assertThat(gatewayEnvironment(HelmChart.renderDefaults())).doesNotContainKey("QUARKUS_CONFIG_LOCATIONS");

        // given a PEM public key in a Secret and an issuer
        Manifests pem = HelmChart.render("""
                gateway:
                  auth:
                    jwt:
                      publicKeySecret: sso-public-key
                      publicKeySecretKey: tls.pem
                      issuer: https://sso.example.com/realms/logistics
                """);
        Map<String, String> pemEnv = gatewayEnvironment(pem);

        // then the verification key location is the mounted key file, and the issuer is checked
        assertThat(pemEnv).containsEntry("MP_JWT_VERIFY_PUBLICKEY_LOCATION", "file:/etc/waybill/gateway/jwt/tls.pem")
                .containsEntry("MP_JWT_VERIFY_ISSUER", "https://sso.example.com/realms/logistics");
        assertThat(fileFromSecret(gatewayPod(pem), "/etc/waybill/gateway/jwt/tls.pem")).isEqualTo("sso-public-key/tls.pem");

        // given a JWKS URL instead
        Manifests jwks = HelmChart.render("""
                gateway:
                  auth:
                    jwt:
                      jwksUrl: https://sso.example.com/realms/logistics/protocol/openid-connect/certs
                """);

        // then the location is the URL, without a key volume and without an issuer check
        assertThat(gatewayEnvironment(jwks))
                .containsEntry("MP_JWT_VERIFY_PUBLICKEY_LOCATION", "https://sso.example.com/realms/logistics/protocol/openid-connect/certs")
                .doesNotContainKey("MP_JWT_VERIFY_ISSUER");
        assertThat(gatewayPod(jwks).getVolumes()).noneMatch(v -> v.getName().equals("gateway-jwt-key"));
    }

    @Test
    void turning_authentication_off_turns_off_the_gateways_switch() throws Exception {
        // given the switch the gateway reads (GatewayConfig.Auth#enabled, on by default)
        String properties = Files.readString(RepoLayout.root().resolve("services/gateway/src/main/resources/application.properties"));
        assertThat(properties).containsPattern("(?m)^waybill\\.gateway\\.auth\\.enabled=true$");

        // when the chart is rendered with gateway.auth.enabled false
        Map<String, String> env = gatewayEnvironment(HelmChart.render("gateway: {auth: {enabled: false}}"));

        // then the environment variable of that property (Quarkus' upper-case form) says false
        assertThat(env).containsEntry("WAYBILL_GATEWAY_AUTH_ENABLED", "false");
    }

    @Test
    void the_production_values_register_sources_from_a_secret_and_verify_tokens_with_the_idps_jwks() {
        // given the production-like values
        Manifests manifests = HelmChart.renderProduction();
        // (its Kafka credentials are Secret references, not resolvable here: the gateway's ConfigMap holds the auth settings)
        Map<String, String> env = manifests.configMapData("waybill-gateway");

        // then both ways of authenticating are wired
        assertThat(fileFromSecret(gatewayPod(manifests), env.get("QUARKUS_CONFIG_LOCATIONS"))).isEqualTo("waybill-gateway-sources/sources.properties");
        assertThat(env.get("MP_JWT_VERIFY_PUBLICKEY_LOCATION")).startsWith("https://").endsWith("/certs");
        assertThat(env).containsKey("MP_JWT_VERIFY_ISSUER").containsEntry("WAYBILL_GATEWAY_AUTH_ENABLED", "true");
    }

    @Test
    void a_public_key_secret_and_a_jwks_url_together_are_refused() {
        assertThatThrownBy(() -> HelmChart.template("""
                gateway:
                  auth:
                    jwt: {publicKeySecret: sso-public-key, jwksUrl: "https://sso.example.com/certs"}
                """))
                .hasMessageContaining("gateway.auth.jwt.publicKeySecret and gateway.auth.jwt.jwksUrl are both set");
    }

    private static PodSpec gatewayPod(Manifests manifests) {
        return manifests.statefulSet("waybill-gateway").getSpec().getTemplate().getSpec();
    }

    private static Map<String, String> gatewayEnvironment(Manifests manifests) {
        return PodEnvironment.of(Manifests.container(gatewayPod(manifests), "gateway"), manifests,
                Map.of("metadata.name", "waybill-gateway-0", "metadata.namespace", HelmChart.NAMESPACE, "status.podIP", "10.0.0.1"));
    }

    /**
     * Which Secret key the kubelet puts at {@code path} in the gateway container, as "secret/key";
     * asserts the mount is read-only and the file readable by the pod's group only (0440).
     */
    private static String fileFromSecret(PodSpec pod, String path) {
        Container container = Manifests.container(pod, "gateway");
        for (VolumeMount mount : container.getVolumeMounts()) {
            if (!path.startsWith(mount.getMountPath() + "/")) continue;
            String file = path.substring(mount.getMountPath().length() + 1);
            Volume volume = pod.getVolumes().stream().filter(v -> v.getName().equals(mount.getName())).findFirst().orElseThrow();
            assertThat(volume.getSecret()).as("volume %s is a Secret", volume.getName()).isNotNull();
            assertThat(mount.getReadOnly()).as("mount %s read-only", mount.getMountPath()).isTrue();
            assertThat(volume.getSecret().getDefaultMode()).as("mode of %s", volume.getName()).isEqualTo(0440);
            var item = volume.getSecret().getItems().stream().filter(i -> i.getPath().equals(file)).findFirst()
                    .orElseThrow(() -> new AssertionError("no item of " + volume.getName() + " at " + file));
            return volume.getSecret().getSecretName() + "/" + item.getKey();
        }
        throw new AssertionError("nothing is mounted at " + path + " in " + container.getVolumeMounts());
    }
}
