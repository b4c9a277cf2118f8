package io.waybill.helm;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * helm/waybill/README.md stays in step with the chart: every value is annotated in values.yaml and
 * listed in the README; the alert and promised-metric tables match what the chart renders. After a
 * change, regenerate the sections and review the diff:
 * <pre>mvn -pl helm test -Dtest=ChartReadmeTest -Dwaybill.readme.update=true</pre>
 */
class ChartReadmeTest {

    @Test
    void every_value_is_annotated_and_every_annotation_names_a_value() throws Exception {
        // given values.yaml and its @param annotations
        JsonNode values = ChartReadme.values();
        List<String> params = ChartReadme.params().stream().map(ChartReadme.Param::path).toList();

        // then every value a user can set is described by a @param on itself or on a map above it
        assertThat(ChartReadme.leaves(values, ""))
                .allSatisfy(leaf -> assertThat(params).as("@param for " + leaf)
                        .anyMatch(p -> leaf.equals(p) || leaf.startsWith(p + ".")));
        // and every @param names a value that exists, once
        assertThat(params).doesNotHaveDuplicates()
                .allSatisfy(p -> assertThat(ChartReadme.at(values, p)).as("value " + p).isNotNull());
    }

    @Test
    void the_readme_lists_every_value_every_alert_and_every_promised_metric_as_the_chart_has_them() throws Exception {
        // given the sections the chart generates
        Map<String, String> generated = new LinkedHashMap<>();
        generated.put("parameters", ChartReadme.parametersSection());
        generated.put("alerts", ChartReadme.alertsSection(HelmChart.renderProduction()));
        generated.put("promised-metrics", ChartReadme.promisedMetricsSection());
        String readme = Files.readString(ChartReadme.README);

        if (Boolean.getBoolean("waybill.readme.update")) {
            for (var section : generated.entrySet()) readme = ChartReadme.replaceSection(readme, section.getKey(), section.getValue());
            Files.writeString(ChartReadme.README, readme);
        }

        // then the README's sections are exactly those
        for (var section : generated.entrySet()) {
            assertThat(ChartReadme.section(readme, section.getKey()))
                    .as("README.md section %s is out of date: run mvn -pl helm test -Dtest=ChartReadmeTest -Dwaybill.readme.update=true",
                            section.getKey())
                    .isEqualTo(section.getValue());
        }
    }
}
