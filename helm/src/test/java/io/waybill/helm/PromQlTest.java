package io.waybill.helm;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class PromQlTest {

    @Test
    void selectors_are_found_past_functions_aggregations_groupings_and_ranges() {
        // given an expression with everything the chart's rules use
        String expr = "(max by (namespace, pod) (lag_max{job=\"e\", client_id=~\".+-StreamThread-[0-9]+-consumer\"}) > 1e+06) "
                + "and on (namespace, pod) sum without (x) (deriv(lag_max{job=\"e\"}[15m] offset 5m)) / up{a!=\"b\",c!~\"d\"} unless absent(other)";

        // when its selectors are extracted
        List<PromQl.Selector> selectors = PromQl.selectors(expr);

        // then only the series selectors are found, with their matchers
        assertThat(selectors).extracting(PromQl.Selector::metric).containsExactly("lag_max", "lag_max", "up", "other");
        PromQl.Matcher client = selectors.get(0).matchers().get(1);
        assertThat(client.label()).isEqualTo("client_id");
        assertThat(client.op()).isEqualTo("=~");
        assertThat(client.matches(Map.of("client_id", "w-1-StreamThread-2-consumer"))).isTrue();
        assertThat(client.matches(Map.of("client_id", "w-1-StateUpdater-1-restore-consumer"))).isFalse();
        assertThat(selectors.get(2).matchers()).extracting(PromQl.Matcher::op).containsExactly("!=", "!~");
    }
}
