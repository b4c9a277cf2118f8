package io.waybill.helm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The generated sections of helm/waybill/README.md, between {@code <!-- name:start -->} and
 * {@code <!-- name:end -->}: the parameter tables from the {@code ## @section} / {@code ## @param}
 * annotations of values.yaml (as Bitnami's readme generator reads them), the alert table from the
 * rendered PrometheusRule, and the metrics promised by later issues.
 */
final class ChartReadme {

    static final Path README = HelmChart.SOURCE.resolve("README.md");
    static final Path VALUES = HelmChart.SOURCE.resolve("values.yaml");

    record Param(String section, String path, String description) {
    }

    private static final Pattern SECTION = Pattern.compile("^## @section (.+)$");
    private static final Pattern PARAM = Pattern.compile("^\\s*## @param (\\S+) (.+)$");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();

    private ChartReadme() {
    }

    static List<Param> params() throws IOException {
        List<Param> params = new ArrayList<>();
        String section = "";
        for (String line : Files.readAllLines(VALUES)) {
            Matcher s = SECTION.matcher(line);
            Matcher p = PARAM.matcher(line);
            if (s.matches()) section = s.group(1).trim();
            else if (p.matches()) params.add(new Param(section, p.group(1), p.group(2).trim()));
        }
        return params;
    }

    static JsonNode values() throws IOException {
        return YAML.readTree(VALUES.toFile());
    }

    static JsonNode at(JsonNode root, String path) {
        JsonNode node = root;
        for (String key : path.split("\\.")) {
            node = node == null ? null : node.get(key);
        }
        return node;
    }

    /** Paths of the values a user sets: scalars, lists, empty maps. */
    static List<String> leaves(JsonNode node, String prefix) {
        List<String> leaves = new ArrayList<>();
        if (node.isObject() && node.size() > 0) {
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                var field = fields.next();
                leaves.addAll(leaves(field.getValue(), prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey()));
            }
        } else {
            leaves.add(prefix);
        }
        return leaves;
    }

    static String parametersSection() throws IOException {
        JsonNode values = values();
        StringBuilder out = new StringBuilder();
        String section = null;
        for (Param param : params()) {
            if (!param.section().equals(section)) {
                section = param.section();
                out.append("\n### ").append(section).append("\n\n| Name | Description | Default |\n| --- | --- | --- |\n");
            }
            out.append("| `").append(param.path()).append("` | ").append(cell(param.description())).append(" | `")
                    .append(cell(JSON.writeValueAsString(at(values, param.path())))).append("` |\n");
        }
        return out.toString();
    }

    static String alertsSection(Manifests manifests) {
        StringBuilder out = new StringBuilder("\n| Alert | Severity | Fires when |\n| --- | --- | --- |\n");
        for (Map<String, Object> rule : MonitoringQueries.alertRules(manifests)) {
            @SuppressWarnings("unchecked") Map<String, String> labels = (Map<String, String>) rule.get("labels");
            @SuppressWarnings("unchecked") Map<String, String> annotations = (Map<String, String>) rule.get("annotations");
            out.append("| `").append(rule.get("alert")).append("` | ").append(labels.get("severity")).append(" | ")
                    .append(cell(annotations.get("summary"))).append(" |\n");
        }
        return out.toString();
    }

    static String promisedMetricsSection() {
        if (MonitoringQueries.METRICS_PROMISED_BY_LATER_ISSUES.isEmpty()) {
            return "\nNone at the moment: every metric the alerts and the dashboard use is exported.\n";
        }
        StringBuilder out = new StringBuilder("\n| Metric | What it counts |\n| --- | --- |\n");
        new TreeMap<>(MonitoringQueries.METRICS_PROMISED_BY_LATER_ISSUES)
                .forEach((metric, meaning) -> out.append("| `").append(metric).append("` | ").append(meaning).append(" |\n"));
        return out.toString();
    }

    /** The text between the markers of a generated section. */
    static String section(String readme, String name) {
        int start = readme.indexOf(startMarker(name));
        int end = readme.indexOf(endMarker(name));
        if (start < 0 || end < start) throw new AssertionError("README.md has no section " + startMarker(name) + " ... " + endMarker(name));
        return readme.substring(start + startMarker(name).length(), end);
    }

    static String replaceSection(String readme, String name, String content) {
        int start = readme.indexOf(startMarker(name)) + startMarker(name).length();
        int end = readme.indexOf(endMarker(name));
        return readme.substring(0, start) + content + readme.substring(end);
    }

    private static String startMarker(String name) {
        return "<!-- " + name + ":start -->";
    }

    private static String endMarker(String name) {
        return "<!-- " + name + ":end -->";
    }

    private static String cell(String text) {
        return text.replace("|", "\\|");
    }
}
