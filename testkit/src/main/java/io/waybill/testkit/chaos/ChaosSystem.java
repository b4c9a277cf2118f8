package io.waybill.testkit.chaos;

import io.waybill.contract.TopicCatalogue;
import io.waybill.testkit.Ports;
import io.waybill.testkit.ProcessKafkaCluster;
import io.waybill.testkit.RegistryProcess;
import io.waybill.testkit.WaybillServices;
import io.waybill.topology.provisioning.TopicProvisioner;
import io.waybill.topology.routing.PublishNetwork;
import io.waybill.topology.workflow.PublishWorkflows;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The whole system as processes on loopback, as a production deployment runs it: three brokers and a
 * controller (RF 3, min ISR 2), the registry with its storage on disk (schema ids survive its
 * restart, as with any durable registry storage), the engine instances (standby replicas 1), the
 * gateway and the planner-api, each its own JVM; the topics provisioned, the workflows and the seed
 * network published.
 */
public final class ChaosSystem implements AutoCloseable {

    public final ProcessKafkaCluster kafka;
    public final RegistryProcess registry;
    public final WaybillServices services;
    private final Consumer<String> progress;

    private ChaosSystem(ProcessKafkaCluster kafka, RegistryProcess registry, WaybillServices services, Consumer<String> progress) {
        this.kafka = kafka;
        this.registry = registry;
        this.services = services;
        this.progress = progress;
    }

    public static ChaosSystem start(Path work, int engines, Map<String, String> engineConfig, Consumer<String> progress) throws Exception {
        ProcessKafkaCluster kafka = new ProcessKafkaCluster(work.resolve("kafka"), 3, ProcessKafkaCluster.Layout.random(), progress).start();
        RegistryProcess registry = null;
        try {
            registry = new RegistryProcess(Ports.free(), Ports.free(), work.resolve("run"), work.resolve("registry-data")).start(progress);
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
                var report = new TopicProvisioner(admin, 60_000).provision(TopicCatalogue.standard(), 3, false);
                if (report.hasDrift()) throw new IllegalStateException("drift on a fresh cluster: " + report.drift());
            }
            String[] client = {"--bootstrap-servers", kafka.bootstrapServers(), "--registry-url", registry.apiUrl()};
            if (PublishWorkflows.run(new String[]{client[0], client[1], client[2], client[3], "--by", "chaos"}) != 0) {
                throw new IllegalStateException("publishing the workflows failed");
            }
            Path escalation = work.resolve("chaos-escalation.yaml");
            try (var in = ChaosSystem.class.getResourceAsStream("/chaos/chaos-escalation.yaml")) {
                java.nio.file.Files.copy(in, escalation, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            if (PublishWorkflows.run(new String[]{client[0], client[1], client[2], client[3], "--by", "chaos", escalation.toString()}) != 0) {
                throw new IllegalStateException("publishing the chaos-escalation workflow failed");
            }
            if (PublishNetwork.run(client) != 0) throw new IllegalStateException("publishing the seed network failed");
            WaybillServices services = new WaybillServices(kafka.bootstrapServers(), registry.apiUrl(), 3,
                    WaybillServices.Ports.free(engines), work, engineConfig, progress).startAll();
            return new ChaosSystem(kafka, registry, services, progress);
        } catch (Exception e) {
            if (registry != null) registry.close();
            kafka.close();
            throw e;
        }
    }

    void restartRegistry() {
        registry.start(progress);
    }

    @Override
    public void close() {
        try {
            services.stopAll();
        } finally {
            try {
                registry.close();
            } finally {
                kafka.close();
            }
        }
    }
}
