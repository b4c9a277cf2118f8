package io.waybill.helm;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KafkaConnectionTest {

    private static final String SCRAM_JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required "
            + "username=\"$(WAYBILL_KAFKA_SASL_USERNAME)\" password=\"$(WAYBILL_KAFKA_SASL_PASSWORD)\";";

    @Test
    void with_tls_and_scram_the_engine_gets_kafka_streams_client_properties_and_the_password_from_the_secret() {
        // given the production values (TLS with Strimzi's CA certificate, SCRAM-SHA-512 from a KafkaUser Secret)
        Manifests manifests = HelmChart.renderProduction();

        // when the engine's configuration and environment are rendered
        Map<String, String> config = manifests.configMapData("waybill-engine");
        PodSpec pod = manifests.statefulSet("waybill-engine").getSpec().getTemplate().getSpec();
        Map<String, EnvVar> env = env(Manifests.container(pod, "engine"));

        // then Kafka Streams gets the settings as kafka-streams.<property> (the names Quarkus passes through) ...
        assertThat(config)
                .containsEntry("QUARKUS_KAFKA_STREAMS_BOOTSTRAP_SERVERS", "logistics-kafka-kafka-bootstrap.kafka.svc:9093")
                .containsEntry("kafka-streams.security.protocol", "SASL_SSL")
                .containsEntry("kafka-streams.sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("kafka-streams.ssl.truststore.type", "PEM")
                .containsEntry("kafka-streams.ssl.truststore.location", "/etc/waybill/kafka/truststore/ca.crt")
                .containsEntry("kafka-streams.client.dns.lookup", "use_all_dns_ips")
                .containsEntry("kafka-streams.num.stream.threads", "2");
        assertThat(config.values()).noneMatch(v -> v.contains("password="));
        // ... the JAAS line refers to variables the kubelet fills from the Secret, defined before it
        assertThat(env.get("kafka-streams.sasl.jaas.config").getValue()).isEqualTo(SCRAM_JAAS);
        assertThat(env.get("WAYBILL_KAFKA_SASL_USERNAME").getValue()).isEqualTo("waybill");
        assertThat(env.get("WAYBILL_KAFKA_SASL_PASSWORD").getValue()).isNull();
        assertThat(env.get("WAYBILL_KAFKA_SASL_PASSWORD").getValueFrom().getSecretKeyRef().getName()).isEqualTo("waybill");
        var names = Manifests.container(pod, "engine").getEnv().stream().map(EnvVar::getName).toList();
        assertThat(names.indexOf("WAYBILL_KAFKA_SASL_PASSWORD")).isLessThan(names.indexOf("kafka-streams.sasl.jaas.config"));
        // ... and the CA certificate is mounted read-only from its Secret
        assertThat(pod.getVolumes()).filteredOn(v -> v.getSecret() != null).singleElement().satisfies(v -> {
            assertThat(v.getSecret().getSecretName()).isEqualTo("logistics-kafka-cluster-ca-cert");
            assertThat(v.getSecret().getItems()).singleElement().satisfies(i -> assertThat(i.getKey()).isEqualTo("ca.crt"));
        });
    }

    @Test
    void with_tls_and_scram_the_gateway_and_planner_api_get_the_same_settings_as_kafka_variables() {
        // given the production values
        Manifests manifests = HelmChart.renderProduction();
        Map<String, PodSpec> producers = Map.of(
                "waybill-gateway", manifests.statefulSet("waybill-gateway").getSpec().getTemplate().getSpec(),
                "waybill-planner-api", manifests.deployment("waybill-planner-api").getSpec().getTemplate().getSpec());

        producers.forEach((name, pod) -> {
            // when the service's configuration and environment are rendered
            Map<String, String> config = manifests.configMapData(name);
            Map<String, EnvVar> env = env(pod.getContainers().get(0));

            // then every client property is a KAFKA_<PROPERTY> variable, which the service hands to its producer
            assertThat(config).as(name)
                    .containsEntry("KAFKA_BOOTSTRAP_SERVERS", "logistics-kafka-kafka-bootstrap.kafka.svc:9093")
                    .containsEntry("KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
                    .containsEntry("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512")
                    .containsEntry("KAFKA_SSL_TRUSTSTORE_LOCATION", "/etc/waybill/kafka/truststore/ca.crt")
                    .containsEntry("WAYBILL_REGISTRY_URL", "https://registry.logistics.svc:8443/apis/registry/v3");
            assertThat(env.get("KAFKA_SASL_JAAS_CONFIG").getValue()).as(name).isEqualTo(SCRAM_JAAS);
            // and the variables holding secrets do not start with KAFKA_, so they are not handed to the producer
            assertThat(env.keySet()).as(name).filteredOn(v -> v.startsWith("KAFKA_")).containsExactly("KAFKA_SASL_JAAS_CONFIG");
            assertThat(pod.getVolumes()).as(name).anySatisfy(v -> assertThat(v.getName()).isEqualTo("kafka-truststore"));
        });
        assertThat(manifests.configMapData("waybill-gateway")).containsEntry("waybill.gateway.max-batch-size", "500");
    }

    @Test
    void oauth_uses_kafkas_own_login_handler_with_the_token_endpoint_allowed_for_the_jvm() {
        // given SASL/OAUTHBEARER with the client secret in a Secret
        Manifests manifests = HelmChart.render("""
                kafka:
                  tls: {enabled: true}
                  sasl:
                    enabled: true
                    mechanism: OAUTHBEARER
                    existingSecret: waybill-oauth
                    oauth:
                      tokenEndpointUrl: https://sso.example.com/realms/logistics/protocol/openid-connect/token
                      clientId: waybill
                      clientSecretKey: client-secret
                      scope: kafka
                """);

        // when the engine is rendered
        Map<String, String> config = manifests.configMapData("waybill-engine");
        Map<String, EnvVar> env = env(Manifests.container(manifests.statefulSet("waybill-engine").getSpec().getTemplate().getSpec(), "engine"));

        // then Kafka's OAuthBearerLoginCallbackHandler fetches tokens with the client credentials ...
        assertThat(config)
                .containsEntry("kafka-streams.security.protocol", "SASL_SSL")
                .containsEntry("kafka-streams.sasl.mechanism", "OAUTHBEARER")
                .containsEntry("kafka-streams.sasl.login.callback.handler.class",
                        "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginCallbackHandler")
                .containsEntry("kafka-streams.sasl.oauthbearer.token.endpoint.url",
                        "https://sso.example.com/realms/logistics/protocol/openid-connect/token");
        assertThat(env.get("kafka-streams.sasl.jaas.config").getValue()).isEqualTo(
                "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required "
                        + "clientId=\"$(WAYBILL_KAFKA_OAUTH_CLIENT_ID)\" clientSecret=\"$(WAYBILL_KAFKA_OAUTH_CLIENT_SECRET)\" scope=\"kafka\";");
        assertThat(env.get("WAYBILL_KAFKA_OAUTH_CLIENT_SECRET").getValueFrom().getSecretKeyRef().getKey()).isEqualTo("client-secret");
        // ... from an endpoint the JVM allows (Kafka 4 refuses token URLs not listed in this system property)
        assertThat(config.get("JAVA_OPTS_APPEND"))
                .contains("-Dorg.apache.kafka.sasl.oauthbearer.allowed.urls=https://sso.example.com/realms/logistics/protocol/openid-connect/token");
        assertThat(Manifests.container(manifests.job("waybill-provision-topics").getSpec().getTemplate().getSpec(), "provision-topics").getCommand())
                .contains("-Dorg.apache.kafka.sasl.oauthbearer.allowed.urls=https://sso.example.com/realms/logistics/protocol/openid-connect/token");
    }

    @Test
    void a_client_certificate_is_mounted_with_its_password_from_the_secret() {
        // given mutual TLS with a Strimzi KafkaUser's PKCS12 keystore
        Manifests manifests = HelmChart.render("""
                kafka:
                  tls:
                    enabled: true
                    truststore: {existingSecret: cluster-ca, key: ca.p12, type: PKCS12, passwordKey: ca.password}
                    keystore: {existingSecret: waybill-user}
                """);

        // when the engine is rendered
        Map<String, String> config = manifests.configMapData("waybill-engine");
        Map<String, EnvVar> env = env(Manifests.container(manifests.statefulSet("waybill-engine").getSpec().getTemplate().getSpec(), "engine"));

        // then keystore and truststore are files from their Secrets, their passwords variables from the same Secrets
        assertThat(config)
                .containsEntry("kafka-streams.security.protocol", "SSL")
                .containsEntry("kafka-streams.ssl.keystore.location", "/etc/waybill/kafka/keystore/user.p12")
                .containsEntry("kafka-streams.ssl.keystore.type", "PKCS12")
                .containsEntry("kafka-streams.ssl.truststore.location", "/etc/waybill/kafka/truststore/ca.p12");
        assertThat(env.get("kafka-streams.ssl.keystore.password").getValue()).isEqualTo("$(WAYBILL_KAFKA_KEYSTORE_PASSWORD)");
        assertThat(env.get("WAYBILL_KAFKA_KEYSTORE_PASSWORD").getValueFrom().getSecretKeyRef().getKey()).isEqualTo("user.password");
        assertThat(env.get("WAYBILL_KAFKA_TRUSTSTORE_PASSWORD").getValueFrom().getSecretKeyRef().getName()).isEqualTo("cluster-ca");
    }

    @Test
    void incomplete_credentials_are_refused_with_what_is_missing() {
        assertThatThrownBy(() -> HelmChart.template("kafka: {sasl: {enabled: true, username: waybill}}"))
                .hasMessageContaining("kafka.sasl.enabled needs kafka.sasl.existingSecret");
        assertThatThrownBy(() -> HelmChart.template("kafka: {sasl: {enabled: true, existingSecret: s}}"))
                .hasMessageContaining("kafka.sasl.mechanism SCRAM-SHA-512 needs kafka.sasl.username or kafka.sasl.usernameKey");
        assertThatThrownBy(() -> HelmChart.template("kafka: {sasl: {enabled: true, mechanism: OAUTHBEARER, existingSecret: s}}"))
                .hasMessageContaining("kafka.sasl.mechanism OAUTHBEARER needs kafka.sasl.oauth.tokenEndpointUrl");
        assertThatThrownBy(() -> HelmChart.template("kafka: {tls: {keystore: {existingSecret: user}}}"))
                .hasMessageContaining("a client certificate needs TLS");
        assertThatThrownBy(() -> HelmChart.template("kafka: {tls: {enabled: true, truststore: {existingSecret: ca, type: JKS}}}"))
                .hasMessageContaining("kafka.tls.truststore.type JKS needs kafka.tls.truststore.passwordKey");
        assertThatThrownBy(() -> HelmChart.template("simulator: {enabled: true}\nkafka: {tls: {enabled: true}}"))
                .hasMessageContaining("the simulator connects without TLS or SASL");
    }

    private static Map<String, EnvVar> env(Container container) {
        return container.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e));
    }
}
