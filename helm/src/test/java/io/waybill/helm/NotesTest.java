package io.waybill.helm;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class NotesTest {

    @Test
    void the_notes_say_where_the_services_are_and_how_to_check_the_release() {
        // given an install (client-side dry run) with the default values and registered gateway sources
        String output = install().set("gateway.auth.sourcesSecret", "waybill-gateway-sources").call().getOutput();

        // then NOTES.txt names the services, the topic ownership and `helm test`, and warns about nothing
        assertThat(output)
                .contains("http://waybill-gateway.logistics.svc:8080/api/v1/events")
                .contains("http://waybill-planner-api.logistics.svc:8080/api/v1/shipments/<shipmentId>")
                .contains("created by the waybill-provision-topics Job")
                .contains("helm test waybill -n logistics")
                .doesNotContain("WARNING");
    }

    @Test
    void with_the_default_values_the_notes_warn_only_that_the_gateway_knows_no_source() {
        // given the default values: authentication on, but no sources Secret and no JWT key (the
        // chart cannot refuse them, `helm template` with the defaults must work)
        String output = install().call().getOutput();

        // then the install goes through and NOTES.txt says why every event would get 401, and nothing else
        assertThat(output).contains("WARNING: gateway.auth is enabled but neither gateway.auth.sourcesSecret nor gateway.auth.jwt")
                .contains("answers 401 to every event");
        assertThat(output.split("WARNING", -1)).hasSize(2);
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

    private static InstallCommand install() {
        return new Helm(HelmChart.SOURCE).install().withName(HelmChart.RELEASE).withNamespace(HelmChart.NAMESPACE).dryRun().clientOnly();
    }
}
