package io.waybill.helm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The PromQL the chart ships: alert expressions of the PrometheusRule and queries of the Grafana dashboard. */
final class MonitoringQueries {

    /**
     * Metrics the alerts and the dashboard use that no service exports yet, because the feature that
     * exports them comes with a later issue. The metrics test allows exactly these to be missing from a
     * scrape; the chart README lists them. None at the moment: the engine exports
     * waybill_exceptions_open{severity} and the gateway its spool gauges.
     */
    static final Map<String, String> METRICS_PROMISED_BY_LATER_ISSUES = Map.of();

    /** Series Prometheus makes itself rather than scraping them. */
    static final Set<String> SYNTHETIC_METRICS = Set.of("up");

    /** Labels Prometheus attaches from the scrape target; a service's own /q/metrics does not have them. */
    static final Set<String> TARGET_LABELS = Set.of("job", "namespace", "pod", "instance", "service", "container", "endpoint");

    private MonitoringQueries() {
    }

    /** alert name (or "dashboard: panel / refId") to expression, for the given rendering. */
    static Map<String, String> of(Manifests manifests) {
        Map<String, String> queries = new LinkedHashMap<>(alerts(manifests));
        ConfigMap dashboardMap = manifests.all(ConfigMap.class).stream()
                .filter(c -> c.getMetadata().getName().endsWith("-dashboard")).findFirst().orElseThrow();
        try {
            JsonNode dashboard = new ObjectMapper().readTree(dashboardMap.getData().values().iterator().next());
            for (JsonNode panel : dashboard.get("panels")) {
                if (!panel.has("targets")) continue;
                for (JsonNode target : panel.get("targets")) {
                    queries.put("dashboard: " + panel.get("title").asText() + " / " + target.get("refId").asText(), target.get("expr").asText());
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("dashboard JSON", e);
        }
        return queries;
    }

    @SuppressWarnings("unchecked")
    static Map<String, String> alerts(Manifests manifests) {
        GenericKubernetesResource rule = manifests.custom("PrometheusRule").get(0);
        Map<String, String> alerts = new LinkedHashMap<>();
        Map<String, Object> spec = rule.get("spec");
        for (Map<String, Object> group : (List<Map<String, Object>>) spec.get("groups")) {
            for (Map<String, Object> r : (List<Map<String, Object>>) group.get("rules")) {
                alerts.put((String) r.getOrDefault("alert", r.get("record")), (String) r.get("expr"));
            }
        }
        return alerts;
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> alertRules(Manifests manifests) {
        Map<String, Object> spec = manifests.custom("PrometheusRule").get(0).get("spec");
        return ((List<Map<String, Object>>) spec.get("groups")).stream()
                .flatMap(g -> ((List<Map<String, Object>>) g.get("rules")).stream()).toList();
    }
}
