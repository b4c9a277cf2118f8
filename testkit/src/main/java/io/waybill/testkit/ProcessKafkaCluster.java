package io.waybill.testkit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * A KRaft cluster with each node its own JVM, from the kafka_2.13 jars the build lays out: one
 * controller and N brokers on 127.0.0.1. Data stays in {@code baseDir} between runs, so a second
 * start reuses the formatted logs. Brokers can be stopped, killed with SIGKILL and restarted.
 */
public final class ProcessKafkaCluster implements KafkaCluster {

    /** Ports of a cluster; brokers get consecutive ports from {@code firstBrokerPort}. */
    public record Layout(int firstBrokerPort, int controllerPort) {
        public static Layout standard() {
            return new Layout(9092, 9099);
        }

        public static Layout random() {
            // Consecutive free ports are not guaranteed; take each port free on its own.
            return new Layout(-1, Ports.free());
        }
    }

    private static final int CONTROLLER_ID = 100;

    private final Path baseDir;
    private final int brokers;
    private final int controllerPort;
    private final int[] brokerPorts;
    private final Path runDir;
    private final Consumer<String> progress;
    private final List<ManagedProcess> brokerProcesses = new ArrayList<>();
    private ManagedProcess controller;

    public ProcessKafkaCluster(Path baseDir, int brokers, Layout layout, Consumer<String> progress) {
        if (brokers < 1) throw new IllegalArgumentException("brokers must be >= 1");
        this.baseDir = baseDir.toAbsolutePath();
        this.brokers = brokers;
        this.controllerPort = layout.controllerPort();
        this.brokerPorts = new int[brokers];
        for (int i = 0; i < brokers; i++) {
            brokerPorts[i] = layout.firstBrokerPort() > 0 ? layout.firstBrokerPort() + i : Ports.free();
        }
        this.runDir = this.baseDir.resolve("run");
        this.progress = progress;
    }

    public ProcessKafkaCluster start() {
        Path libs = RepoLayout.kafkaLibs();
        String clusterId = clusterId();
        Instant started = Instant.now();

        Path controllerDir = baseDir.resolve("controller");
        writeProperties(controllerDir, controllerProperties(controllerDir));
        controller = node("kafka-controller", controllerDir, libs);
        for (int i = 0; i < brokers; i++) {
            Path dir = brokerDir(i);
            writeProperties(dir, brokerProperties(i, dir));
            brokerProcesses.add(node("kafka-broker-" + (i + 1), dir, libs));
        }

        List<Path> unformatted = new ArrayList<>();
        if (!Files.exists(controllerDir.resolve("data/meta.properties"))) unformatted.add(controllerDir);
        for (int i = 0; i < brokers; i++) {
            if (!Files.exists(brokerDir(i).resolve("data/meta.properties"))) unformatted.add(brokerDir(i));
        }
        if (!unformatted.isEmpty()) {
            progress.accept("formatting " + unformatted.size() + " Kafka log dir(s), cluster id " + clusterId);
            format(libs, clusterId, unformatted);
        }

        progress.accept("starting Kafka controller on 127.0.0.1:" + controllerPort);
        controller.start();
        for (int i = 0; i < brokers; i++) {
            progress.accept("starting Kafka broker " + (i + 1) + " on 127.0.0.1:" + brokerPorts[i]);
            brokerProcesses.get(i).start();
        }
        awaitBrokers(brokers, Duration.ofSeconds(90));
        progress.accept("Kafka cluster ready (" + brokers + " broker(s)) in "
                + Duration.between(started, Instant.now()).toMillis() / 1000.0 + " s");
        return this;
    }

    /** The processes of an already running cluster started from {@code baseDir} by another invocation. */
    public static List<ManagedProcess> recordedProcesses(Path baseDir) {
        Path run = baseDir.toAbsolutePath().resolve("run");
        List<ManagedProcess> found = new ArrayList<>();
        for (int i = 1; i <= 9; i++) ManagedProcess.recorded("kafka-broker-" + i, run).ifPresent(found::add);
        ManagedProcess.recorded("kafka-controller", run).ifPresent(found::add);
        return found;
    }

    @Override
    public String bootstrapServers() {
        return java.util.Arrays.stream(brokerPorts).mapToObj(p -> Ports.LOOPBACK + ":" + p).collect(Collectors.joining(","));
    }

    @Override
    public int brokerCount() {
        return brokers;
    }

    @Override
    public void stopBroker(int index) {
        brokerProcesses.get(index).stop(Duration.ofSeconds(30));
    }

    @Override
    public void killBroker(int index) {
        brokerProcesses.get(index).kill();
    }

    /** SIGSTOP: the broker keeps its sockets and leadership claims but answers nothing until {@link #resumeBroker}. */
    public void pauseBroker(int index) {
        brokerProcesses.get(index).signal("STOP");
    }

    public void resumeBroker(int index) {
        brokerProcesses.get(index).signal("CONT");
    }

    @Override
    public void startBroker(int index) {
        brokerProcesses.get(index).start();
        awaitPort(brokerPorts[index], Duration.ofSeconds(60));
        awaitBrokers(brokers, Duration.ofSeconds(60));
    }

