package io.waybill.testkit;

import io.waybill.topology.provisioning.ProvisionTopics;
import io.waybill.topology.workflow.PublishWorkflows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * The whole system on one machine, without Docker, behind {@code scripts/run-local}:
 * a KRaft cluster (one process per broker), Apicurio Registry, topic provisioning, engines,
 * gateway, planner-api and the simulator. Everything binds 127.0.0.1 and keeps its data under
 * {@code .local/}, so a second start reuses it. The planner-api trusts a development key pair made in
 * {@code .local/auth} on first start; a token per role is printed and written to {@code .local/tokens}.
 *
 * <pre>
 * start [--brokers N] [--engines N] [--rate R] [--no-simulator]   run in the foreground until Ctrl-C
 * stop                                                           stop what a start left running
 * status                                                         list the platform's processes
 * broker stop|kill|start N      engine stop|kill|start N         chaos on one process (kill = SIGKILL)
 * </pre>
 */
public final class LocalPlatform {

    private static final Instant STARTED = Instant.now();
    /** How long the printed development tokens are valid. */
    private static final Duration TOKEN_VALIDITY = Duration.ofHours(12);

    private final Path home;

    private LocalPlatform(Path home) {
        this.home = home;
    }

    public static void main(String[] args) throws Exception {
        Path home = RepoLayout.root().resolve(".local");
        LocalPlatform platform = new LocalPlatform(home);
        String command = args.length == 0 ? "start" : args[0];
        int code = switch (command) {
            case "start" -> platform.start(args);
            case "stop" -> platform.stop();
            case "status" -> platform.status();
            case "broker" -> platform.chaos("kafka-broker-", args);
            case "engine" -> platform.chaos("engine-", args);
            default -> {
                System.err.println("unknown command " + command + "; use start, stop, status, broker or engine");
                yield 2;
            }
        };
        System.exit(code);
    }

    private static void progress(String message) {
        System.out.printf("[%6.1fs] %s%n", Duration.between(STARTED, Instant.now()).toMillis() / 1000.0, message);
    }

