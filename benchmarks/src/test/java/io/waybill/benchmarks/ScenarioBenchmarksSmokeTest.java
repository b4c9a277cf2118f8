package io.waybill.benchmarks;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scenario benchmarks' harness at a very small scale, so a change that breaks it (or the
 * TopologyTestDriver internals it relies on) shows in the build; the benchmarks themselves run
 * only through scripts/benchmark.
 */
class ScenarioBenchmarksSmokeTest {

    @Test
    void every_due_timer_of_a_small_burst_fires_exactly_once_while_scans_are_processed() {
        var defaults = TimerBurstBenchmark.Options.defaults();
        var result = TimerBurstBenchmark.run(new TimerBurstBenchmark.Options(2_000, 300, 100, defaults.timerBatch(),
                defaults.tickBudgetMs(), defaults.tickIntervalMs(), defaults.commitIntervalMs(), 0, 1, 0, null, null));

        assertThat(result.pendingTimers()).isBetween(2_000L, 2_100L);
        assertThat(result.dueInBurst()).isEqualTo(300);
        assertThat(result.firedOnce()).isEqualTo(300);
        assertThat(result.firedMoreThanOnce()).isZero();
        assertThat(result.neverFired()).isZero();
        assertThat(result.unattributed()).isZero();
        assertThat(result.storeProblems()).isZero();
        assertThat(result.eventsProcessed()).isPositive();
        assertThat(result.latenessMaxNanos()).isPositive();
        assertThat(result.ok()).isTrue();
        assertThat(result.summary()).contains("fired exactly once: 300 of 300", "NO broker");
    }

    @Test
    void closing_the_hub_re_plans_exactly_the_shipments_routed_through_it() {
        var defaults = HubClosureBenchmark.Options.defaults();
        var result = HubClosureBenchmark.run(new HubClosureBenchmark.Options(500, 100, defaults.hub(), 1, defaults.rerouteBatch(),
                defaults.tickBudgetMs(), defaults.tickIntervalMs(), defaults.commitIntervalMs(), null, null));

        assertThat(result.affected()).isEqualTo(500);
        assertThat(result.replannedAroundHub()).isEqualTo(500);
        assertThat(result.noRoute()).isZero();
        assertThat(result.notReplanned()).isZero();
        assertThat(result.stillThroughHub()).isZero();
        assertThat(result.unaffected()).isEqualTo(100);
        assertThat(result.unaffectedChanged()).isZero();
        assertThat(result.indexMismatch()).isZero();
        assertThat(result.queueLeft()).isZero();
        assertThat(result.ticks()).isPositive();
        assertThat(result.ok()).isTrue();
    }
}
