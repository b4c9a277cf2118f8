package io.waybill.systemtest;

import io.waybill.contract.TopicCatalogue;
import io.waybill.testkit.Ports;
import io.waybill.testkit.ProcessKafkaCluster;
import io.waybill.testkit.RegistryProcess;
import io.waybill.testkit.WaybillServices;
import io.waybill.topology.provisioning.TopicProvisioner;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The packaged system as it runs in production, on loopback: three broker processes (so one can
 * be killed with SIGKILL), the registry, two engines, the gateway and the planner-api, each its own
 * JVM. Started once per test class.
 */
final class SystemUnderTest implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SystemUnderTest.class);

    final ProcessKafkaCluster kafka;
    final RegistryProcess registry;
    final WaybillServices services;

    private SystemUnderTest(ProcessKafkaCluster kafka, RegistryProcess registry, WaybillServices services) {
        this.kafka = kafka;
        this.registry = registry;
        this.services = services;
    }

    static SystemUnderTest start(int engines) throws Exception {
        Path work = Files.createDirectories(Path.of("target", "system-under-test-" + System.nanoTime())).toAbsolutePath();
        LOG.info("system under test in {}", work);
        ProcessKafkaCluster kafka = new ProcessKafkaCluster(work.resolve("kafka"), 3, ProcessKafkaCluster.Layout.random(), LOG::info).start();
        RegistryProcess registry = null;
        try {
            registry = new RegistryProcess(Ports.free(), Ports.free(), work.resolve("run"), null).start(LOG::info);
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
                var report = new TopicProvisioner(admin, 60_000).provision(TopicCatalogue.standard(), 3, false);
                if (report.hasDrift()) throw new IllegalStateException("drift on a fresh cluster: " + report.drift());
            }
            WaybillServices services = new WaybillServices(kafka.bootstrapServers(), registry.apiUrl(), 3,
                    WaybillServices.Ports.free(engines), work, LOG::info).startAll();
            return new SystemUnderTest(kafka, registry, services);
        } catch (Exception e) {
            if (registry != null) registry.close();
            kafka.close();
            throw e;
        }
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
