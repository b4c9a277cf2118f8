package io.waybill.testkit.bench;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/** The hottest methods of a JFR recording's execution samples, restricted to some threads. */
final class JfrTop {

    static String summary(Path jfr, Predicate<String> threadName, int top) throws IOException {
        Map<String, Long> self = new HashMap<>();
        Map<String, Long> total = new HashMap<>();
        long samples = 0;
        long allSamples = 0;
        long truncated = 0;
        Map<String, Long> nativeTop = new HashMap<>();
        long nativeSamples = 0;
        Map<String, Long> parkMillis = new HashMap<>();
        long parkedMillis = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(jfr)) {
            if (e.getEventType().getName().equals("jdk.ThreadPark")) {
                RecordedThread t = e.getThread();
                String name = t == null ? null : t.getJavaName();
                RecordedStackTrace stack = e.getStackTrace();
                if (name == null || !threadName.test(name) || stack == null || stack.getFrames().isEmpty()) continue;
                long ms = e.getDuration().toMillis();
                parkedMillis += ms;
                parkMillis.merge(nativeCaller(stack.getFrames()), ms, Long::sum);
                continue;
            }
            if (e.getEventType().getName().equals("jdk.NativeMethodSample")) {
                RecordedThread t = e.getThread("sampledThread");
                String name = t == null ? null : t.getJavaName();
                RecordedStackTrace stack = e.getStackTrace();
                if (name == null || !threadName.test(name) || stack == null || stack.getFrames().isEmpty()) continue;
                nativeSamples++;
                nativeTop.merge(nativeCaller(stack.getFrames()), 1L, Long::sum);
                continue;
            }
            if (!e.getEventType().getName().equals("jdk.ExecutionSample")) continue;
            allSamples++;
            RecordedThread t = e.getThread("sampledThread");
            String name = t == null ? null : t.getJavaName();
            if (name == null || !threadName.test(name)) continue;
            RecordedStackTrace stack = e.getStackTrace();
            if (stack == null || stack.getFrames().isEmpty()) continue;
            samples++;
            if (stack.isTruncated()) truncated++;
            List<RecordedFrame> frames = stack.getFrames();
            self.merge(method(frames.get(0)), 1L, Long::sum);
            Set<String> seen = new HashSet<>();
            for (RecordedFrame f : frames) {
                String m = method(f);
                if (seen.add(m)) total.merge(m, 1L, Long::sum);
            }
        }
        StringBuilder b = new StringBuilder();
        b.append(String.format("JFR (settings \"profile\"): %,d execution samples on the stream thread(s) (named ...-StreamThread-N; not their producers' I/O threads, not the global thread) of %,d in all (%,d with truncated stacks)%n",
                samples, allSamples, truncated));
        b.append(table("top " + top + " methods by self samples (top frame)", self, samples, top));
        b.append(table("top " + top + " methods by total samples (anywhere on the stack, counted once per sample)", total, samples, top));
        Map<String, Long> waybill = new HashMap<>();
        total.forEach((m, n) -> {
            if (m.startsWith("io.waybill.")) waybill.put(m, n);
        });
        b.append(table("top 15 io.waybill methods by total samples", waybill, samples, 15));
        b.append(String.format("native-method samples on the stream thread(s) (jdk.NativeMethodSample, every 20 ms: time in native code or "
                + "blocked in it, not Java CPU): %,d; by the first frame outside JDK internals / JNI wrappers%n", nativeSamples));
        b.append(table("  top 10", nativeTop, nativeSamples, 10));
        b.append(String.format("parked (jdk.ThreadPark of 10 ms or more) on the stream thread(s): %,.1f s in all; by the first frame outside the JDK "
                + "(%% of the parked time, milliseconds)%n", parkedMillis / 1000.0));
        b.append(table("  top 10", parkMillis, parkedMillis, 10));
        return b.toString();
    }

    private static String table(String title, Map<String, Long> counts, long samples, int top) {
        StringBuilder b = new StringBuilder(title).append('\n');
        counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(top)
                .forEach(e -> b.append(String.format("  %6.2f %%  %,7d  %s%n", 100.0 * e.getValue() / Math.max(1, samples), e.getValue(), e.getKey())));
        return b.toString();
    }

    /** The first frame of a native sample that says what waits: skips JDK-internal and wrapper frames. */
    private static String nativeCaller(List<RecordedFrame> frames) {
        for (RecordedFrame f : frames) {
            String m = method(f);
            if (m.startsWith("jdk.internal.") || m.startsWith("sun.nio.") || m.startsWith("java.")
                    || m.startsWith("org.apache.kafka.clients.producer.internals.ProduceRequestResult")
                    || m.startsWith("org.apache.kafka.clients.producer.internals.TransactionalRequestResult")
                    || m.startsWith("org.rocksdb.") && m.endsWith("Jni")) {
                continue;
            }
            return m;
        }
        return method(frames.get(0));
    }

    private static String method(RecordedFrame f) {
        RecordedMethod m = f.getMethod();
        if (m == null) return "?";
        return m.getType().getName() + "." + m.getName();
    }

    private JfrTop() {
    }
}
