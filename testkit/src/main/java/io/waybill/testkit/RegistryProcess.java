package io.waybill.testkit;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Apicurio Registry 3 (the prebuilt app from Maven Central) as a process on 127.0.0.1. Storage is
 * an H2 file in {@code dataDir} when given, so schema ids survive a restart as the Kafka data does;
 * in memory otherwise.
 */
public final class RegistryProcess implements SchemaRegistry {

    private final int port;
    private final int managementPort;
    private final ManagedProcess process;

    public RegistryProcess(int port, int managementPort, Path runDir, Path dataDir) {
        this.port = port;
        this.managementPort = managementPort;
        List<String> command = new ArrayList<>(List.of(
                Jvm.java21OrNewer(), "-Xms64m", "-Xmx384m",
                "-Dquarkus.http.host=" + Ports.LOOPBACK, "-Dquarkus.http.port=" + port,
                "-Dquarkus.management.host=" + Ports.LOOPBACK, "-Dquarkus.management.port=" + managementPort,
                "-Dquarkus.log.console.format=%d{HH:mm:ss} %-5p [%c{2.}] %s%e%n"));
        command.addAll(1, Jvm.processOptions());
        if (dataDir != null) {
            command.add("-Dapicurio.storage.kind=sql");
            command.add("-Dapicurio.storage.sql.kind=h2");
            command.add("-Dapicurio.datasource.url=jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("registry"));
        }
        command.add("-jar");
        command.add(RepoLayout.registryHome().resolve("quarkus-run.jar").toString());
        this.process = new ManagedProcess("registry", command, Map.of(), runDir);
    }

    public RegistryProcess start(Consumer<String> progress) {
        Instant started = Instant.now();
        progress.accept("starting Apicurio Registry on 127.0.0.1:" + port);
        process.start();
        awaitReady(Duration.ofSeconds(90));
        progress.accept("Apicurio Registry ready in " + Duration.between(started, Instant.now()).toMillis() / 1000.0 + " s");
        return this;
    }

    @Override
    public String baseUrl() {
        return "http://" + Ports.LOOPBACK + ":" + port;
    }

    public ManagedProcess process() {
        return process;
    }

    @Override
    public void close() {
        process.stop(Duration.ofSeconds(15));
    }

    private void awaitReady(Duration timeout) {
        process.awaitHttpReady(URI.create("http://" + Ports.LOOPBACK + ":" + managementPort + "/health/ready"), timeout);
    }
}
