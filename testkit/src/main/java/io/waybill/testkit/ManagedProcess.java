package io.waybill.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A child process of the local platform (broker, controller, registry, service) with its log and
 * pid in a run directory, so another invocation of the platform script can stop, kill or restart it.
 * The command is stored beside the pid ({@code <name>.cmd}, one argument per line).
 */
public final class ManagedProcess {

    private final String name;
    private final List<String> command;
    private final Map<String, String> environment;
    private final Path runDir;
    private Process process;

    public ManagedProcess(String name, List<String> command, Map<String, String> environment, Path runDir) {
        this.name = name;
        this.command = List.copyOf(command);
        this.environment = new LinkedHashMap<>(environment);
        this.runDir = runDir;
    }

    /** The process as a previous invocation left it in {@code runDir}, if it was started there. */
    public static Optional<ManagedProcess> recorded(String name, Path runDir) {
        Path cmd = runDir.resolve(name + ".cmd");
        if (!Files.exists(cmd)) return Optional.empty();
        try {
            List<String> lines = Files.readAllLines(cmd, StandardCharsets.UTF_8);
            Map<String, String> env = new LinkedHashMap<>();
            List<String> command = new ArrayList<>();
            for (String line : lines) {
                if (line.startsWith("env:")) {
                    String kv = line.substring(4);
                    int eq = kv.indexOf('=');
                    env.put(kv.substring(0, eq), kv.substring(eq + 1));
                } else {
                    command.add(line);
                }
            }
            return Optional.of(new ManagedProcess(name, command, env, runDir));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String name() {
        return name;
    }

    public Path logFile() {
        return runDir.resolve(name + ".log");
    }

    public synchronized ManagedProcess start() {
        if (isAlive()) throw new IllegalStateException(name + " is already running (pid " + pid().orElse(-1L) + ")");
        try {
            Files.createDirectories(runDir);
            List<String> spec = new ArrayList<>();
            environment.forEach((k, v) -> spec.add("env:" + k + "=" + v));
            spec.addAll(command);
            // The environment may hold a service's secrets: the record of how it was started is its owner's only.
            OwnerOnlyFiles.write(runDir.resolve(name + ".cmd"), String.join("\n", spec) + "\n");
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()));
            builder.environment().putAll(environment);
            process = builder.start();
            Files.writeString(runDir.resolve(name + ".pid"), Long.toString(process.pid()));
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    public Optional<Long> pid() {
        if (process != null) return Optional.of(process.pid());
        Path pidFile = runDir.resolve(name + ".pid");
        try {
            return Files.exists(pidFile) ? Optional.of(Long.parseLong(Files.readString(pidFile).trim())) : Optional.empty();
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private Optional<ProcessHandle> handle() {
        if (process != null) return Optional.of(process.toHandle());
        // A pid from a file may have been reused by an unrelated process: only trust it if it runs java.
        return pid().flatMap(ProcessHandle::of)
                .filter(h -> h.info().command().map(c -> c.contains("java")).orElse(false));
    }

    public boolean isAlive() {
        return handle().map(ProcessHandle::isAlive).orElse(false);
    }

    /** SIGTERM, then SIGKILL if it has not exited within {@code grace}. */
    public synchronized void stop(Duration grace) {
        handle().ifPresent(h -> {
            h.destroy();
            try {
                h.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception timeout) {
                h.destroyForcibly();
                h.onExit().join();
            }
        });
        clearPid();
    }

    /** Sends a signal by name (STOP, CONT) with the system's kill command: SIGSTOP makes a zombie, not a corpse. */
    public synchronized void signal(String name) {
        long pid = pid().orElseThrow(() -> new IllegalStateException(this.name + " is not running"));
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).redirectErrorStream(true).start();
            if (kill.waitFor() != 0) throw new IllegalStateException("kill -" + name + " " + pid + " failed");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** SIGKILL: no shutdown hooks, no flush, as when a machine dies. */
    public synchronized void kill() {
        handle().ifPresent(h -> {
            h.destroyForcibly();
            h.onExit().join();
        });
        clearPid();
    }

    private void clearPid() {
        process = null;
        try {
            Files.deleteIfExists(runDir.resolve(name + ".pid"));
        } catch (IOException ignored) {
            // a stale pid file is checked against the process before it is trusted
        }
    }

    /**
     * Waits until {@code readyUrl} answers 200, failing early (with the log's tail) if this
     * process exits first.
     */
    public void awaitHttpReady(URI readyUrl, Duration timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                var response = http.send(HttpRequest.newBuilder(readyUrl).timeout(Duration.ofSeconds(3)).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) return;
            } catch (Exception notYet) {
                // still starting
            }
            if (!isAlive()) throw new IllegalStateException(name + " exited during start:\n" + tail(40));
            if (System.nanoTime() > deadline) throw new IllegalStateException(name + " not ready after " + timeout + ":\n" + tail(40));
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** The last lines of the log, for failure messages. */
    public String tail(int lines) {
        try {
            if (!Files.exists(logFile())) return "(no log)";
            List<String> all = Files.readAllLines(logFile(), StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }
}
