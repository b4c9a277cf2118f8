package io.waybill.helm;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class NotesTest {

    @Test
    void the_notes_say_where_the_services_are_and_how_to_check_the_release() {
        // given an install (client-side dry run) with the default values, registered gateway sources and a planner API key
        String output = configured().call().getOutput();

        // then NOTES.txt names the services, the topic ownership, the network, a call with a token and `helm test`,
        // and warns about nothing
        assertThat(output)
                .contains("http://waybill-gateway.logistics.svc:8080/api/v1/events")
                .contains("http://waybill-planner-api.logistics.svc:8080/api/v1/shipments/<shipmentId>")
                .contains("created by the waybill-provision-topics Job")
                .contains("not published by this release: publish facilities and lanes with PublishNetwork")
                .contains("curl -H \"Authorization: Bearer $TOKEN\" http://127.0.0.1:8080/api/v1/shipments/<shipmentId>")
                .contains("helm test waybill -n logistics")
                .doesNotContain("WARNING", "NOTE:");
    }

    @Test
    void with_the_default_values_the_notes_warn_that_the_gateway_knows_no_source_and_the_planner_api_no_key() {
        // given the default values: authentication on, but no sources Secret and no JWT key for either
        // service (the chart cannot refuse them, `helm template` with the defaults must work)
        String output = install().call().getOutput();

        // then the install goes through and NOTES.txt says why every event and every planner call would
        // get 401, and nothing else
        assertThat(output).contains("WARNING: gateway.auth is enabled but neither gateway.auth.sourcesSecret nor gateway.auth.jwt")
                .contains("answers 401 to every event")
                .contains("WARNING: neither plannerApi.auth.jwt.publicKeySecret nor plannerApi.auth.jwt.jwksUrl is set")
                .contains("answers 401 to every /api/v1 call");
        assertThat(output.split("WARNING", -1)).hasSize(3);
    }

    @Test
    void a_planner_api_key_silences_its_warning_and_a_missing_issuer_is_noted() {
        // given a key Secret or a JWKS URL, then the planner API warning is gone
        assertThat(install().set("plannerApi.auth.jwt.publicKeySecret", "k").set("plannerApi.auth.jwt.issuer", "https://sso.example.com")
                .call().getOutput()).doesNotContain("plannerApi.auth");
        // and without an issuer the notes say that any issuer's tokens pass
        assertThat(install().set("plannerApi.auth.jwt.jwksUrl", "https://sso.example.com/certs").call().getOutput())
                .doesNotContain("WARNING: neither plannerApi")
                .contains("NOTE: plannerApi.auth.jwt.issuer is empty");
    }

    @Test
    void the_notes_say_what_publishes_the_network() {
        // given the seed Job, with the bundled network and then with a file on every upgrade too
        assertThat(configured().set("network.seed.enabled", "true").call().getOutput())
                .contains("published by the waybill-seed-network Job after the install (the bundled seed network)");
        assertThat(configured().set("network.seed.enabled", "true").set("network.seed.fileConfigMap", "our-network")
                .set("network.seed.runOnUpgrade", "true").call().getOutput())
                .contains("after the install and every upgrade (file network.yaml of ConfigMap our-network)");
    }

    @Test
    void any_way_of_authenticating_silences_the_warning_and_turning_authentication_off_is_called_out() {
        // given sources, a JWT key or a JWKS URL, then the gateway can authenticate and there is no warning
        assertThat(install().set("gateway.auth.sourcesSecret", "s").call().getOutput()).doesNotContain("gateway.auth");
        assertThat(install().set("gateway.auth.jwt.publicKeySecret", "k").call().getOutput()).doesNotContain("gateway.auth");
        assertThat(install().set("gateway.auth.jwt.jwksUrl", "https://sso.example.com/certs").call().getOutput()).doesNotContain("gateway.auth");

        // given authentication off, then the notes warn that anyone may post
        assertThat(install().set("gateway.auth.enabled", "false").call().getOutput())
                .contains("WARNING: gateway.auth.enabled is false: the gateway accepts events from anyone")
                .doesNotContain("gateway.auth is enabled but");
    }

    @Test
    void the_notes_warn_about_settings_that_lose_data_or_block_monitoring() {
        // given volatile state and spool, and a ServiceMonitor the NetworkPolicy would keep out
        String output = install()
                .set("engine.persistence.enabled", "false")
                .set("gateway.spool.persistence.enabled", "false")
                .set("metrics.serviceMonitor.enabled", "true")
                .call().getOutput();

        // then each is called out
        assertThat(output)
                .contains("WARNING: engine.persistence.enabled is false")
                .contains("WARNING: gateway.spool.persistence.enabled is false")
                .contains("networkPolicy.metricsIngressFrom is empty");
    }

    /** The defaults, with what the services need to authenticate anyone. */
    private static InstallCommand configured() {
        return install().set("gateway.auth.sourcesSecret", "waybill-gateway-sources")
                .set("plannerApi.auth.jwt.jwksUrl", "https://sso.example.com/certs")
                .set("plannerApi.auth.jwt.issuer", "https://sso.example.com");
    }

    private static InstallCommand install() {
        return new Helm(HelmChart.SOURCE).install().withName(HelmChart.RELEASE).withNamespace(HelmChart.NAMESPACE).dryRun().clientOnly();
    }
}
