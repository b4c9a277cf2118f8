package io.waybill.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** Finds the Java runtimes the local platform launches. */
public final class Jvm {

    private Jvm() {
    }

    /** The system property with extra options for every JVM the testkit launches (space separated). */
    public static final String PROCESS_OPTIONS = "waybill.processes.jvm-options";

    /**
     * Extra options for every JVM the testkit launches (brokers, registry, services), from
     * {@link #PROCESS_OPTIONS}: the tests set {@code -XX:TieredStopAtLevel=1} (root pom,
     * {@code waybill.test.process-jvm-options}) and so does the chaos harness's short profile, because
     * with ten JVMs on two cores C2 compilation took 36 % of all CPU in the first minutes.
     */
    public static List<String> processOptions() {
        String options = System.getProperty(PROCESS_OPTIONS, "").trim();
        return options.isEmpty() ? List.of() : List.of(options.split("\\s+"));
    }

    /** The java that runs this JVM (Kafka and the services run on Java 17). */
    public static String java17() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * A Java 21+ runtime for Apicurio Registry 3: $WAYBILL_REGISTRY_JAVA_HOME, else this JVM if new
     * enough, else the newest JDK under /usr/lib/jvm.
     */
    public static String java21OrNewer() {
        String configured = System.getenv("WAYBILL_REGISTRY_JAVA_HOME");
        if (configured != null && !configured.isBlank()) return Path.of(configured, "bin", "java").toString();
        if (Runtime.version().feature() >= 21) return java17();
        try (Stream<Path> homes = Files.list(Path.of("/usr/lib/jvm"))) {
            Optional<Path> newest = homes
                    .filter(h -> Files.isExecutable(h.resolve("bin/java")))
                    .filter(h -> featureVersion(h) >= 21)
                    .max(Comparator.comparingInt(Jvm::featureVersion));
            return newest.map(h -> h.resolve("bin/java").toString()).orElseThrow(() -> new IllegalStateException(
                    "Apicurio Registry 3 needs Java 21 or newer: install one under /usr/lib/jvm or set WAYBILL_REGISTRY_JAVA_HOME"));
        } catch (IOException e) {
            throw new IllegalStateException("Apicurio Registry 3 needs Java 21 or newer; set WAYBILL_REGISTRY_JAVA_HOME", e);
        }
    }

    static int featureVersion(Path javaHome) {
        try {
            for (String line : Files.readAllLines(javaHome.resolve("release"))) {
                if (line.startsWith("JAVA_VERSION=")) {
                    String v = line.substring("JAVA_VERSION=".length()).replace("\"", "");
                    String feature = v.startsWith("1.") ? v.split("\\.")[1] : v.split("[.+-]")[0];
                    return Integer.parseInt(feature);
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // not a JDK we can read
        }
        return 0;
    }
}
