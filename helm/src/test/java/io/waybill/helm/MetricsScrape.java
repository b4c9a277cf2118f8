package io.waybill.helm;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A Prometheus text exposition (/q/metrics), as series: name and labels. */
final class MetricsScrape {

    record Series(String name, Map<String, String> labels, String value) {
    }

    private final List<Series> series = new ArrayList<>();

    MetricsScrape(String text) {
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) continue;
            int brace = line.indexOf('{');
            int space = line.indexOf(' ');
            if (brace < 0 || (space >= 0 && space < brace)) {
                series.add(new Series(line.substring(0, space), Map.of(), line.substring(space + 1).trim()));
            } else {
                int end = line.lastIndexOf('}');
                series.add(new Series(line.substring(0, brace), labels(line.substring(brace + 1, end)), line.substring(end + 1).trim()));
            }
        }
    }

    List<Series> series() {
        return series;
    }

    double value(Series s) {
        return Double.parseDouble(s.value().split("\\s+")[0]);
    }

    boolean has(String metric) {
        return series.stream().anyMatch(s -> s.name().equals(metric));
    }

    private static Map<String, String> labels(String body) {
        Map<String, String> labels = new LinkedHashMap<>();
        int i = 0;
        while (i < body.length()) {
            int eq = body.indexOf('=', i);
            String name = body.substring(i, eq).trim();
            StringBuilder value = new StringBuilder();
            int j = eq + 2; // past ="
            while (body.charAt(j) != '"') {
                if (body.charAt(j) == '\\') {
                    char escaped = body.charAt(++j);
                    value.append(escaped == 'n' ? '\n' : escaped);
                } else {
                    value.append(body.charAt(j));
                }
                j++;
            }
            labels.put(name, value.toString());
            i = j + 1;
            if (i < body.length() && body.charAt(i) == ',') i++;
        }
        return labels;
    }
}
