package io.waybill.testkit.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The run's report: what was sent, what the checker found, and for each fault how long the system took
 * to process again, what latency users saw during and outside faults and what the planner-api answered;
 * with an SVG plot of throughput, lag and latency over time, the faults shaded. (A hand-written SVG:
 * three polylines and some rectangles are less than a chart library would cost the testkit.)
 */
final class ChaosReport {

    /** Lag at or under this many records counts as "processing again". */
    static long lagBound(double rate) {
        return Math.max(500, Math.round(rate * 5));
    }

    static String text(String header, ChaosLoad load, FaultSchedule schedule, List<FaultInjector.Window> windows, Observer observer,
                       InvariantChecker.Result check, long loadStartedMs, String svgName) {
        StringBuilder b = new StringBuilder(header);
        b.append('\n').append(schedule.describe()).append('\n');
        b.append(String.format(Locale.ROOT, "load: %,d distinct events (%,d sends in all, resends of the same eventId included) at %.0f events/s, "
                        + "%,d through the gateway (%,d acknowledged as spooled), %,d acknowledged, %,d resent after a failed send%n",
                load.distinctEvents(), load.sends(), load.rate(), load.throughGateway(), load.spooledByGateway(), load.acknowledged(),
                load.resendsAfterFailure()));
        b.append("gateway answers (HTTP status: batches; -1 = no answer): ").append(new TreeMap<>(load.gatewayStatuses())).append('\n');
        b.append(String.format("timer-driven: %,d stalled shipments; dead letters on purpose: %,d records%n", load.stalled().size(), load.poisons().size()));
        load.refusals().stream().limit(10).forEach(r -> b.append("  refused: ").append(r).append('\n'));

        b.append("\ninvariants: ").append(check.passed() ? "ALL HOLD" : "VIOLATED").append('\n');
        check.counts().forEach((k, v) -> b.append(String.format("  %-50s %,d%n", k, v)));
        check.violations().forEach(v -> b.append("  VIOLATION ").append(v).append('\n'));

        List<Observer.Latency> latencies = observer.latencies();
        List<Observer.Lag> lags = observer.lags();
        List<Observer.Read> reads = observer.reads();
        long bound = lagBound(load.rate());
        List<long[]> faultSpans = new ArrayList<>();
        b.append(String.format("%nfaults (processing again = engine lag back at or under %,d records, from the fault's start):%n", bound));
        b.append(String.format("  %-3s %-14s %-7s %8s %10s %12s %10s  %s%n", "#", "fault", "target", "at (s)", "repaired", "processing", "max lag",
                "planner-api reads meanwhile"));
        for (FaultInjector.Window w : windows) {
            long recovered = lags.stream().filter(l -> l.atMs() >= w.repairedMs() && l.records() >= 0 && l.records() <= bound)
                    .mapToLong(Observer.Lag::atMs).findFirst().orElse(-1);
            long end = recovered < 0 ? w.repairedMs() : recovered;
            faultSpans.add(new long[]{w.startedMs(), end});
            long maxLag = lags.stream().filter(l -> l.atMs() >= w.startedMs() && l.atMs() <= end).mapToLong(Observer.Lag::records).max().orElse(-1);
            b.append(String.format(Locale.ROOT, "  %-3d %-14s %-7s %8.0f %9.1fs %11s %10s  %s%n", w.fault().number(), w.fault().kind(),
                    targetName(w.fault()), (w.startedMs() - loadStartedMs) / 1000.0, (w.repairedMs() - w.startedMs()) / 1000.0,
                    recovered < 0 ? "never" : String.format(Locale.ROOT, "%.1fs", (recovered - w.startedMs()) / 1000.0),
                    maxLag < 0 ? "?" : String.format("%,d", maxLag), readSummary(reads, r -> r.atMs() >= w.startedMs() && r.atMs() <= end)));
        }
        Predicate<Long> inFault = t -> faultSpans.stream().anyMatch(s -> t >= s[0] && t <= s[1]);
        b.append(String.format("%nevent -> state latency (first send to the state record read_committed; %,d events matched)%n", latencies.size()));
        b.append("  during faults:  ").append(percentiles(latencies.stream().filter(l -> inFault.test(l.atMs() - l.millis())).toList())).append('\n');
        b.append("  outside faults: ").append(percentiles(latencies.stream().filter(l -> !inFault.test(l.atMs() - l.millis())).toList())).append('\n');
        b.append("planner-api GET /api/v1/shipments/{id} every 250 ms (its own bound: a 4 s deadline, then 503)\n");
        b.append("  during faults:  ").append(readSummary(reads, r -> inFault.test(r.atMs()))).append('\n');
        b.append("  outside faults: ").append(readSummary(reads, r -> !inFault.test(r.atMs()))).append('\n');
        b.append("\nplot: ").append(svgName).append('\n');
        return b.toString();
    }