    private int start(String[] args) throws Exception {
        int brokers = 3;
        int engineCount = 1;
        double rate = 5;
        boolean simulator = true;
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--brokers" -> brokers = Integer.parseInt(args[++i]);
                case "--engines" -> engineCount = Integer.parseInt(args[++i]);
                case "--rate" -> rate = Double.parseDouble(args[++i]);
                case "--no-simulator" -> simulator = false;
                default -> {
                    System.err.println("unknown option " + args[i]);
                    return 2;
                }
            }
        }
        if (brokers != 1 && brokers != 3) {
            System.err.println("--brokers must be 1 or 3");
            return 2;
        }
        WaybillServices.Ports ports = WaybillServices.Ports.standard(engineCount);
        List<Integer> wanted = new ArrayList<>(List.of(8080, 8081, 8085, 8086, 9099));
        for (int p : ports.enginePorts()) wanted.add(p);
        for (int b = 0; b < brokers; b++) wanted.add(9092 + b);
        List<Integer> busy = wanted.stream().filter(Ports::listening).toList();
        if (!busy.isEmpty()) {
            System.err.println("ports " + busy + " are in use on 127.0.0.1: is the platform already running? (scripts/run-local stop)");
            return 1;
        }
        if (brokers == 1 && Files.exists(home.resolve("kafka/broker-2"))) {
            System.err.println(".local/kafka was made for 3 brokers; run 'scripts/run-local clean' before --brokers 1");
            return 1;
        }
        if (brokers == 3 && Files.exists(home.resolve("kafka/broker-1")) && !Files.exists(home.resolve("kafka/broker-2"))) {
            System.err.println(".local/kafka was made for 1 broker; run 'scripts/run-local clean' before --brokers 3");
            return 1;
        }

        ProcessKafkaCluster kafka = new ProcessKafkaCluster(home.resolve("kafka"), brokers, ProcessKafkaCluster.Layout.standard(),
                LocalPlatform::progress);
        RegistryProcess registry = new RegistryProcess(8085, 8086, home.resolve("run"), home.resolve("registry"));
        WaybillServices services = new WaybillServices(kafka.bootstrapServers(), registry.apiUrl(), brokers, ports, home,
                LocalPlatform::progress);
        Files.createDirectories(home.resolve("run"));
        Files.writeString(home.resolve("run/platform.pid"), Long.toString(ProcessHandle.current().pid()));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            progress("stopping the platform ...");
            services.stopAll();
            registry.close();
            kafka.close();
            progress("stopped");
            stopped.countDown();
        }, "local-platform-stop"));

        kafka.start();
        registry.start(LocalPlatform::progress);
        progress("provisioning topics from the catalogue (max replication " + brokers + ")");
        int provisioned = ProvisionTopics.run(new String[]{"--bootstrap-servers", kafka.bootstrapServers(),
                "--max-replication-factor", Integer.toString(brokers)});
        if (provisioned != 0) {
            System.err.println("topic provisioning failed (exit " + provisioned + ")");
            return provisioned;
        }
        progress("publishing the built-in workflow definitions");
        if (PublishWorkflows.run(new String[]{"--bootstrap-servers", kafka.bootstrapServers(), "--registry-url", registry.apiUrl(),
                "--by", "run-local"}) != 0) {
            System.err.println("publishing the workflows failed");
            return 1;
        }
        progress("publishing the seed network (facilities and lanes)");
        if (io.waybill.topology.routing.PublishNetwork.run(new String[]{"--bootstrap-servers", kafka.bootstrapServers(),
                "--registry-url", registry.apiUrl()}) != 0) {
            System.err.println("publishing the network failed");
            return 1;
        }
        services.startAll();
        if (simulator) services.startSimulator(rate, Duration.ZERO, 3600);
        Path tokensDir = home.resolve("tokens");
        var tokens = services.devTokens().writeRoleTokens(tokensDir, TOKEN_VALIDITY);

        System.out.println();
        System.out.println("Waybill is running (started in " + Duration.between(STARTED, Instant.now()).toSeconds() + " s):");
        System.out.println("  planner-api   " + services.plannerApi().url() + "/api/v1/shipments/{id}   (OpenAPI: /q/openapi; bearer token below)");
        System.out.println("  gateway       " + services.gateway().url() + "/api/v1/events   (header X-Api-Key: " + WaybillServices.DEV_API_KEY + ")");
        for (int i = 0; i < services.engineCount(); i++) {
            System.out.println("  engine-" + (i + 1) + "      " + services.engine(i).url() + "/internal/shipments/{id}"
                    + (i == 0 ? "   (internal; header Authorization: Bearer $(cat " + home.resolve("auth").resolve(EngineApiToken.FILE) + "))" : ""));
        }
        System.out.println("  registry      " + registry.baseUrl() + "   (Confluent API: " + registry.confluentApiUrl() + ")");
        System.out.println("  kafka         " + kafka.bootstrapServers());
        System.out.println("  health        /q/health on each service, metrics /q/metrics");
        System.out.println("  logs          " + home.resolve("run"));
        System.out.println();
        System.out.println("Planner-api tokens (issuer " + DevTokens.ISSUER + ", valid " + TOKEN_VALIDITY.toHours() + " h, also in " + tokensDir
                + "/<role>.jwt; more with scripts/mint-token <role>):");
        tokens.forEach((role, token) -> System.out.println("  " + role + "  " + token));
        System.out.println("  e.g. curl -H \"Authorization: Bearer $(cat .local/tokens/viewer.jwt)\" " + services.plannerApi().url()
                + "/api/v1/shipments?limit=5");
        System.out.println("Ctrl-C (or scripts/run-local stop) stops everything.");
        stopped.await();
        return 0;
    }

    private List<ManagedProcess> recorded() {
        Path run = home.resolve("run");
        List<ManagedProcess> all = new ArrayList<>();
        for (String name : List.of("simulator", "planner-api", "gateway", "engine-1", "engine-2", "engine-3", "registry")) {
            ManagedProcess.recorded(name, run).ifPresent(all::add);
        }
        all.addAll(ProcessKafkaCluster.recordedProcesses(home.resolve("kafka")));
        return all;
    }

    private int stop() throws Exception {
        // The foreground 'start' stops its children in its shutdown hook: ask it first.
        Path platformPid = home.resolve("run/platform.pid");
        if (Files.exists(platformPid)) {
            Optional<ProcessHandle> platform = ProcessHandle.of(Long.parseLong(Files.readString(platformPid).trim()))
                    .filter(h -> h.info().command().map(c -> c.contains("java")).orElse(false));
            if (platform.isPresent() && platform.get().isAlive()) {
                progress("stopping the platform (pid " + platform.get().pid() + ")");
                platform.get().destroy();
                try {
                    platform.get().onExit().get(120, java.util.concurrent.TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    platform.get().destroyForcibly();
                }
            }
            Files.deleteIfExists(platformPid);
        }
        for (ManagedProcess p : recorded()) {
            if (p.isAlive()) {
                progress("stopping " + p.name() + " (pid " + p.pid().orElse(-1L) + ")");
                p.stop(Duration.ofSeconds(30));
            }
        }
        progress("nothing of the platform is running");
        return 0;
    }

    private int status() {
        for (ManagedProcess p : recorded()) {
            System.out.printf("%-18s %s%n", p.name(), p.isAlive() ? "running (pid " + p.pid().orElse(-1L) + ")" : "stopped");
        }
        return 0;
    }

    private int chaos(String prefix, String[] args) {
        if (args.length != 3) {
            System.err.println("usage: " + args[0] + " stop|kill|start N");
            return 2;
        }
        String name = prefix + args[2];
        Path run = prefix.startsWith("kafka") ? home.resolve("kafka/run") : home.resolve("run");
        Optional<ManagedProcess> process = ManagedProcess.recorded(name, run);
        if (process.isEmpty()) {
            System.err.println("no " + name + " was started here");
            return 1;
        }
        ManagedProcess p = process.get();
        switch (args[1]) {
            case "stop" -> p.stop(Duration.ofSeconds(30));
            case "kill" -> p.kill();
            case "start" -> {
                if (p.isAlive()) {
                    System.err.println(name + " is already running");
                    return 1;
                }
                p.start();
            }
            default -> {
                System.err.println("usage: " + args[0] + " stop|kill|start N");
                return 2;
            }
        }
        progress(name + ": " + args[1] + " done" + (args[1].equals("start") ? " (log: " + p.logFile() + ")" : ""));
        return 0;
    }
}
