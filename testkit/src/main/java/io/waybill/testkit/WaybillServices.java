package io.waybill.testkit;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Starts the packaged Waybill services against a cluster and a registry, each as its own process:
 * the same wiring for scripts/run-local (fixed ports) and the system tests (free ports).
 */
public final class WaybillServices {

    /**
     * The gateway's development source: local runs and system tests post with this key in
     * {@code X-Api-Key}. Known to everyone, so never registered outside these processes.
     */
    public static final String DEV_SOURCE = "dev";
    public static final String DEV_API_KEY = "waybill-dev-key";

    /** Ports of the services; engine i (0-based) listens on {@code enginePorts[i]}. */
    public record Ports(int plannerApi, int gateway, int[] enginePorts) {
        public static Ports standard(int engines) {
            int[] ports = new int[engines];
            for (int i = 0; i < engines; i++) ports[i] = 8082 + i;
            return new Ports(8080, 8081, ports);
        }

        public static Ports free(int engines) {
            int[] ports = new int[engines];
            for (int i = 0; i < engines; i++) ports[i] = io.waybill.testkit.Ports.free();
            return new Ports(io.waybill.testkit.Ports.free(), io.waybill.testkit.Ports.free(), ports);
        }
    }

    private static final Duration READY_WITHIN = Duration.ofSeconds(180);

    private final String bootstrapServers;
    private final String registryApiUrl;
    private final int brokers;
    private final Ports ports;
    private final Path workDir;
    private final Consumer<String> progress;
    private final List<ServiceProcess> engines = new ArrayList<>();
    private final Map<String, String> engineConfig;
    private final DevTokens devTokens;
    private final String engineApiToken;
    private ServiceProcess gateway;
    private ServiceProcess plannerApi;
    private ManagedProcess simulator;

    public WaybillServices(String bootstrapServers, String registryApiUrl, int brokers, Ports ports, Path workDir,
                           Consumer<String> progress) {
        this(bootstrapServers, registryApiUrl, brokers, ports, workDir, Map.of(), progress);
    }

    /** @param engineConfig settings every engine instance gets on top of the ones made here (e.g. Kafka Streams tuning) */
    public WaybillServices(String bootstrapServers, String registryApiUrl, int brokers, Ports ports, Path workDir,
                           Map<String, String> engineConfig, Consumer<String> progress) {
        this.engineConfig = Map.copyOf(engineConfig);
        this.bootstrapServers = bootstrapServers;
        this.registryApiUrl = registryApiUrl;
        this.brokers = brokers;
        this.ports = ports;
        this.workDir = workDir.toAbsolutePath();
        this.progress = progress;
        this.devTokens = DevTokens.ensure(this.workDir.resolve("auth"));
        this.engineApiToken = EngineApiToken.ensure(this.workDir.resolve("auth"));
        for (int i = 0; i < ports.enginePorts().length; i++) engines.add(engineProcess(i));
    }

    private Path runDir() {
        return workDir.resolve("run");
    }

    private ServiceProcess engineProcess(int index) {
        int rf = Math.min(3, brokers);
        Map<String, String> config = new HashMap<>();
        config.put("quarkus.kafka-streams.bootstrap-servers", bootstrapServers);
        config.put("waybill.registry.url", registryApiUrl);
        config.put("waybill.engine.state-dir", workDir.resolve("engine-" + (index + 1)).resolve("state").toString());
        config.put("waybill.engine.replication-factor", Integer.toString(rf));
        config.put("waybill.engine.min-insync-replicas", Integer.toString(Math.min(2, Math.max(1, rf - 1))));
        config.put("waybill.engine.api-token", engineApiToken);
        config.putAll(engineConfig);
        // "{n}" in a setting is the instance's number (e.g. waybill.engine.instance-id=engine-{n} for static membership)
        config.replaceAll((k, v) -> v.replace("{n}", Integer.toString(index + 1)));
        return new ServiceProcess("engine-" + (index + 1), "engine", ports.enginePorts()[index], config,
                List.of("-Xms128m", "-Xmx512m"), runDir());
    }

