package io.waybill.testkit.chaos;

import io.waybill.contract.ShipmentEvent;
import io.waybill.testkit.bench.Traffic;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code scripts/chaos}: the whole system as processes on loopback under sustained load, a seeded
 * schedule of faults (kill -9 of brokers, engines, the gateway with a full spool, the registry; a
 * broker paused past its session timeout), then an invariant check of everything it wrote against
 * what was acknowledged and against a reference model; a report and a plot in benchmarks/results/.
 *
 * <pre>
 * scripts/chaos [--events N] [--rate R] [--seed S] [--short] [--engines N] [--gateway-share F]
 *               [--broker-kills N] [--engine-kills N] [--gateway-kills N] [--registry-kills N] [--broker-pauses N]
 *               [--out DIR] [--work DIR]
 * </pre>
 * Exit status 0 when every invariant held, 1 when one was broken, 2 for bad arguments.
 */
public final class ChaosRun {

    /** What a run does. The defaults are the headline profile; {@link #shortProfile()} the one the test suite runs. */
    public record Options(long events, double rate, long seed, int engines, double gatewayShare, Map<Fault.Kind, Integer> faults,
                          Path out, Path work, String label, long commitIntervalMs, String jvmOptions) {

        /**
         * The short profile's options for every JVM it starts: C1 only. With ten JVMs on two cores, C2
         * compilation took 36 % and C1 8 % of all CPU during the first six minutes of a run (per-thread
         * CPU from /proc), while the engines waited for brokers starved of CPU.
         */
        public static final String SMALL_MACHINE_JVM = "-XX:TieredStopAtLevel=1";

        /** The engines' Kafka Streams commit interval when none is given: production's (application.properties). */
        static final long PRODUCTION_COMMIT_INTERVAL = 100;

        public static Options headline() {
            return new Options(1_000_000, defaultRate(), 42, 3, 0.25, counts(10, 10, 10, 3, 3), Path.of("benchmarks", "results"),
                    null, "chaos", PRODUCTION_COMMIT_INTERVAL, "");
        }

        /**
         * At least 50,000 events and one fault of each kind. Every JVM of the system runs with C1 only
         * ({@link #SMALL_MACHINE_JVM}): a run of minutes on two cores is over before C2 compilation pays
         * for itself.
         */
        public static Options shortProfile() {
            return new Options(50_000, defaultRate(), 42, 3, 0.25, counts(1, 1, 1, 1, 1), Path.of("benchmarks", "results"),
                    null, "chaos-short", PRODUCTION_COMMIT_INTERVAL, SMALL_MACHINE_JVM);
        }

        static Map<Fault.Kind, Integer> counts(int brokerKills, int brokerPauses, int engineKills, int gatewayKills, int registryKills) {
            Map<Fault.Kind, Integer> m = new EnumMap<>(Fault.Kind.class);
            m.put(Fault.Kind.BROKER_KILL, brokerKills);
            m.put(Fault.Kind.BROKER_PAUSE, brokerPauses);
            m.put(Fault.Kind.ENGINE_KILL, engineKills);
            m.put(Fault.Kind.GATEWAY_KILL, gatewayKills);
            m.put(Fault.Kind.REGISTRY_KILL, registryKills);
            return m;
        }

        public Options withEvents(long n) {
            return new Options(n, rate, seed, engines, gatewayShare, faults, out, work, label, commitIntervalMs, jvmOptions);
        }

        public Options withRate(double eventsPerSecond) {
            return new Options(events, eventsPerSecond, seed, engines, gatewayShare, faults, out, work, label, commitIntervalMs, jvmOptions);
        }

        /** Where the report, plot and timeline go, and where the processes keep their data. */
        public Options in(Path out, Path work) {
            return new Options(events, rate, seed, engines, gatewayShare, faults, out, work, label, commitIntervalMs, jvmOptions);
        }

        public Options withCommitInterval(long ms) {
            return new Options(events, rate, seed, engines, gatewayShare, faults, out, work, label, ms, jvmOptions);
        }
    }

    /** The outcome: the checker's result, the availability figures' worst cases, the report's file. */
    public record Outcome(InvariantChecker.Result check, List<String> badPlannerReads, Path report) {
        public boolean passed() {
            return check.passed() && badPlannerReads.isEmpty();
        }

        public List<String> violations() {
            return check.violations();
        }

        /** What the checker counted (shipments compared, records read, ...). */
        public Map<String, Long> counts() {
            return check.counts();
        }
    }

