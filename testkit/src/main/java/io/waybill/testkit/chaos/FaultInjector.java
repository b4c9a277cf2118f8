package io.waybill.testkit.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.stream.IntStream;

/**
 * Runs a {@link FaultSchedule} against a {@link ChaosSystem}, one fault at a time: a fault whose
 * turn comes while the one before is still being repaired waits for it (never two brokers down at
 * once, so min ISR 2 holds). Records when each fault began and when it was repaired.
 */
final class FaultInjector implements AutoCloseable {

    /** A fault as it happened: begun, repaired (every process back and ready), and a note. */
    record Window(Fault fault, long startedMs, long repairedMs, String note) {
    }

    private final ChaosSystem system;
    private final FaultSchedule schedule;
    private final LongSupplier spooled;
    /** Shared with the {@link Supervisor}: the engine a fault works on (-1: every broker), which it must leave alone. */
    private final java.util.Set<Integer> underFault;
    private final Consumer<String> progress;
    private final List<Window> windows = java.util.Collections.synchronizedList(new ArrayList<>());
    private final Thread thread;
    private volatile boolean stop;
    private volatile Throwable failure;
    private final long loadStartedMs;

    FaultInjector(ChaosSystem system, FaultSchedule schedule, LongSupplier spooled, long loadStartedMs, java.util.Set<Integer> underFault,
                  Consumer<String> progress) {
        this.system = system;
        this.underFault = underFault;
        this.schedule = schedule;
        this.spooled = spooled;
        this.loadStartedMs = loadStartedMs;
        this.progress = progress;
        this.thread = new Thread(this::run, "chaos-faults");
        thread.setDaemon(true);
    }

    FaultInjector start() {
        thread.start();
        return this;
    }

    private void run() {
        try {
            for (Fault fault : schedule.faults()) {
                long wait = loadStartedMs + fault.at().toMillis() - System.currentTimeMillis();
                if (wait > 0) Thread.sleep(wait);
                if (stop) return;
                long started = System.currentTimeMillis();
                progress.accept("fault " + fault.describe());
                int hands = fault.kind() == Fault.Kind.ENGINE_KILL ? fault.target() : fault.kind() == Fault.Kind.GATEWAY_KILL ? -1 : -2;
                // An engine the supervisor is restarting is waited for: one actor per process at a time.
                while (hands >= 0 && !underFault.add(hands)) Thread.sleep(500);
                if (hands == -1) underFault.add(-1);
                String note;
                try {
                    note = inject(fault);
                } finally {
                    underFault.remove(hands);
                }
                long repaired = System.currentTimeMillis();
                windows.add(new Window(fault, started, repaired, note));
                progress.accept(String.format("fault #%d repaired after %.1f s%s", fault.number(), (repaired - started) / 1000.0,
                        note.isEmpty() ? "" : " (" + note + ")"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            failure = t;
            progress.accept("fault injection failed: " + t);
        }
    }

    private String inject(Fault fault) throws Exception {
        Duration down = fault.downFor();
        switch (fault.kind()) {
            case BROKER_KILL -> {
                system.kafka.killBroker(fault.target());
                Thread.sleep(down.toMillis());
                system.kafka.startBroker(fault.target());
                return "";
            }
            case BROKER_PAUSE -> {
                system.kafka.pauseBroker(fault.target());
                Thread.sleep(down.toMillis());
                system.kafka.resumeBroker(fault.target());
                return "";
            }
            case ENGINE_KILL -> {
                system.services.engine(fault.target()).kill();
                Thread.sleep(down.toMillis());
                system.services.restartEngine(fault.target());
                return "";
            }
            case REGISTRY_KILL -> {
                system.registry.process().kill();
                Thread.sleep(down.toMillis());
                system.restartRegistry();
                return "";
            }
            case GATEWAY_KILL -> {
                long before = spooled.getAsLong();
                int brokers = system.kafka.brokerCount();
                for (int i = 0; i < brokers; i++) system.kafka.stopBroker(i);
                // The gateway goes on answering 202 and keeps what it accepts in its spool.
                long deadline = System.currentTimeMillis() + down.toMillis();
                while (System.currentTimeMillis() < deadline || spooled.getAsLong() == before) {
                    if (System.currentTimeMillis() > deadline + 30_000) break;
                    Thread.sleep(200);
                }
                long inSpool = spooled.getAsLong() - before;
                system.services.gateway().kill();
                CompletableFuture.allOf(IntStream.range(0, brokers).mapToObj(i -> CompletableFuture.runAsync(() ->
                        system.kafka.startBroker(i))).toArray(CompletableFuture[]::new)).get();
                system.services.gateway().start(Duration.ofSeconds(180), progress);
                return inSpool + " events acknowledged as spooled while the brokers were down";
            }
            default -> throw new IllegalStateException(fault.kind().name());
        }
    }

    /** Waits until every scheduled fault has run and been repaired. */
    void awaitDone(Duration timeout) throws InterruptedException {
        thread.join(timeout.toMillis());
        if (thread.isAlive()) throw new IllegalStateException("the faults did not finish within " + timeout);
        if (failure != null) throw new IllegalStateException("fault injection failed: " + failure, failure);
    }

    /** True until every scheduled fault has been repaired. */
    boolean pending() {
        return thread.isAlive() || windows.size() < schedule.faults().size() && failure == null && !stop;
    }

    List<Window> windows() {
        synchronized (windows) {
            return List.copyOf(windows);
        }
    }

    @Override
    public void close() {
        stop = true;
        thread.interrupt();
    }
}
