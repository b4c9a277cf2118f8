package io.waybill.contract;

import java.util.Map;
import java.util.Objects;

/**
 * One topic as the catalogue declares it, with the catalogue defaults already applied.
 *
 * @param config further topic configs (e.g. min.compaction.lag.ms), applied and drift-checked too
 */
public record TopicSpec(
        WaybillTopic id,
        String name,
        String description,
        int partitions,
        short replicationFactor,
        int minInsyncReplicas,
        String cleanupPolicy,
        Long retentionMs,
        Map<String, String> config,
        String keyFormat,
        String valueFormat,
        String valueSchema) {

    public TopicSpec {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        config = Map.copyOf(config == null ? Map.of() : config);
        if (partitions < 1) throw new IllegalArgumentException(name + ": partitions must be >= 1");
        if (replicationFactor < 1) throw new IllegalArgumentException(name + ": replicationFactor must be >= 1");
        if (minInsyncReplicas < 1 || minInsyncReplicas > replicationFactor) {
            throw new IllegalArgumentException(name + ": minInsyncReplicas must be between 1 and replicationFactor");
        }
        if (!cleanupPolicy.equals("delete") && !cleanupPolicy.equals("compact") && !cleanupPolicy.equals("compact,delete")) {
            throw new IllegalArgumentException(name + ": cleanupPolicy must be delete, compact or compact,delete");
        }
    }

    /**
     * This topic on a cluster with at most {@code maxReplicationFactor} brokers: replication is capped
     * and min.insync.replicas stays below it, so one broker can still be lost where there are several.
     */
    public TopicSpec cappedTo(int maxReplicationFactor) {
        short rf = (short) Math.min(replicationFactor, maxReplicationFactor);
        int minIsr = Math.min(minInsyncReplicas, Math.max(1, rf - 1));
        return new TopicSpec(id, name, description, partitions, rf, minIsr, cleanupPolicy, retentionMs, config,
                keyFormat, valueFormat, valueSchema);
    }

    /** Every topic-level config the provisioner sets and checks for drift. */
    public Map<String, String> topicConfigs() {
        var all = new java.util.TreeMap<String, String>(config);
        all.put("cleanup.policy", cleanupPolicy);
        all.put("min.insync.replicas", Integer.toString(minInsyncReplicas));
        if (retentionMs != null) all.put("retention.ms", Long.toString(retentionMs));
        return all;
    }
}