    /** Half the engine's max throughput measured by the newest engine benchmark in benchmarks/results (by its stamp), else 100 events/s. */
    static double defaultRate() {
        Pattern engine = Pattern.compile("\\(b\\) engine:\\s+[\\d,]+ events in [\\d.]+ s = ([\\d,]+) events/s");
        Pattern stamp = Pattern.compile("\\d{8}T\\d{6}Z");
        try (var files = Files.list(io.waybill.testkit.RepoLayout.root().resolve("benchmarks").resolve("results"))) {
            // engine-<label>-<UTC stamp>.txt: the newest measurement by its stamp
            var newest = files.filter(f -> f.getFileName().toString().startsWith("engine-") && f.getFileName().toString().endsWith(".txt"))
                    .filter(f -> stamp.matcher(f.getFileName().toString()).find())
                    .max(java.util.Comparator.comparing(f -> {
                        Matcher m = stamp.matcher(f.getFileName().toString());
                        return m.find() ? m.group() : "";
                    }));
            if (newest.isPresent()) {
                Matcher m = engine.matcher(Files.readString(newest.get()));
                if (m.find()) return Math.max(100, Double.parseDouble(m.group(1).replace(",", "")) / 2);
            }
        } catch (IOException | RuntimeException ignored) {
            // not run from the repository's root: the default below
        }
        return 100;
    }

    public static void main(String[] args) throws Exception {
        Options o = Options.headline();
        Map<Fault.Kind, Integer> faults = new EnumMap<>(o.faults());
        long events = o.events();
        double rate = o.rate();
        long seed = o.seed();
        int engines = o.engines();
        double share = o.gatewayShare();
        Path out = o.out();
        Path work = null;
        String label = o.label();
        boolean rateGiven = false;
        long commitInterval = o.commitIntervalMs();
        String jvmOptions = o.jvmOptions();
        boolean jvmOptionsGiven = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            try {
                switch (a) {
                    case "--short" -> {
                        Options s = Options.shortProfile();
                        events = s.events();
                        faults = new EnumMap<>(s.faults());
                        label = s.label();
                        if (!rateGiven) rate = s.rate();
                        if (!jvmOptionsGiven) jvmOptions = s.jvmOptions();
                    }
                    case "--events" -> events = Long.parseLong(args[++i].replace("_", ""));
                    case "--rate" -> {
                        rate = Double.parseDouble(args[++i]);
                        rateGiven = true;
                    }
                    case "--seed" -> seed = Long.parseLong(args[++i]);
                    case "--engines" -> engines = Integer.parseInt(args[++i]);
                    case "--gateway-share" -> share = Double.parseDouble(args[++i]);
                    case "--broker-kills" -> faults.put(Fault.Kind.BROKER_KILL, Integer.parseInt(args[++i]));
                    case "--broker-pauses" -> faults.put(Fault.Kind.BROKER_PAUSE, Integer.parseInt(args[++i]));
                    case "--engine-kills" -> faults.put(Fault.Kind.ENGINE_KILL, Integer.parseInt(args[++i]));
                    case "--gateway-kills" -> faults.put(Fault.Kind.GATEWAY_KILL, Integer.parseInt(args[++i]));
                    case "--registry-kills" -> faults.put(Fault.Kind.REGISTRY_KILL, Integer.parseInt(args[++i]));
                    case "--out" -> out = Path.of(args[++i]);
                    case "--commit-interval-ms" -> commitInterval = Long.parseLong(args[++i]);
                    case "--work" -> work = Path.of(args[++i]);
                    case "--jvm-options" -> {
                        jvmOptions = args[++i];
                        jvmOptionsGiven = true;
                    }
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            } catch (RuntimeException e) {
                System.err.println(e.getMessage() + " (see the top of scripts/chaos)");
                System.exit(2);
            }
        }
        Outcome outcome = run(new Options(events, rate, seed, engines, share, faults, out, work, label, commitInterval, jvmOptions), System.out::println);
        System.exit(outcome.passed() ? 0 : 1);
    }

