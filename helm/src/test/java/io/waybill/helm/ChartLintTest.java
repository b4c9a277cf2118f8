package io.waybill.helm;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ChartLintTest {

    @Test
    void the_chart_passes_strict_lint() {
        // given the chart as it is packaged, when helm lint --strict runs
        LintResult result = new Helm(HelmChart.SOURCE).lint().strict().call();

        // then it finds neither errors nor warnings (strict turns warnings into failures)
        assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
        assertThat(result.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
    }
}