    private static String targetName(Fault f) {
        return switch (f.kind()) {
            case BROKER_KILL, BROKER_PAUSE -> "broker" + (f.target() + 1);
            case ENGINE_KILL -> "engine" + (f.target() + 1);
            case GATEWAY_KILL -> "gateway";
            case REGISTRY_KILL -> "registry";
        };
    }

    /** Planner-api answers in a span: 200, 200 stale, 503 (with Retry-After), other statuses, and no answer within 5 s. */
    static String readSummary(List<Observer.Read> reads, Predicate<Observer.Read> in) {
        Map<String, Integer> by = new TreeMap<>();
        long slowest = 0;
        for (Observer.Read r : reads) {
            if (!in.test(r)) continue;
            String k = r.status() == 200 ? (r.stale() ? "200 stale" : "200") : r.status() == 503 ? (r.retryAfter() ? "503+Retry-After" : "503")
                    : r.status() == -1 ? "no answer in " + Observer.HANG.toSeconds() + " s" : Integer.toString(r.status());
            by.merge(k, 1, Integer::sum);
            slowest = Math.max(slowest, r.millis());
        }
        return by.isEmpty() ? "-" : by + ", slowest " + slowest + " ms";
    }

    /** Reads that break the promise, each described: a 5xx other than 503, or no answer within {@link Observer#HANG}. */
    static List<String> badReads(List<Observer.Read> reads, long startedMs) {
        return reads.stream().filter(r -> r.status() == -1 || (r.status() >= 500 && r.status() != 503))
                .map(r -> String.format(java.util.Locale.ROOT, "+%.1fs: %s after %d ms%s", (r.atMs() - startedMs) / 1000.0,
                        r.status() == -1 ? "no answer" : "HTTP " + r.status(), r.millis(), r.failure() == null ? "" : " (" + r.failure() + ")"))
                .toList();
    }

    private static String percentiles(List<Observer.Latency> samples) {
        if (samples.isEmpty()) return "-";
        long[] ms = samples.stream().mapToLong(Observer.Latency::millis).sorted().toArray();
        return String.format(Locale.ROOT, "%,d events, p50 %,d ms, p99 %,d ms, max %,d ms", ms.length, ms[ms.length / 2],
                ms[(int) Math.min(ms.length - 1, Math.floor(ms.length * 0.99))], ms[ms.length - 1]);
    }