    public static Outcome run(Options o, java.util.function.Consumer<String> progress) throws Exception {
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(Instant.now());
        Path work = o.work() != null ? o.work() : Path.of("target", "chaos-" + stamp);
        Files.createDirectories(work);
        Files.createDirectories(o.out());
        Duration loadFor = Duration.ofMillis((long) (o.events() * 1000 / o.rate()));
        FaultSchedule schedule = FaultSchedule.draw(o.seed(), o.faults(), loadFor, 3, o.engines());
        String header = String.format(Locale.ROOT, "# Waybill chaos run (%s)%ndate: %s%nmachine: %d cores, load average %s at the start%n"
                        + "system: 3 broker processes + 1 controller (RF 3, min ISR 2), Apicurio Registry (H2 on disk), %d engine instances "
                        + "(exactly_once_v2, standby replicas 1), gateway, planner-api; each its own JVM on 127.0.0.1%n"
                        + "options: --events %,d --rate %.0f --seed %d --gateway-share %.2f --commit-interval-ms %d --jvm-options '%s' (load for about %d s)%n"
                        + "replay: scripts/chaos --events %d --rate %.0f --seed %d --commit-interval-ms %d --jvm-options '%s' %s%n",
                o.label(), Instant.now(), Runtime.getRuntime().availableProcessors(), loadAverage(), o.engines(), o.events(), o.rate(), o.seed(),
                o.gatewayShare(), o.commitIntervalMs(), o.jvmOptions(), loadFor.toSeconds(), o.events(), o.rate(), o.seed(), o.commitIntervalMs(),
                o.jvmOptions(), faultArgs(o.faults()));
        progress.accept(header);
        progress.accept(schedule.describe());

        // Half as much again as asked for: the load goes on while faults are still to come (see ChaosLoad).
        List<ShipmentEvent> traffic = new Traffic(o.seed(), "SHP-" + o.seed() + "-", Instant.now(), Duration.ofMillis(1), 2_000)
                .generate(o.events() * 3 / 2);
        // Ctrl-C or a killed run must not leave brokers and engines behind: everything recorded under the work dir goes.
        Path absoluteWork = work.toAbsolutePath();
        Thread cleanup = new Thread(() -> stopEverything(absoluteWork), "chaos-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        // Every process the run starts (and restarts) gets the profile's JVM options; the property is put back afterwards.
        String jvmOptionsBefore = System.getProperty(io.waybill.testkit.Jvm.PROCESS_OPTIONS);
        System.setProperty(io.waybill.testkit.Jvm.PROCESS_OPTIONS, o.jvmOptions());
        try (ChaosSystem system = ChaosSystem.start(absoluteWork, o.engines(),
                Map.of("kafka-streams.commit.interval.ms", Long.toString(o.commitIntervalMs())), progress)) {
            FaultInjector[] faultsRef = new FaultInjector[1];
            ChaosLoad load = new ChaosLoad(traffic, o.events(), () -> faultsRef[0] == null || faultsRef[0].pending(), o.rate(), o.gatewayShare(), 250, 10_000, o.seed(),
                    system.kafka.bootstrapServers(), system.registry.apiUrl(), system.services.gateway().url(), progress);
            try (Observer observer = new Observer(system.kafka.bootstrapServers(), system.registry.apiUrl(), "waybill-engine",
                    system.services.plannerApi().url(), system.services.token("viewer"), load::firstSentMs).start()) {
                long started = System.currentTimeMillis();
                load.start();
                java.util.Set<Integer> underFault = Supervisor.newFaultSet();
                FaultInjector faults = new FaultInjector(system, schedule, load::spooledByGateway, started, underFault, progress);
                faultsRef[0] = faults;
                faults.start();
                Supervisor supervisor = new Supervisor(system, underFault, progress).start();
                long lastReport = 0;
                while (load.generating()) {
                    Thread.sleep(1_000);
                    if (System.currentTimeMillis() - lastReport > 30_000) {
                        lastReport = System.currentTimeMillis();
                        progress.accept(String.format("+%ds: %,d sent, %,d acknowledged, lag %,d", (lastReport - started) / 1000, load.sends(),
                                load.acknowledged(), observer.lagNow()));
                    }
                }
                faults.awaitDone(Duration.ofMinutes(30));
                Instant settled = settle(load, observer, Math.round(o.rate()), progress);
                supervisor.close();
                InvariantChecker.Result check = new InvariantChecker(system.kafka.bootstrapServers(), system.registry.apiUrl(),
                        system.services.engine(0).url(), system.services.engineAuthorization())
                        .check(load.acknowledgedByShipment(), load.uncertainShipments(), load.stalled(), settled.minusSeconds(10), load.poisons());
                load.close();
                String name = o.label() + "-" + stamp;
                Path svg = o.out().resolve(name + ".svg");
                ChaosReport.svg(svg, observer, faults.windows(), started, "Waybill chaos run " + stamp + ": " + String.format("%,d", o.events())
                        + " events, " + schedule.faults().size() + " faults");
                ChaosReport.csv(o.out().resolve(name + ".csv"), observer, started);
                String text = ChaosReport.text(header, load, schedule, faults.windows(), observer, check, started, svg.getFileName().toString());
                List<Supervisor.Restart> restarts = supervisor.restarts();
                text += String.format("%nsupervisor (the chart's liveness probe: every %ds, %d failures): %d restart(s)%n", Supervisor.PERIOD.toSeconds(),
                        Supervisor.FAILURE_THRESHOLD, restarts.size());
                for (Supervisor.Restart r : restarts) {
                    text += String.format(Locale.ROOT, "  +%.0fs engine %d: %s%n", (r.atMs() - started) / 1000.0, r.engine() + 1, r.why());
                }
                List<String> bad = ChaosReport.badReads(observer.reads(), started);
                if (!bad.isEmpty()) {
                    text += "\nplanner-api: " + bad.size() + " read(s) answered with a 5xx other than 503 or not within " + Observer.HANG.toSeconds() + " s:\n  "
                            + String.join("\n  ", bad) + "\n";
                }
                Path report = o.out().resolve(name + ".txt");
                Files.writeString(report, text);
                progress.accept(text);
                progress.accept("report: " + report.toAbsolutePath());
                Runtime.getRuntime().removeShutdownHook(cleanup);
                return new Outcome(check, bad, report);
            }
        } finally {
            if (jvmOptionsBefore == null) System.clearProperty(io.waybill.testkit.Jvm.PROCESS_OPTIONS);
            else System.setProperty(io.waybill.testkit.Jvm.PROCESS_OPTIONS, jvmOptionsBefore);
        }
    }

    /**
     * Waits until every event is acknowledged and the engine has consumed everything (lag 0 three times
     * running), then until the last stalled shipment's promise has passed; returns when it settled.
     */
    private static Instant settle(ChaosLoad load, Observer observer, long rate, java.util.function.Consumer<String> progress) throws InterruptedException {
        // A loaded two-core machine drained a short profile's backlog in 7 minutes; a slower one gets three times that.
        long deadline = System.currentTimeMillis() + SETTLE_WITHIN.toMillis();
        int zeros = 0;
        while (System.currentTimeMillis() < deadline && (zeros < 3 || load.unacknowledged() > 0)) {
            Thread.sleep(2_000);
            observer.check();
            long lag = observer.lagNow();
            zeros = lag == 0 ? zeros + 1 : 0;
        }
        // Every booking is processed now: the last breach is detected by its promise at the latest, and escalates after that.
        Instant lastPromise = load.stalled().stream().map(ChaosLoad.Stalled::promise).max(Instant::compareTo).orElse(Instant.EPOCH);
        Instant now = Instant.now();
        Instant until = (lastPromise.isAfter(now) ? lastPromise : now).plus(ChaosLoad.ESCALATION).plusSeconds(15);
        Thread.sleep(Math.max(0, Duration.between(now, until).toMillis()));
        long lag = observer.lagNow();
        progress.accept(String.format("settled: %,d unacknowledged, lag %,d", load.unacknowledged(), lag));
        if (lag != 0 || load.unacknowledged() > 0) {
            throw new IllegalStateException("the system did not settle within " + SETTLE_WITHIN + ": " + load.unacknowledged()
                    + " event(s) never acknowledged, engine lag " + lag + "; the check would report what is merely late as lost");
        }
        return Instant.now();
    }

    /** Kills every process a run recorded under its work dir (brokers, controller, registry, services). */
    private static void stopEverything(Path work) {
        Supervisor.haltAll();
        killRecorded(work);
        // A restart the supervisor had begun before the halt may have started its process since: a second sweep.
        try {
            Thread.sleep(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        killRecorded(work);
    }

    private static void killRecorded(Path work) {
        List<io.waybill.testkit.ManagedProcess> processes = new java.util.ArrayList<>(io.waybill.testkit.ProcessKafkaCluster.recordedProcesses(work.resolve("kafka")));
        for (String name : List.of("registry", "gateway", "planner-api", "engine-1", "engine-2", "engine-3", "engine-4", "engine-5")) {
            io.waybill.testkit.ManagedProcess.recorded(name, work.resolve("run")).ifPresent(processes::add);
        }
        processes.forEach(io.waybill.testkit.ManagedProcess::kill);
    }

    /** How long the engine may take to consume everything after the load and the faults are over. */
    static final Duration SETTLE_WITHIN = Duration.ofMinutes(20);

    private static String faultArgs(Map<Fault.Kind, Integer> f) {
        return String.format("--broker-kills %d --broker-pauses %d --engine-kills %d --gateway-kills %d --registry-kills %d",
                f.getOrDefault(Fault.Kind.BROKER_KILL, 0), f.getOrDefault(Fault.Kind.BROKER_PAUSE, 0), f.getOrDefault(Fault.Kind.ENGINE_KILL, 0),
                f.getOrDefault(Fault.Kind.GATEWAY_KILL, 0), f.getOrDefault(Fault.Kind.REGISTRY_KILL, 0));
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "?";
        }
    }

    private ChaosRun() {
    }
}
