package io.waybill.systemtest;

import io.waybill.testkit.chaos.ChaosRun;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chaos harness's short profile (scripts/chaos --short) as a test: the whole system as processes
 * under sustained load, one fault of each kind (broker kill -9, broker SIGSTOP past its session
 * timeout, engine kill -9, gateway kill -9 with a full spool, registry kill -9), then every output
 * topic checked against what was acknowledged and the workflow's reference model. Fails on any
 * broken invariant: an event lost or applied twice, a state that differs from the model, a timer's
 * exception or notification not exactly once, an unexpected dead letter, a planner-api read that hung
 * or answered 5xx other than 503.
 */
class ChaosShortProfileTest {

    private static final Logger LOG = LoggerFactory.getLogger(ChaosShortProfileTest.class);

    @Test
    void under_load_and_one_fault_of_each_kind_nothing_is_lost_or_applied_twice() throws Exception {
        // given the short profile, its report kept with the build's output
        ChaosRun.Options options = ChaosRun.Options.shortProfile().in(Path.of("target", "chaos"), Path.of("target", "chaos-system-" + System.nanoTime()));

        // when it runs
        ChaosRun.Outcome outcome = ChaosRun.run(options, LOG::info);

        // then every invariant held
        assertThat(outcome.violations()).as("violations (report: %s)", outcome.report().toAbsolutePath()).isEmpty();
        assertThat(outcome.badPlannerReads()).as("planner-api reads that hung or answered 5xx other than 503").isEmpty();
        assertThat(outcome.counts().get("shipments compared with the model")).isPositive();
    }
}
