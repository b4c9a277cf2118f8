package io.waybill.helm;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ValuesSchemaTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            engine: {replicaCount: "three"}                         | engine.replicaCount: Invalid type. Expected: integer, given: string
            engine: {replicaCount: 0}                               | engine.replicaCount: Must be greater than or equal to 1
            engine: {replicas: 3}                                   | engine: Additional property replicas is not allowed
            kafka: {bootstrapServers: "kafka"}                      | kafka.bootstrapServers: Does not match pattern
            kafka: {sasl: {mechanism: GSSAPI}}                      | kafka.sasl.mechanism: kafka.sasl.mechanism must be one of the following
            kafka: {tls: {truststore: {type: P12}}}                 | kafka.tls.truststore.type: kafka.tls.truststore.type must be one of the following
            engine: {persistence: {size: "lots"}}                   | engine.persistence.size: Does not match pattern
            engine: {podManagementPolicy: Sequential}               | engine.podManagementPolicy: engine.podManagementPolicy must be one of the following
            engine: {staticMembership: {sessionTimeoutMs: 1000}}    | engine.staticMembership.sessionTimeoutMs: Must be greater than or equal to 6000
            engine: {jvm: {maxRamPercentage: 95}}                   | engine.jvm.maxRamPercentage: Must be less than or equal to 90
            engine: {readinessProbe: {path: "q/health/ready"}}      | engine.readinessProbe.path: Does not match pattern
            gateway: {service: {type: Ingress}}                     | gateway.service.type: gateway.service.type must be one of the following
            registry: {url: "registry:8080"}                        | registry.url: Does not match pattern
            metrics: {prometheusRule: {restoreAlertAfter: "15 minutes"}} | metrics.prometheusRule.restoreAlertAfter: Does not match pattern
            metrics: {prometheusRule: {spoolUsageThreshold: 80}}    | metrics.prometheusRule.spoolUsageThreshold: Must be less than or equal to 1
            image: {pullPolicy: Sometimes}                          | image.pullPolicy: image.pullPolicy must be one of the following
            gateway: {auth: {enabled: "yes"}}                       | gateway.auth.enabled: Invalid type. Expected: boolean, given: string
            gateway: {auth: {sourcesSecret: [a, b]}}                | gateway.auth.sourcesSecret: Invalid type. Expected: string, given: array
            gateway: {auth: {jwt: {jwksUrl: "sso.example.com/certs"}}} | gateway.auth.jwt.jwksUrl: Does not match pattern
            gateway: {auth: {apiKeys: [k]}}                         | gateway.auth: Additional property apiKeys is not allowed
            plannerApi: {auth: {jwt: {jwksUrl: "sso.example.com/certs"}}} | plannerApi.auth.jwt.jwksUrl: Does not match pattern
            plannerApi: {auth: {enabled: false}}                    | plannerApi.auth: Additional property enabled is not allowed
            engine: {tick: {interval: "1s"}}                        | engine.tick.interval: Does not match pattern
            engine: {tick: {timerBatch: 0}}                         | engine.tick.timerBatch: Must be greater than or equal to 1
            engine: {finishedRetention: "30 days"}                  | engine.finishedRetention: Does not match pattern
            network: {seed: {enabled: "yes"}}                       | network.seed.enabled: Invalid type. Expected: boolean, given: string
            network: {seed: {fileConfigMap: "Our Network"}}         | network.seed.fileConfigMap: Does not match pattern
            metrics: {prometheusRule: {severeExceptionsRiseThreshold: 0}} | metrics.prometheusRule.severeExceptionsRiseThreshold: Must be greater than or equal to 1
            """)
    void wrong_values_are_rejected_with_the_path_and_what_is_wrong(String values, String message) {
        // given values that break values.schema.json, when the chart is rendered, then Helm refuses with the path
        assertThatThrownBy(() -> HelmChart.template(values))
                .hasMessageContaining("values don't meet the specifications of the schema")
                .hasMessageContaining(message);
    }
}
