package io.waybill.topology.workflow;

import io.waybill.contract.HandlingFlag;
import io.waybill.contract.ServiceLevel;
import io.waybill.contract.WorkflowDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The workflows the engine can run: the published definitions (the workflows topic, read as a
 * global store) over the built-in ones. A new shipment gets the latest version of the best
 * matching workflow; a shipment already pinned to a version keeps it, as Zeebe keeps a process
 * instance on its process version.
 */
public final class WorkflowCatalog {

    private static final Logger LOG = LoggerFactory.getLogger(WorkflowCatalog.class);

    /** How long a snapshot of the published definitions is reused: a new version shows within this. */
    static final long SNAPSHOT_MILLIS = 2_000;

    private final Supplier<Iterable<WorkflowDefinition>> published;
    /** Parsed definitions by key and document: versions are immutable, so parse each once. */
    private final Map<String, Optional<Workflow>> parsed = new ConcurrentHashMap<>();
    private volatile Map<String, Workflow> snapshot;
    private volatile long snapshotAt;

    public WorkflowCatalog(Supplier<Iterable<WorkflowDefinition>> published) {
        this.published = published;
    }

    /**
     * Every event needs its workflow, and reading the global store each time costs more than the
     * fold itself; a snapshot is reused for a short while, refreshed at every booking and at once
     * when a pinned version is not in it (it was published a moment ago).
     */
    private Map<String, Workflow> current(boolean refresh) {
        long now = System.currentTimeMillis();
        Map<String, Workflow> s = snapshot;
        if (s == null || refresh || now - snapshotAt > SNAPSHOT_MILLIS) {
            s = all();
            snapshot = s;
            snapshotAt = now;
        }
        return s;
    }

    /** Built-in workflows only (tests, or before anything is published). */
    public static WorkflowCatalog builtIn() {
        return new WorkflowCatalog(List::of);
    }

    private Map<String, Workflow> all() {
        Map<String, Workflow> byKey = new HashMap<>();
        BuiltInWorkflows.all().forEach(w -> byKey.put(w.key(), w));
        for (WorkflowDefinition definition : published.get()) {
            String key = Workflow.key(definition.getName(), definition.getVersion());
            parsed.computeIfAbsent(key + "#" + definition.getDocument().hashCode(), k -> {
                try {
                    return Optional.of(WorkflowDefinitions.parse(definition.getDocument()));
                } catch (WorkflowDefinitions.InvalidWorkflowException e) {
                    // Publishing validates first; a bad record on the topic is skipped, not fatal.
                    LOG.error("ignoring published workflow {}: {}", key, e.getMessage());
                    return Optional.empty();
                }
            }).ifPresent(w -> byKey.put(key, w));
        }
        return byKey;
    }

    /** The latest version of the highest-priority workflow that matches a booking. */
    public Workflow select(ServiceLevel serviceLevel, List<HandlingFlag> handling, String customerId) {
        Map<String, Workflow> latest = new HashMap<>();
        // A booking must see a version published a moment ago: read the store afresh (bookings are rare next to scans).
        for (Workflow w : current(true).values()) {
            latest.merge(w.name(), w, (a, b) -> a.version() >= b.version() ? a : b);
        }
        return latest.values().stream()
                .filter(w -> w.selector().matches(serviceLevel, handling, customerId))
                .max(Comparator.comparingInt((Workflow w) -> w.selector().priority())
                        .thenComparing(Workflow::name, Comparator.reverseOrder()))
                .orElseGet(() -> latest(BuiltInWorkflows.DEFAULT));
    }

    /** The latest version of a workflow by name. */
    public Workflow latest(String name) {
        return current(false).values().stream().filter(w -> w.name().equals(name))
                .max(Comparator.comparingInt(Workflow::version))
                .orElseThrow(() -> new IllegalStateException("no workflow named " + name));
    }

    /** A pinned version; falls back to the latest of the name if that version is gone. */
    public Workflow get(String name, int version) {
        Workflow w = current(false).get(Workflow.key(name, version));
        if (w == null) w = current(true).get(Workflow.key(name, version));
        return w != null ? w : latest(name);
    }
}
