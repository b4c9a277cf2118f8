package io.waybill.helm;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Service;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class MonitoringTest {

    @Test
    void the_service_monitor_scrapes_each_service_once_on_q_metrics() {
        // given the production values (monitoring on)
        Manifests manifests = HelmChart.renderProduction();
        GenericKubernetesResource monitor = manifests.custom("ServiceMonitor").get(0);
        Map<String, Object> spec = monitor.get("spec");
        @SuppressWarnings("unchecked")
        Map<String, String> selector = (Map<String, String>) ((Map<String, Object>) spec.get("selector")).get("matchLabels");

        // when its selector is applied to the release's Services
        List<String> scraped = manifests.all(Service.class).stream()
                .filter(s -> s.getMetadata().getLabels().entrySet().containsAll(selector.entrySet()))
                .map(s -> s.getMetadata().getName()).toList();

        // then it picks the three ClusterIP Services and not the headless ones (which would scrape pods twice)
        assertThat(scraped).containsExactlyInAnyOrder("waybill-engine", "waybill-gateway", "waybill-planner-api");
        assertThat(monitor.getMetadata().getLabels()).containsEntry("release", "kube-prometheus-stack");
        @SuppressWarnings("unchecked")
        Map<String, Object> endpoint = ((List<Map<String, Object>>) spec.get("endpoints")).get(0);
        assertThat(endpoint).containsEntry("port", "http").containsEntry("path", "/q/metrics");
    }

    @Test
    void the_alerts_cover_what_platform_teams_page_on_and_only_look_at_this_release() {
        // given the production values
        Manifests manifests = HelmChart.renderProduction();

        // when the PrometheusRule's alerts are read
        Map<String, String> alerts = MonitoringQueries.alerts(manifests);

        // then the alerts the issue asks for are there
        assertThat(alerts.keySet()).contains("WaybillEngineNotRunning", "WaybillEngineConsumerLagRising", "WaybillDeadLettersAppearing",
                "WaybillCriticalExceptionsOpen", "WaybillSevereExceptionsRising", "WaybillGatewaySpoolFilling", "WaybillEngineStateRestoreSlow");
        // and every selector is pinned to this release's namespace and jobs, so two releases never mix
        alerts.forEach((alert, expr) -> assertThat(PromQl.selectors(expr)).as(alert).isNotEmpty().allSatisfy(selector -> {
            assertThat(selector.matchers()).as(alert + " " + selector.metric())
                    .anySatisfy(m -> assertThat(m).isEqualTo(new PromQl.Matcher("namespace", "=", "logistics")))
                    .anySatisfy(m -> {
                        assertThat(m.label()).isEqualTo("job");
                        assertThat(m.matches("waybill-engine") || m.matches("waybill-gateway")).isTrue();
                        assertThat(m.matches("other-release-engine")).isFalse();
                    });
        }));
        // and each alert has a severity, a summary, a description and the configured runbook link and labels
        assertThat(MonitoringQueries.alertRules(manifests)).allSatisfy(rule -> {
            @SuppressWarnings("unchecked") Map<String, String> labels = (Map<String, String>) rule.get("labels");
            @SuppressWarnings("unchecked") Map<String, String> annotations = (Map<String, String>) rule.get("annotations");
            assertThat(labels.get("severity")).isIn("warning", "critical");
            assertThat(labels).containsEntry("team", "logistics");
            assertThat(annotations).containsKeys("summary", "description");
            assertThat(annotations.get("runbook_url")).isEqualTo("https://runbooks.logistics.example.com/waybill#" + rule.get("alert"));
        });
    }

    @Test
    void the_dead_letter_alert_watches_the_catalogue_dead_letter_topic() {
        // given the production values, then the dead-letter alert counts records produced to the catalogue's topic
        String expr = MonitoringQueries.alerts(HelmChart.renderProduction()).get("WaybillDeadLettersAppearing");
        assertThat(PromQl.selectors(expr)).singleElement().satisfies(s -> {
            assertThat(s.metric()).isEqualTo("kafka_stream_topic_records_produced_total");
            assertThat(s.matchers()).contains(new PromQl.Matcher("topic", "=", "waybill.dead-letters.v1"));
        });
    }

    @Test
    void exception_alerts_use_the_engines_lower_case_severity_label_summed_over_the_pods() {
        // given the production values
        Map<String, String> alerts = MonitoringQueries.alerts(HelmChart.renderProduction());

        // then the critical alert selects severity "critical" as the engine exports it (ExceptionMetrics: lower case) ...
        assertThat(PromQl.selectors(alerts.get("WaybillCriticalExceptionsOpen"))).singleElement()
                .satisfies(s -> assertThat(s.matchers()).contains(new PromQl.Matcher("severity", "=", "critical")));
        // ... and the rising alert compares the high and critical count over all engines with an hour before
        String rising = alerts.get("WaybillSevereExceptionsRising");
        assertThat(rising).contains("offset 1h").contains("> 20").contains("sum by (namespace)");
        assertThat(PromQl.selectors(rising)).hasSize(2).allSatisfy(s -> {
            assertThat(s.metric()).isEqualTo("waybill_exceptions_open");
            PromQl.Matcher severity = s.matchers().stream().filter(m -> m.label().equals("severity")).findFirst().orElseThrow();
            assertThat(List.of("info", "low", "medium", "high", "critical")).filteredOn(severity::matches).containsExactly("high", "critical");
        });
        // and the threshold is a value
        assertThat(MonitoringQueries.alerts(HelmChart.renderProduction("metrics: {prometheusRule: {severeExceptionsRiseThreshold: 5}}"))
                .get("WaybillSevereExceptionsRising")).contains("> 5");
    }

    @Test
    void the_dashboard_shows_open_exceptions_by_severity() {
        // given the production values, then a panel sums the engines' open exceptions per severity
        assertThat(MonitoringQueries.of(HelmChart.renderProduction()))
                .containsEntry("dashboard: Open exceptions by severity / A",
                        "sum by (severity) (waybill_exceptions_open{namespace=\"logistics\", job=\"waybill-engine\"})");
    }

    @Test
    void the_grafana_dashboard_is_a_config_map_the_sidecar_picks_up() {
        // given the production values
        Manifests manifests = HelmChart.renderProduction();

        // then the dashboard ConfigMap carries the sidecar's label, a folder, and queries bound to this release
        ConfigMap dashboard = manifests.get(ConfigMap.class, "waybill-dashboard");
        assertThat(dashboard.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
        assertThat(dashboard.getMetadata().getAnnotations()).containsEntry("grafana_folder", "Waybill");
        assertThat(dashboard.getData().entrySet()).singleElement().satisfies(e -> {
            assertThat(e.getKey()).endsWith(".json");
            assertThat(e.getValue()).doesNotContain("__NAMESPACE__", "__FULLNAME__", "__UID__", "__DEAD_LETTERS_TOPIC__")
                    .contains("\"uid\": \"waybill-");
        });
        assertThat(MonitoringQueries.of(manifests)).hasSizeGreaterThan(MonitoringQueries.alerts(manifests).size() + 10);
    }

    @Test
    void monitoring_resources_are_off_by_default() {
        // given the defaults (no Prometheus Operator assumed), then no custom monitoring resources are rendered
        Manifests manifests = HelmChart.renderDefaults();
        assertThat(manifests.custom("ServiceMonitor")).isEmpty();
        assertThat(manifests.custom("PrometheusRule")).isEmpty();
        assertThat(manifests.find(ConfigMap.class, "waybill-dashboard")).isEmpty();
    }
}
