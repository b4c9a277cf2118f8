package io.waybill.helm;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine's internal API answers only callers with its service token: the chart gives the engines
 * and the planner API the same token from one Secret (made by the chart, or an existing one).
 */
class EngineApiTokenTest {

    @Test
    void by_default_the_chart_makes_a_token_secret_that_survives_upgrades_and_hands_it_to_both_callers() {
        // given the default values
        Manifests manifests = HelmChart.renderDefaults();

        // then there is a Secret with a long random token, made on the first install only and left by an uninstall
        Secret secret = manifests.get(Secret.class, "waybill-engine-api-token");
        String token = new String(Base64.getDecoder().decode(secret.getData().get("token")), StandardCharsets.UTF_8);
        assertThat(token).hasSize(48).matches("[A-Za-z0-9]+");
        assertThat(secret.getMetadata().getAnnotations()).containsEntry("helm.sh/hook", "pre-install")
                .containsEntry("helm.sh/resource-policy", "keep");

        // and the engines accept (and send) it, plus what is also accepted while rotating; the planner API sends it
        assertThat(engineEnv(manifests)).anySatisfy(v -> assertRef(v, "WAYBILL_ENGINE_API_TOKEN", "waybill-engine-api-token", "token", false))
                .anySatisfy(v -> assertRef(v, "WAYBILL_ENGINE_API_TOKENS_ALSO_ACCEPTED", "waybill-engine-api-token", "also-accepted", true));
        assertThat(plannerEnv(manifests)).anySatisfy(v -> assertRef(v, "WAYBILL_ENGINE_API_TOKEN", "waybill-engine-api-token", "token", false))
                .noneMatch(v -> v.getName().equals("WAYBILL_ENGINE_API_TOKENS_ALSO_ACCEPTED"));
    }

    @Test
    void with_an_existing_secret_the_chart_makes_none_and_both_callers_use_it() {
        // given a Secret managed outside the chart (External Secrets, sealed secrets, GitOps)
        Manifests manifests = HelmChart.render("""
                engine:
                  apiAuth:
                    existingSecret: platform-engine-token
                """);

        // then the chart makes no token and both callers read the existing Secret
        assertThat(manifests.all(Secret.class)).noneMatch(s -> s.getMetadata().getName().contains("api-token"));
        assertThat(engineEnv(manifests)).anySatisfy(v -> assertRef(v, "WAYBILL_ENGINE_API_TOKEN", "platform-engine-token", "token", false));
        assertThat(plannerEnv(manifests)).anySatisfy(v -> assertRef(v, "WAYBILL_ENGINE_API_TOKEN", "platform-engine-token", "token", false));
    }

    @Test
    void the_token_is_never_in_a_config_map() {
        Manifests manifests = HelmChart.renderDefaults();
        String token = new String(Base64.getDecoder().decode(manifests.get(Secret.class, "waybill-engine-api-token").getData().get("token")),
                StandardCharsets.UTF_8);
        assertThat(manifests.all(io.fabric8.kubernetes.api.model.ConfigMap.class))
                .allSatisfy(c -> assertThat(String.valueOf(c.getData())).doesNotContain(token));
    }

    private static void assertRef(EnvVar v, String name, String secret, String key, boolean optional) {
        assertThat(v.getName()).isEqualTo(name);
        var ref = v.getValueFrom().getSecretKeyRef();
        assertThat(ref.getName()).isEqualTo(secret);
        assertThat(ref.getKey()).isEqualTo(key);
        assertThat(Boolean.TRUE.equals(ref.getOptional())).isEqualTo(optional);
    }

    private static List<EnvVar> engineEnv(Manifests manifests) {
        PodSpec pod = manifests.statefulSet("waybill-engine").getSpec().getTemplate().getSpec();
        return Manifests.container(pod, "engine").getEnv();
    }

    private static List<EnvVar> plannerEnv(Manifests manifests) {
        PodSpec pod = manifests.deployment("waybill-planner-api").getSpec().getTemplate().getSpec();
        return Manifests.container(pod, "planner-api").getEnv();
    }
}
