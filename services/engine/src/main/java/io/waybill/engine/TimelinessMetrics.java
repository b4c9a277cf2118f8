package io.waybill.engine;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.waybill.topology.EngineMeters;
import io.waybill.topology.timer.ShipmentTimers;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The engine's timeliness as Prometheus histograms:
 * <ul>
 *   <li>{@code waybill_timer_lateness_seconds{kind}}: from a durable timer's due time to its effects;</li>
 *   <li>{@code waybill_replan_wait_seconds}: from a network change being noticed to a shipment's re-plan;</li>
 *   <li>{@code waybill_engine_tick_seconds}: how long each tick stalled a stream thread.</li>
 * </ul>
 * Fixed buckets (not client-side percentiles), so Prometheus can sum them over instances. Every timer
 * kind is registered at start, so the series exist (at zero) before the first timer fires and an
 * alert on them is never "no data".
 */
@ApplicationScoped
public class TimelinessMetrics implements EngineMeters {

    private static final Duration[] LATENESS_BUCKETS = seconds(0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900);
    private static final Duration[] TICK_BUCKETS = seconds(0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 1, 2, 5);

    private final Map<String, Timer> lateness = new HashMap<>();
    private final Timer replanWait;
    private final Timer tick;

    @Inject
    public TimelinessMetrics(MeterRegistry registry) {
        for (String kind : ShipmentTimers.KINDS) {
            lateness.put(kind, Timer.builder("waybill.timer.lateness")
                    .description("How late durable timers fire: from the due time to the effects applied")
                    .tag("kind", kind.toLowerCase(Locale.ROOT))
                    .serviceLevelObjectives(LATENESS_BUCKETS)
                    .register(registry));
        }
        replanWait = Timer.builder("waybill.replan.wait")
                .description("From a network change being noticed to each affected shipment's re-plan")
                .serviceLevelObjectives(LATENESS_BUCKETS)
                .register(registry);
        tick = Timer.builder("waybill.engine.tick")
                .description("How long each tick (network changes, re-plans, timers) held a stream thread")
                .serviceLevelObjectives(TICK_BUCKETS)
                .register(registry);
    }

    @Override
    public void timerFired(String kind, long latenessMillis) {
        Timer timer = lateness.get(kind);
        if (timer != null) timer.record(Math.max(0, latenessMillis), TimeUnit.MILLISECONDS);
    }

    @Override
    public void replanned(long waitedMillis) {
        replanWait.record(Math.max(0, waitedMillis), TimeUnit.MILLISECONDS);
    }

    @Override
    public void tick(long elapsedMillis) {
        tick.record(elapsedMillis, TimeUnit.MILLISECONDS);
    }

    private static Duration[] seconds(double... values) {
        Duration[] d = new Duration[values.length];
        for (int i = 0; i < values.length; i++) d[i] = Duration.ofMillis(Math.round(values[i] * 1000));
        return d;
    }
}