    /** Throughput (events seen on the state topic per second), engine lag and latency p99 over time, in 5-second buckets. */
    static void svg(Path file, Observer observer, List<FaultInjector.Window> windows, long startMs, String title) throws IOException {
        List<Observer.Latency> latencies = new ArrayList<>(observer.latencies());
        latencies.sort(Comparator.comparingLong(Observer.Latency::atMs));
        List<Observer.Lag> lags = observer.lags();
        long endMs = Math.max(startMs + 1000, Math.max(latencies.isEmpty() ? 0 : latencies.get(latencies.size() - 1).atMs(),
                lags.isEmpty() ? 0 : lags.get(lags.size() - 1).atMs()));
        int buckets = (int) ((endMs - startMs) / 5000) + 1;
        double[] throughput = new double[buckets];
        List<List<Long>> perBucket = new ArrayList<>();
        for (int i = 0; i < buckets; i++) perBucket.add(new ArrayList<>());
        for (Observer.Latency l : latencies) {
            int i = (int) ((l.atMs() - startMs) / 5000);
            if (i < 0 || i >= buckets) continue;
            throughput[i] += 1 / 5.0;
            perBucket.get(i).add(l.millis());
        }
        double[] p99 = new double[buckets];
        for (int i = 0; i < buckets; i++) {
            List<Long> ms = perBucket.get(i);
            ms.sort(null);
            p99[i] = ms.isEmpty() ? Double.NaN : ms.get((int) Math.min(ms.size() - 1, Math.floor(ms.size() * 0.99))) / 1000.0;
        }
        int width = 1200;
        int panel = 190;
        int left = 80;
        int plotWidth = width - left - 20;
        double seconds = (endMs - startMs) / 1000.0;
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' font-family='sans-serif' font-size='12'>%n",
                width, 56 + 3 * (panel + 30)));
        s.append("<rect width='100%' height='100%' fill='white'/>\n");
        s.append("<text x='10' y='20' font-size='14'>").append(escape(title)).append("</text>\n");
        String[] names = {"events/s on the state topic", "engine lag (records)", "event -> state p99 (s)"};
        for (int p = 0; p < 3; p++) {
            int top = 40 + p * (panel + 30);
            double[] values = p == 0 ? throughput : p == 2 ? p99 : null;
            List<double[]> points = new ArrayList<>();
            if (p == 1) {
                for (Observer.Lag l : lags) if (l.records() >= 0) points.add(new double[]{(l.atMs() - startMs) / 1000.0, l.records()});
            } else {
                for (int i = 0; i < buckets; i++) if (!Double.isNaN(values[i])) points.add(new double[]{i * 5 + 2.5, values[i]});
            }
            double max = points.stream().mapToDouble(pt -> pt[1]).max().orElse(1);
            if (max <= 0) max = 1;
            for (FaultInjector.Window w : windows) {
                double x0 = left + plotWidth * ((w.startedMs() - startMs) / 1000.0) / seconds;
                double x1 = left + plotWidth * ((w.repairedMs() - startMs) / 1000.0) / seconds;
                s.append(String.format(Locale.ROOT, "<rect x='%.1f' y='%d' width='%.1f' height='%d' fill='%s' fill-opacity='0.25'/>%n",
                        x0, top, Math.max(1, x1 - x0), panel, color(w.fault().kind())));
                if (p == 0) s.append(String.format(Locale.ROOT, "<text x='%.1f' y='%d' font-size='9'>%d</text>%n", x0, top + 10, w.fault().number()));
            }
            s.append(String.format(Locale.ROOT, "<rect x='%d' y='%d' width='%d' height='%d' fill='none' stroke='#888'/>%n", left, top, plotWidth, panel));
            s.append(String.format(Locale.ROOT, "<text x='%d' y='%d'>%s (max %s)</text>%n", left, top - 4, names[p],
                    p == 2 ? String.format(Locale.ROOT, "%.1f", max) : String.format("%,d", Math.round(max))));
            StringBuilder line = new StringBuilder();
            for (double[] pt : points) {
                line.append(String.format(Locale.ROOT, "%.1f,%.1f ", left + plotWidth * pt[0] / seconds, top + panel - panel * pt[1] / max));
            }
            s.append("<polyline fill='none' stroke='#1f4e79' stroke-width='1.2' points='").append(line).append("'/>\n");
        }
        int axis = 40 + 3 * (panel + 30) - 12;
        for (int t = 0; t <= seconds; t += Math.max(60, (int) (seconds / 10) / 60 * 60)) {
            s.append(String.format(Locale.ROOT, "<text x='%.1f' y='%d' font-size='10'>%ds</text>%n", left + plotWidth * t / seconds, axis, t));
        }
        s.append("<text x='").append(left).append("' y='").append(axis + 16)
                .append("' font-size='10'>shaded, numbered as in the report: broker kill (red), broker pause (orange), engine kill (blue), gateway kill (green), registry kill (grey); x: seconds from the start of the load</text>\n");
        s.append("</svg>\n");
        Files.writeString(file, s.toString());
    }

    /** The timeline behind the plot, one row per 5 seconds: events seen on the state topic per second, p99 latency, last lag sample. */
    static void csv(Path file, Observer observer, long startMs) throws IOException {
        List<Observer.Latency> latencies = observer.latencies();
        List<Observer.Lag> lags = observer.lags();
        long end = Math.max(latencies.stream().mapToLong(Observer.Latency::atMs).max().orElse(startMs),
                lags.stream().mapToLong(Observer.Lag::atMs).max().orElse(startMs));
        StringBuilder b = new StringBuilder("second,events_per_s,p99_ms,lag_records\n");
        for (long t = startMs; t <= end; t += 5000) {
            long from = t;
            long[] ms = latencies.stream().filter(l -> l.atMs() >= from && l.atMs() < from + 5000).mapToLong(Observer.Latency::millis).sorted().toArray();
            long lag = lags.stream().filter(l -> l.atMs() < from + 5000).mapToLong(Observer.Lag::records).reduce((a, c) -> c).orElse(-1);
            b.append((t - startMs) / 1000).append(',').append(String.format(Locale.ROOT, "%.1f", ms.length / 5.0)).append(',')
                    .append(ms.length == 0 ? "" : Long.toString(ms[(int) Math.min(ms.length - 1, Math.floor(ms.length * 0.99))])).append(',')
                    .append(lag).append('\n');
        }
        Files.writeString(file, b.toString());
    }

    private static String color(Fault.Kind kind) {
        return switch (kind) {
            case BROKER_KILL -> "#d62728";
            case BROKER_PAUSE -> "#ff7f0e";
            case ENGINE_KILL -> "#1f77b4";
            case GATEWAY_KILL -> "#2ca02c";
            case REGISTRY_KILL -> "#7f7f7f";
        };
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private ChaosReport() {
    }
}
