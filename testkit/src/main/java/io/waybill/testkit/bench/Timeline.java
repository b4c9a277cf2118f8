package io.waybill.testkit.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;

/**
 * Once a second, cumulative counters of a scenario run: the brokers' CPU, this JVM's CPU, the engine's
 * stream threads' CPU (ThreadMXBean, threads named *-StreamThread-*) and the scenario's own counts
 * (scans sent and answered, timers seen fired, re-plans seen). Windows and per-second rows are
 * differences of two samples.
 */
final class Timeline implements AutoCloseable {

    /**
     * One sample: wall clock (ms), CPU seconds (brokers, this JVM, stream threads), the scenario's counts and the
     * engine's Streams counters (records written per topic, commits).
     */
    record Sample(long wallMs, double brokerCpu, double jvmCpu, double streamCpu, long[] counts, Metrics.Snapshot streams) {
    }

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final DoubleSupplier brokerCpu;
    private final Supplier<long[]> counts;
    private final Supplier<Metrics.Snapshot> streams;
    private final List<Sample> samples = new ArrayList<>();
    private final Thread thread;
    private volatile boolean stop;

    Timeline(DoubleSupplier brokerCpu, Supplier<long[]> counts, Supplier<Metrics.Snapshot> streams) {
        this.brokerCpu = brokerCpu;
        this.counts = counts;
        this.streams = streams;
        sample();
        thread = new Thread(() -> {
            long next = System.currentTimeMillis() + 1000;
            while (!stop) {
                long wait = next - System.currentTimeMillis();
                if (wait > 0) {
                    try {
                        Thread.sleep(wait);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                next += 1000;
                sample();
            }
        }, "timeline");
        thread.setDaemon(true);
        thread.start();
    }

    Sample sample() {
        Sample s = new Sample(System.currentTimeMillis(), brokerCpu.getAsDouble(), ClusterBench.processCpuSeconds(), streamThreadCpu(),
                counts.get(), streams.get());
        synchronized (samples) {
            samples.add(s);
        }
        return s;
    }

    /** CPU seconds of the live stream threads of the engine in this JVM. */
    static double streamThreadCpu() {
        double total = 0;
        for (ThreadInfo t : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (t == null || !t.getThreadName().contains("-StreamThread-")) continue;
            long ns = THREADS.getThreadCpuTime(t.getThreadId());
            if (ns > 0) total += ns / 1e9;
        }
        return total;
    }

    /** The sample nearest to {@code wallMs} (scenarios take one at each window boundary they know of). */
    Sample at(long wallMs) {
        synchronized (samples) {
            Sample found = samples.get(0);
            for (Sample s : samples) {
                if (Math.abs(s.wallMs() - wallMs) < Math.abs(found.wallMs() - wallMs)) found = s;
            }
            return found;
        }
    }

    /** About one sample per second (the extra ones taken at window boundaries left out), for a per-second table. */
    List<Sample> perSecond() {
        List<Sample> rows = new ArrayList<>();
        synchronized (samples) {
            for (Sample s : samples) {
                if (rows.isEmpty() || s.wallMs() - rows.get(rows.size() - 1).wallMs() >= 900) rows.add(s);
            }
        }
        return rows;
    }

    /** CPU of the brokers, this JVM and the stream threads between two samples, as % of one core. */
    static String cpu(Sample from, Sample to) {
        double s = Math.max(0.001, (to.wallMs() - from.wallMs()) / 1000.0);
        return String.format("brokers %.0f %%, benchmark JVM %.0f %% (engine stream thread %.0f %%) of one core",
                100 * (to.brokerCpu() - from.brokerCpu()) / s, 100 * (to.jvmCpu() - from.jvmCpu()) / s,
                100 * (to.streamCpu() - from.streamCpu()) / s);
    }

    /** What the engine wrote between two samples: records per second by topic (changelogs summed), commits per second. */
    static String writes(Sample from, Sample to) {
        double s = Math.max(0.001, (to.wallMs() - from.wallMs()) / 1000.0);
        Metrics.Snapshot d = to.streams().minus(from.streams());
        double total = 0, changelogs = 0;
        Map<String, Double> outputs = new TreeMap<>();
        for (Map.Entry<String, Double> e : d.recordsByTopic().entrySet()) {
            total += e.getValue();
            if (e.getKey().endsWith("-changelog")) changelogs += e.getValue();
            else if (e.getValue() > 0) outputs.put(e.getKey().replaceFirst("^waybill\\.", "").replaceFirst("\\.v1$", ""), e.getValue() / s);
        }
        StringBuilder b = new StringBuilder(String.format("%,.0f records/s (changelogs %,.0f", total / s, changelogs / s));
        outputs.forEach((topic, rate) -> b.append(String.format(", %s %,.0f", topic, rate)));
        return b.append(String.format("), %.1f commits/s", d.commits() / s)).toString();
    }

    @Override
    public void close() {
        stop = true;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sample();
    }
}