    /** Starts engines, gateway and planner-api all at once (the engines' group forms once), then waits for each. */
    public WaybillServices startAll() {
        // Every process starts at once and is then waited for: on two cores their start-ups overlap
        // (most of it is waiting on the brokers), instead of adding up.
        Instant started = Instant.now();
        engines.forEach(e -> e.process().start());
        progress.accept("starting " + engines.size() + " engine instance(s) on " + engineUrls());
        gateway = new ServiceProcess("gateway", "gateway", ports.gateway(), Map.of(
                "kafka.bootstrap.servers", bootstrapServers,
                "waybill.registry.url", registryApiUrl,
                "waybill.gateway.spool-dir", workDir.resolve("gateway-spool").toString(),
                "waybill.gateway.sources." + DEV_SOURCE + ".api-key-hash", sha256Hex(DEV_API_KEY),
                "waybill.gateway.sources." + DEV_SOURCE + ".facilities", "*"), List.of("-Xms64m", "-Xmx384m"), runDir());
        gateway.process().start();
        progress.accept("starting gateway on " + gateway.url());
        Map<String, String> plannerConfig = new HashMap<>(devTokens.plannerApiConfig()); // verifies the development tokens
        plannerConfig.put("waybill.engine.urls", engineUrls());
        plannerConfig.put("waybill.engine.api-token", engineApiToken);
        plannerConfig.put("kafka.bootstrap.servers", bootstrapServers);
        plannerConfig.put("waybill.registry.url", registryApiUrl);
        plannerApi = new ServiceProcess("planner-api", "planner-api", ports.plannerApi(), plannerConfig,
                List.of("-Xms64m", "-Xmx256m"), runDir());
        plannerApi.process().start();
        progress.accept("starting planner-api on " + plannerApi.url());
        List<ServiceProcess> all = new ArrayList<>(engines);
        all.add(gateway);
        all.add(plannerApi);
        for (ServiceProcess service : all) {
            service.awaitReady(READY_WITHIN);
            progress.accept(service.process().name() + " ready after " + Duration.between(started, Instant.now()).toMillis() / 1000.0 + " s");
        }
        return this;
    }

    /** The gateway stores only the SHA-256 of a source's key. */
    private static String sha256Hex(String key) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(key.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The development key pair the planner-api trusts ({@code <workDir>/auth}). */
    public DevTokens devTokens() {
        return devTokens;
    }

    /** A planner-api bearer token for {@code role} (viewer, planner, admin), subject dev-ROLE, valid for an hour. */
    public String token(String role) {
        return devTokens.mint(role, "dev-" + role, Duration.ofHours(1));
    }

    /** The engines' service token: what the planner-api sends, and what a test or a benchmark needs to ask an engine itself. */
    public String engineApiToken() {
        return engineApiToken;
    }

    /** The {@code Authorization} header's value for a call straight to an engine. */
    public String engineAuthorization() {
        return "Bearer " + engineApiToken;
    }

    public String engineUrls() {
        return engines.stream().map(ServiceProcess::url).collect(Collectors.joining(","));
    }

    public ServiceProcess engine(int index) {
        return engines.get(index);
    }

    public int engineCount() {
        return engines.size();
    }

    public ServiceProcess gateway() {
        return gateway;
    }

    public ServiceProcess plannerApi() {
        return plannerApi;
    }

    /** Restarts engine {@code index} after a stop or kill, and waits until it is ready. */
    public void restartEngine(int index) {
        ServiceProcess engine = engines.get(index);
        engine.start(READY_WITHIN, progress);
    }

    /** The simulator publishing straight to Kafka; {@code duration} PT0S runs until stopped. */
    public ManagedProcess startSimulator(double shipmentsPerSecond, Duration duration, double speedup) {
        List<String> command = List.of(Jvm.java17(), "-Xms32m", "-Xmx256m", "-jar", RepoLayout.serviceJar("simulator").toString(),
                "--bootstrap-servers", bootstrapServers, "--registry-url", registryApiUrl,
                "--rate", Double.toString(shipmentsPerSecond), "--duration", duration.toString(),
                "--speedup", Double.toString(speedup));
        simulator = new ManagedProcess("simulator", command, Map.of(), runDir()).start();
        progress.accept("simulator started (" + shipmentsPerSecond + " shipments/s), log: " + simulator.logFile());
        return simulator;
    }

    /** Stops everything this instance started, simulator first, engines last. */
    public void stopAll() {
        if (simulator != null) simulator.stop(Duration.ofSeconds(10));
        if (plannerApi != null) plannerApi.stop();
        if (gateway != null) gateway.stop();
        engines.parallelStream().forEach(ServiceProcess::stop);
    }
}
