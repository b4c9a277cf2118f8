package io.waybill.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** Argument parsing, percentiles, the machine line and the summary text of the scenario benchmarks. */
final class Report {

    private final StringBuilder text = new StringBuilder();

    Report line(String format, Object... args) {
        text.append(String.format(Locale.ROOT, format, args)).append('\n');
        return this;
    }

    Report line() {
        text.append('\n');
        return this;
    }

    @Override
    public String toString() {
        return text.toString();
    }

    /** Prints the summary and, when {@code out} is set, writes it there. */
    void emit(Path out) {
        System.out.println();
        System.out.print(text);
        if (out != null) {
            try {
                if (out.getParent() != null) Files.createDirectories(out.getParent());
                Files.writeString(out, text.toString());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            System.out.println("summary: " + out);
        }
    }

    /** The machine as the run found it: cores, load average, heap, JVM. */
    static String machine() {
        String load;
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            load = parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException | RuntimeException e) {
            load = "n/a";
        }
        return String.format(Locale.ROOT, "%d cores, load average %s, heap max %d MiB, Java %s", Runtime.getRuntime().availableProcessors(),
                load, Runtime.getRuntime().maxMemory() >> 20, System.getProperty("java.version"));
    }

    static long gcMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(b -> Math.max(0, b.getCollectionTime())).sum();
    }

    /** Nearest-rank percentile of sorted values (p in 0..100). */
    static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) return 0;
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    static long[] sorted(long[] values) {
        long[] copy = values.clone();
        Arrays.sort(copy);
        return copy;
    }

    static String ms(long nanos) {
        return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
    }

    static String s(long nanos) {
        return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
    }

    /** --name value pairs; every name must be known. */
    static final class Args {
        private final Map<String, String> values = new HashMap<>();

        Args(String[] args, String... known) {
            for (int i = 0; i < args.length; i++) {
                String name = args[i];
                if (!name.startsWith("--") || !Arrays.asList(known).contains(name.substring(2))) {
                    throw new IllegalArgumentException("unknown option " + name + " (known: --" + String.join(", --", known) + ")");
                }
                if (i + 1 >= args.length) throw new IllegalArgumentException(name + " needs a value");
                values.put(name.substring(2), args[++i]);
            }
        }

        int integer(String name, int otherwise) {
            String v = values.get(name);
            return v == null ? otherwise : Integer.parseInt(v.replace("_", "").replace(",", ""));
        }

        String string(String name, String otherwise) {
            return values.getOrDefault(name, otherwise);
        }

        Path path(String name) {
            String v = values.get(name);
            return v == null ? null : Path.of(v);
        }
    }
}
