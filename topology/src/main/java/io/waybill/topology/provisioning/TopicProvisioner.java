package io.waybill.topology.provisioning;

import io.waybill.contract.TopicCatalogue;
import io.waybill.contract.TopicSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Creates the catalogue's topics that are missing and reports every difference between an existing
 * topic and the catalogue as drift. It never alters a live topic: partitions, replication and
 * retention changes on production topics are decisions for a person, not a side effect of a deploy.
 */
public final class TopicProvisioner {

    /** One finding about one topic. */
    public record Finding(String topic, Kind kind, String detail) {
        public enum Kind { CREATED, UP_TO_DATE, DRIFT }

        @Override
        public String toString() {
            return String.format("%-11s %s%s", kind, topic, detail.isEmpty() ? "" : ": " + detail);
        }
    }

    /** What a provisioning run found; {@link #hasDrift()} means the cluster does not match the catalogue. */
    public record Report(List<Finding> findings) {
        public boolean hasDrift() {
            return findings.stream().anyMatch(f -> f.kind() == Finding.Kind.DRIFT);
        }

        public List<Finding> drift() {
            return findings.stream().filter(f -> f.kind() == Finding.Kind.DRIFT).toList();
        }
    }

    private final Admin admin;
    private final long timeoutMs;

    public TopicProvisioner(Admin admin, long timeoutMs) {
        this.admin = admin;
        this.timeoutMs = timeoutMs;
    }

    /**
     * Brings the cluster to the catalogue, with replication capped at {@code maxReplicationFactor}
     * (the broker count of a small local cluster; production passes the catalogue's own value).
     */
    public Report provision(TopicCatalogue catalogue, int maxReplicationFactor, boolean dryRun)
            throws InterruptedException, ExecutionException, TimeoutException {
        List<TopicSpec> wanted = catalogue.all().stream().map(t -> t.cappedTo(maxReplicationFactor)).toList();
        Set<String> existing = admin.listTopics().names().get(timeoutMs, TimeUnit.MILLISECONDS);

        List<Finding> findings = new ArrayList<>();
        List<TopicSpec> missing = wanted.stream().filter(t -> !existing.contains(t.name())).toList();
        if (!missing.isEmpty() && !dryRun) {
            create(missing);
        }
        missing.forEach(t -> findings.add(new Finding(t.name(), Finding.Kind.CREATED,
                (dryRun ? "would create " : "") + t.partitions() + " partitions, RF " + t.replicationFactor()
                        + ", min ISR " + t.minInsyncReplicas() + ", " + t.cleanupPolicy())));

        List<TopicSpec> present = wanted.stream().filter(t -> existing.contains(t.name())).toList();
        if (!present.isEmpty()) {
            findings.addAll(check(present));
        }
        return new Report(List.copyOf(findings));
    }

    private void create(List<TopicSpec> missing) throws InterruptedException, ExecutionException, TimeoutException {
        List<NewTopic> topics = missing.stream()
                .map(t -> new NewTopic(t.name(), t.partitions(), t.replicationFactor()).configs(t.topicConfigs()))
                .toList();
        var result = admin.createTopics(topics);
        for (var entry : result.values().entrySet()) {
            try {
                entry.getValue().get(timeoutMs, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                // Another provisioner (a second replica of the Helm job, a concurrent script) won the race.
                if (!(e.getCause() instanceof TopicExistsException)) throw e;
            }
        }
    }

    private List<Finding> check(Collection<TopicSpec> present) throws InterruptedException, ExecutionException, TimeoutException {
        Map<String, TopicSpec> byName = present.stream().collect(Collectors.toMap(TopicSpec::name, Function.identity()));
        Map<String, TopicDescription> descriptions = admin.describeTopics(byName.keySet()).allTopicNames()
                .get(timeoutMs, TimeUnit.MILLISECONDS);
        List<ConfigResource> resources = byName.keySet().stream()
                .map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).toList();
        Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all().get(timeoutMs, TimeUnit.MILLISECONDS);

        List<Finding> findings = new ArrayList<>();
        for (TopicSpec spec : present) {
            TopicDescription description = descriptions.get(spec.name());
            Config config = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, spec.name()));
            List<String> differences = new ArrayList<>();
            int partitions = description.partitions().size();
            if (partitions != spec.partitions()) {
                differences.add("partitions " + partitions + " (catalogue: " + spec.partitions() + ")");
            }
            int replicas = description.partitions().get(0).replicas().size();
            if (replicas != spec.replicationFactor()) {
                differences.add("replication factor " + replicas + " (catalogue: " + spec.replicationFactor() + ")");
            }
            for (var wantedConfig : spec.topicConfigs().entrySet()) {
                ConfigEntry actual = config.get(wantedConfig.getKey());
                String actualValue = actual == null ? null : actual.value();
                if (!wantedConfig.getValue().equals(actualValue)) {
                    differences.add(wantedConfig.getKey() + "=" + actualValue + " (catalogue: " + wantedConfig.getValue() + ")");
                }
            }
            findings.add(differences.isEmpty()
                    ? new Finding(spec.name(), Finding.Kind.UP_TO_DATE, "")
                    : new Finding(spec.name(), Finding.Kind.DRIFT, String.join("; ", differences)));
        }
        return findings;
    }
}
