package io.waybill.helm;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
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
 * The planner API refuses every /api/v1 call without a bearer JWT it can verify (quarkus-smallrye-jwt,
 * roles from "groups"): the chart hands it the verification key, a PEM/JWK file from a Secret or the
 * identity provider's JWKS URL, as mp.jwt.verify.publickey.location, and the issuer as
 * mp.jwt.verify.issuer, the same way as the gateway's.
 */
class PlannerApiAuthTest {

    @Test
    void the_planner_api_reads_the_verification_settings_the_chart_sets() throws Exception {
        // given the planner API's configuration: /api/v1 needs an authenticated caller, and the settings it
        // checks at start for a key and an issuer are the ones the chart sets
        String properties = Files.readString(RepoLayout.root().resolve("services/planner-api/src/main/resources/application.properties"));
        assertThat(properties).contains("quarkus.http.auth.permission.api.paths=/api/v1/*", "quarkus.http.auth.permission.api.policy=authenticated");
        String keyCheck = Files.readString(RepoLayout.root().resolve("services/planner-api/src/main/java/io/waybill/planner/auth/VerificationKeyCheck.java"));
        assertThat(keyCheck).contains("\"mp.jwt.verify.publickey.location\"", "\"mp.jwt.verify.issuer\"");
        // and the roles the values document are the API's
        String roles = Files.readString(RepoLayout.root().resolve("services/planner-api/src/main/java/io/waybill/planner/auth/Roles.java"));
        String values = Files.readString(ChartReadme.VALUES);
        for (String role : new String[] {"viewer", "planner", "admin"}) {
            assertThat(roles).contains("= \"" + role + "\";");
            assertThat(values).contains("`" + role + "`");
        }
        assertThat(values).contains("`groups` claim");
    }

    @Test
    void a_public_key_from_a_secret_is_mounted_read_only_and_named_as_the_key_location() {
        // given a PEM public key in a Secret and the issuer
        Manifests manifests = HelmChart.render("""
                plannerApi:
                  auth:
                    jwt:
                      publicKeySecret: planner-jwt-key
                      publicKeySecretKey: tls.pem
                      issuer: https://sso.example.com/realms/logistics
                """);

        // when the planner API's environment is rendered
        Map<String, String> env = plannerEnvironment(manifests);

        // then the key location is the file a read-only mount of the Secret's key puts there, and the issuer is checked
        assertThat(env).containsEntry("MP_JWT_VERIFY_PUBLICKEY_LOCATION", "file:/etc/waybill/planner-api/jwt/tls.pem")
                .containsEntry("MP_JWT_VERIFY_ISSUER", "https://sso.example.com/realms/logistics");
        assertThat(fileFromSecret(plannerPod(manifests), "/etc/waybill/planner-api/jwt/tls.pem")).isEqualTo("planner-jwt-key/tls.pem");
        // and the gateway is left alone: its key settings are its own
        assertThat(manifests.configMapData("waybill-gateway")).doesNotContainKeys("MP_JWT_VERIFY_PUBLICKEY_LOCATION", "MP_JWT_VERIFY_ISSUER");
    }

    @Test
    void a_jwks_url_is_the_key_location_without_a_volume() {
        // given the identity provider's JWKS URL and no issuer
        Manifests manifests = HelmChart.render("""
                plannerApi:
                  auth:
                    jwt:
                      jwksUrl: https://sso.example.com/realms/logistics/protocol/openid-connect/certs
                """);

        // then the location is the URL, no key volume is mounted and no issuer is checked
        assertThat(plannerEnvironment(manifests))
                .containsEntry("MP_JWT_VERIFY_PUBLICKEY_LOCATION", "https://sso.example.com/realms/logistics/protocol/openid-connect/certs")
                .doesNotContainKey("MP_JWT_VERIFY_ISSUER");
        assertThat(plannerPod(manifests).getVolumes()).noneMatch(v -> v.getName().endsWith("jwt-key"));
    }

