package io.waybill.testkit.chaos;

import io.waybill.testkit.ServiceProcess;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * What Kubernetes does for the Helm chart's engines: a liveness check every 10 s, and after 6 failures
 * in a row (the chart's engine.livenessProbe) the process is killed and started again; a process that
 * exited is started again at once. Every restart is a finding the report lists: the system needed an
 * orchestrator's help, and nothing the faults did should have been lost in between.
 */
final class Supervisor implements AutoCloseable {

    /** A restart the supervisor made: when, which engine, why. */
    record Restart(long atMs, int engine, String why) {
    }

    static final Duration PERIOD = Duration.ofSeconds(10);
    static final int FAILURE_THRESHOLD = 6;

    private final ChaosSystem system;
    private final Set<Integer> underFault;
    private final Consumer<String> progress;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Map<Integer, Integer> failures = new HashMap<>();
    private final List<Restart> restarts = java.util.Collections.synchronizedList(new ArrayList<>());
    private final Thread thread;
    private volatile boolean stop;
    /** Set by the run's shutdown hook (Ctrl-C, SIGTERM): a supervisor must not start an engine the hook has just killed. */
    private static volatile boolean halted;

    /** @param underFault engines (by index) a fault is working on, and -1 while every broker is down: left alone meanwhile */
    Supervisor(ChaosSystem system, Set<Integer> underFault, Consumer<String> progress) {
        this.system = system;
        this.underFault = underFault;
        this.progress = progress;
        this.thread = new Thread(this::run, "chaos-supervisor");
        thread.setDaemon(true);
    }

    /** Stops every supervisor in this JVM from restarting anything, for good: the run is being torn down. */
    static void haltAll() {
        halted = true;
    }

    static Set<Integer> newFaultSet() {
        return ConcurrentHashMap.newKeySet();
    }

    Supervisor start() {
        thread.start();
        return this;
    }

    private void run() {
        while (!stop && !halted) {
            try {
                Thread.sleep(PERIOD.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            for (int i = 0; i < system.services.engineCount() && !stop && !halted; i++) {
                if (underFault.contains(i) || underFault.contains(-1)) {
                    failures.remove(i);
                    continue;
                }
                ServiceProcess engine = system.services.engine(i);
                if (!engine.process().isAlive()) {
                    restart(i, "the process had exited");
                } else if (!live(engine)) {
                    int n = failures.merge(i, 1, Integer::sum);
                    if (n >= FAILURE_THRESHOLD) restart(i, "liveness DOWN " + n + " times in a row");
                } else {
                    failures.remove(i);
                }
            }
        }
    }

    private boolean live(ServiceProcess engine) {
        try {
            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(engine.url() + "/q/health/live")).timeout(Duration.ofSeconds(5))
                    .build(), HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (Exception e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            return false;
        }
    }

    private void restart(int engine, String why) {
        if (halted) return;
        underFault.add(engine);
        try {
            progress.accept("supervisor: restarting engine " + (engine + 1) + ": " + why);
            restarts.add(new Restart(System.currentTimeMillis(), engine, why));
            system.services.engine(engine).kill();
            system.services.restartEngine(engine);
        } catch (RuntimeException e) {
            progress.accept("supervisor: engine " + (engine + 1) + " did not come back: " + e.getMessage());
        } finally {
            failures.remove(engine);
            underFault.remove(engine);
        }
    }

    List<Restart> restarts() {
        synchronized (restarts) {
            return List.copyOf(restarts);
        }
    }

    @Override
    public void close() {
        stop = true;
        thread.interrupt();
    }
}