    @Override
    public void close() {
        for (ManagedProcess broker : brokerProcesses) broker.stop(Duration.ofSeconds(30));
        if (controller != null) controller.stop(Duration.ofSeconds(15));
    }

    private Path brokerDir(int index) {
        return baseDir.resolve("broker-" + (index + 1));
    }

    private String clusterId() {
        Path idFile = baseDir.resolve("cluster.id");
        try {
            Files.createDirectories(baseDir);
            if (Files.exists(idFile)) return Files.readString(idFile).trim();
            String id = Uuid.randomUuid().toString();
            Files.writeString(idFile, id);
            return id;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Properties common(Path dir) {
        int rf = Math.min(3, brokers);
        int minIsr = Math.min(2, Math.max(1, rf - 1));
        Properties p = new Properties();
        p.put("controller.quorum.voters", CONTROLLER_ID + "@" + Ports.LOOPBACK + ":" + controllerPort);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", dir.resolve("data").toString());
        p.put("auto.create.topics.enable", "false");
        p.put("default.replication.factor", Integer.toString(rf));
        p.put("min.insync.replicas", Integer.toString(minIsr));
        p.put("offsets.topic.replication.factor", Integer.toString(rf));
        p.put("transaction.state.log.replication.factor", Integer.toString(rf));
        p.put("transaction.state.log.min.isr", Integer.toString(minIsr));
        p.put("share.coordinator.state.topic.replication.factor", Integer.toString(rf));
        p.put("share.coordinator.state.topic.min.isr", Integer.toString(minIsr));
        p.put("group.initial.rebalance.delay.ms", "0");
        // Small segments and few threads: a laptop-sized cluster, not a production one.
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "4");
        p.put("log.segment.bytes", Integer.toString(64 * 1024 * 1024));
        return p;
    }

    private Properties controllerProperties(Path dir) {
        Properties p = common(dir);
        p.put("process.roles", "controller");
        p.put("node.id", Integer.toString(CONTROLLER_ID));
        p.put("listeners", "CONTROLLER://" + Ports.LOOPBACK + ":" + controllerPort);
        return p;
    }

    private Properties brokerProperties(int index, Path dir) {
        Properties p = common(dir);
        p.put("process.roles", "broker");
        p.put("node.id", Integer.toString(index + 1));
        p.put("listeners", "PLAINTEXT://" + Ports.LOOPBACK + ":" + brokerPorts[index]);
        p.put("advertised.listeners", "PLAINTEXT://" + Ports.LOOPBACK + ":" + brokerPorts[index]);
        p.put("inter.broker.listener.name", "PLAINTEXT");
        return p;
    }

    private static void writeProperties(Path dir, Properties props) {
        try {
            Files.createDirectories(dir);
            StringBuilder text = new StringBuilder("# written by the Waybill local platform; edits are overwritten on start\n");
            props.stringPropertyNames().stream().sorted().forEach(k -> text.append(k).append('=').append(props.getProperty(k)).append('\n'));
            Files.writeString(dir.resolve("server.properties"), text);
            Files.writeString(dir.resolve("log4j2.properties"), """
                    rootLogger.level = INFO
                    rootLogger.appenderRef.file.ref = file
                    appender.file.type = File
                    appender.file.name = file
                    appender.file.fileName = %s
                    appender.file.layout.type = PatternLayout
                    appender.file.layout.pattern = [%%d] %%p %%m (%%c)%%n
                    """.formatted(dir.resolve("server.log")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ManagedProcess node(String name, Path dir, Path libs) {
        List<String> command = new ArrayList<>(List.of(Jvm.java17(), "-Xms128m", "-Xmx512m", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20"));
        command.addAll(Jvm.processOptions());
        command.addAll(List.of("-Dlog4j2.configurationFile=" + dir.resolve("log4j2.properties"),
                "-cp", libs + "/*", "kafka.Kafka", dir.resolve("server.properties").toString()));
        return new ManagedProcess(name, command, Map.of(), runDir);
    }

    private void format(Path libs, String clusterId, List<Path> dirs) {
        for (Path dir : dirs) {
            try {
                Process p = new ProcessBuilder(Jvm.java17(), "-Xmx256m", "-cp", libs + "/*", "kafka.tools.StorageTool",
                        "format", "-t", clusterId, "-c", dir.resolve("server.properties").toString(), "--ignore-formatted")
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("format.log").toFile())
                        .start();
                if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    throw new IllegalStateException("formatting " + dir + " failed: " + Files.readString(dir.resolve("format.log")));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private static void awaitPort(int port, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!Ports.listening(port)) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("nothing listens on " + port + " after " + timeout);
            sleep(200);
        }
    }

    private void awaitBrokers(int expected, Duration timeout) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(props)) {
            while (true) {
                try {
                    int ready = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size();
                    if (ready >= expected) return;
                } catch (Exception notYet) {
                    // brokers still starting
                }
                for (int i = 0; i < brokerProcesses.size(); i++) {
                    ManagedProcess broker = brokerProcesses.get(i);
                    if (!broker.isAlive() && Files.exists(runDir.resolve(broker.name() + ".pid"))) {
                        throw new IllegalStateException(broker.name() + " exited during start:\n" + broker.tail(30));
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Kafka brokers not ready after " + timeout + "; see logs in " + runDir);
                }
                sleep(500);
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
