package io.waybill.testkit.bench;

import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Snapshots of the counters the report is made of: Streams' embedded producers and threads, broker CPU, this JVM. */
final class Metrics {

    /** Cumulative counters of one or more KafkaStreams instances at one moment. */
    record Snapshot(Map<String, Double> recordsByTopic, Map<String, Double> bytesByTopic, Map<String, Double> retriesByTopic,
                    Map<String, Double> errorsByTopic, double commits, Map<String, Double> processedByThread) {

        /** this - earlier, per key. */
        Snapshot minus(Snapshot earlier) {
            return new Snapshot(diff(recordsByTopic, earlier.recordsByTopic), diff(bytesByTopic, earlier.bytesByTopic),
                    diff(retriesByTopic, earlier.retriesByTopic), diff(errorsByTopic, earlier.errorsByTopic),
                    commits - earlier.commits, diff(processedByThread, earlier.processedByThread));
        }

        private static Map<String, Double> diff(Map<String, Double> a, Map<String, Double> b) {
            Map<String, Double> d = new TreeMap<>();
            a.forEach((k, v) -> d.put(k, v - b.getOrDefault(k, 0.0)));
            return d;
        }
    }

    static Snapshot streams(List<KafkaStreams> instances) {
        Map<String, Double> records = new TreeMap<>();
        Map<String, Double> bytes = new TreeMap<>();
        Map<String, Double> processed = new TreeMap<>();
        Map<String, Double> retries = new TreeMap<>();
        Map<String, Double> errors = new TreeMap<>();
        double commits = 0;
        for (int i = 0; i < instances.size(); i++) {
            for (Map.Entry<MetricName, ? extends Metric> e : instances.get(i).metrics().entrySet()) {
                MetricName n = e.getKey();
                if (!(e.getValue().metricValue() instanceof Number number)) continue;
                double v = number.doubleValue();
                if (Double.isNaN(v)) continue;
                switch (n.group()) {
                    case "producer-topic-metrics" -> {
                        String topic = n.tags().get("topic");
                        if (n.name().equals("record-send-total")) records.merge(topic, v, Double::sum);
                        else if (n.name().equals("byte-total")) bytes.merge(topic, v, Double::sum);
                        else if (n.name().equals("record-retry-total")) retries.merge(topic, v, Double::sum);
                        else if (n.name().equals("record-error-total")) errors.merge(topic, v, Double::sum);
                    }
                    case "stream-thread-metrics" -> {
                        String thread = n.tags().get("thread-id");
                        String shortName = "instance " + (i + 1) + " " + thread.substring(thread.lastIndexOf("StreamThread"));
                        if (n.name().equals("commit-total")) commits += v;
                        else if (n.name().equals("process-total")) processed.merge(shortName, v, Double::sum);
                    }
                    default -> {
                    }
                }
            }
        }
        return new Snapshot(records, bytes, retries, errors, commits, processed);
    }

    /** utime + stime of the given processes, in seconds. */
    static double cpuSeconds(List<Long> pids) {
        double ticks = 0;
        for (long pid : pids) {
            try {
                String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                // after "(comm)": state is field 3; utime and stime are fields 14 and 15
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
            } catch (IOException | RuntimeException e) {
                throw new IllegalStateException("cannot read the CPU time of process " + pid + ": " + e, e);
            }
        }
        return ticks / CLOCK_TICKS;
    }

    /** USER_HZ: 100 on every Linux this runs on (getconf CLK_TCK). */
    static final double CLOCK_TICKS = 100.0;

    /** VmRSS of this process, in MB. */
    static double rssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        } catch (IOException e) {
            // not Linux
        }
        return -1;
    }

    /** Heap used after a full GC, in MB. */
    static double heapAfterGcMb() {
        System.gc();
        System.gc();
        Runtime rt = Runtime.getRuntime();
        return (rt.totalMemory() - rt.freeMemory()) / (1024.0 * 1024.0);
    }

    private Metrics() {
    }
}