    @Test
    void without_a_key_nothing_is_configured_and_the_planner_api_will_refuse_every_call() {
        // given the default values (they must render: helm template, the golden file)
        Manifests manifests = HelmChart.renderDefaults();

        // then the planner API gets no key location (NOTES.txt warns, see NotesTest) and no key volume
        assertThat(plannerEnvironment(manifests)).doesNotContainKeys("MP_JWT_VERIFY_PUBLICKEY_LOCATION", "MP_JWT_VERIFY_ISSUER");
        assertThat(plannerPod(manifests).getVolumes()).noneMatch(v -> v.getName().endsWith("jwt-key"));
    }

    @Test
    void a_public_key_secret_and_a_jwks_url_together_are_refused() {
        assertThatThrownBy(() -> HelmChart.template("""
                plannerApi:
                  auth:
                    jwt: {publicKeySecret: planner-jwt-key, jwksUrl: "https://sso.example.com/certs"}
                """))
                .hasMessageContaining("plannerApi.auth.jwt.publicKeySecret and plannerApi.auth.jwt.jwksUrl are both set");
    }

    @Test
    void the_production_values_verify_planner_tokens_with_the_idps_jwks_and_issuer() {
        // given the production-like values
        Map<String, String> env = HelmChart.renderProduction().configMapData("waybill-planner-api");

        // then the planner API verifies tokens against the identity provider and checks their issuer
        assertThat(env.get("MP_JWT_VERIFY_PUBLICKEY_LOCATION")).startsWith("https://").endsWith("/certs");
        assertThat(env.get("MP_JWT_VERIFY_ISSUER")).startsWith("https://");
    }

    @Test
    void helm_test_checks_that_a_call_without_a_token_is_refused_and_with_a_token_reaches_the_engine() {
        // given no test token (the default)
        Container plain = testContainer(HelmChart.renderDefaults());

        // then the test expects 401 without a token and skips the shipment query
        String script = plain.getCommand().get(2);
        assertThat(script).contains("expect 401 http://waybill-planner-api:8080/api/v1/shipments/helm-test-no-such-shipment")
                .contains("skipped: the shipment query");
        assertThat(plain.getEnv()).isNullOrEmpty();

        // given a Secret with a viewer token
        Container withToken = testContainer(HelmChart.render("tests: {plannerApiToken: {existingSecret: planner-test-token, key: viewer.jwt}}"));

        // then the token comes from the Secret, and the query with it expects the engine store's 404
        assertThat(withToken.getEnv()).singleElement().satisfies(e -> {
            assertThat(e.getName()).isEqualTo("PLANNER_API_TOKEN");
            assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("planner-test-token");
            assertThat(e.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("viewer.jwt");
        });
        assertThat(withToken.getCommand().get(2))
                .contains("expect 404 http://waybill-planner-api:8080/api/v1/shipments/helm-test-no-such-shipment -H @/tmp/authorization")
                .contains("Authorization: Bearer %s");
        assertThat(withToken.getEnv()).extracting(EnvVar::getValue).containsOnlyNulls();
    }

    private static Container testContainer(Manifests manifests) {
        return Manifests.container(manifests.get(Pod.class, "waybill-test").getSpec(), "release-answers");
    }

    private static PodSpec plannerPod(Manifests manifests) {
        return manifests.deployment("waybill-planner-api").getSpec().getTemplate().getSpec();
    }

    private static Map<String, String> plannerEnvironment(Manifests manifests) {
        return PodEnvironment.of(Manifests.container(plannerPod(manifests), "planner-api"), manifests,
                Map.of("metadata.name", "waybill-planner-api-0", "metadata.namespace", HelmChart.NAMESPACE, "status.podIP", "10.0.0.1"));
    }

    /** Which Secret key the kubelet puts at {@code path}, as "secret/key"; asserts a read-only mount readable by the pod's group only. */
    private static String fileFromSecret(PodSpec pod, String path) {
        Container container = Manifests.container(pod, "planner-api");
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
