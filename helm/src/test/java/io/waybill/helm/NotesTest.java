package io.waybill.helm;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class NotesTest {

    @Test
    void the_notes_say_where_the_services_are_and_how_to_check_the_release() {
        // given an install (client-side dry run) with the default values
        String output = install().call().getOutput();

        // then NOTES.txt names the services, the topic ownership and `helm test`
        assertThat(output)
                .contains("http://waybill-gateway.logistics.svc:8080/api/v1/events")
                .contains("http://waybill-planner-api.logistics.svc:8080/api/v1/shipments/<shipmentId>")
                .contains("created by the waybill-provision-topics Job")
                .contains("helm test waybill -n logistics")
                .doesNotContain("WARNING");
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
