package io.waybill.testkit;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/** A packaged Waybill service (Quarkus fast-jar) as a process on 127.0.0.1, ready when its readiness check is UP. */
public final class ServiceProcess {

    private final String name;
    private final int port;
    private final ManagedProcess process;

    /**
     * @param service the folder under services/ (engine, gateway, planner-api, simulator)
     * @param config  Quarkus/MicroProfile config passed as system properties
     */
    public ServiceProcess(String name, String service, int port, Map<String, String> config, List<String> jvmOptions, Path runDir) {
        this.name = name;
        this.port = port;
        Map<String, String> all = new TreeMap<>(config);
        all.put("quarkus.http.host", Ports.LOOPBACK);
        all.put("quarkus.http.port", Integer.toString(port));
        List<String> command = new ArrayList<>();
        command.add(Jvm.java17());
        command.addAll(jvmOptions);
        command.addAll(Jvm.processOptions());
        Map<String, String> environment = new TreeMap<>();
        all.forEach((k, v) -> {
            // A secret on the command line is readable by every user of the host (ps); the environment only by its owner.
            if (isSecret(k)) environment.put(environmentName(k), v);
            else command.add("-D" + k + "=" + v);
        });
        command.add("-jar");
        command.add(RepoLayout.serviceJar(service).toString());
        this.process = new ManagedProcess(name, command, environment, runDir);
    }

    static boolean isSecret(String key) {
        return key.matches(".*(token|tokens|secret|password)$");
    }

    /** MicroProfile Config's environment name of a property: waybill.engine.api-token is WAYBILL_ENGINE_API_TOKEN. */
    static String environmentName(String key) {
        return key.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(java.util.Locale.ROOT);
    }

    public String url() {
        return "http://" + Ports.LOOPBACK + ":" + port;
    }

    public int port() {
        return port;
    }

    public ManagedProcess process() {
        return process;
    }

    public ServiceProcess start(Duration readyWithin, Consumer<String> progress) {
        Instant started = Instant.now();
        progress.accept("starting " + name + " on " + url());
        process.start();
        awaitReady(readyWithin);
        progress.accept(name + " ready in " + Duration.between(started, Instant.now()).toMillis() / 1000.0 + " s");
        return this;
    }

    public void awaitReady(Duration timeout) {
        process.awaitHttpReady(URI.create(url() + "/q/health/ready"), timeout);
    }

    public void stop() {
        process.stop(Duration.ofSeconds(30));
    }

    public void kill() {
        process.kill();
    }
}
