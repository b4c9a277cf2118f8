package io.waybill.testkit;

import io.waybill.contract.TopicCatalogue;
import io.waybill.topology.provisioning.TopicProvisioner;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * A real Kafka cluster and a real registry with the catalogue's topics, for integration tests:
 * containers where Docker is available, otherwise the in-JVM cluster (or broker processes, when a
 * test must kill -9 one) and the registry as a process. {@code -Dwaybill.test.platform=docker|local}
 * forces one.
 */
public final class TestPlatform implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TestPlatform.class);

    /** How brokers are hosted when Docker is not used. */
    public enum Hosting { IN_JVM, PROCESSES }

    private final KafkaCluster kafka;
    private final SchemaRegistry registry;

    private TestPlatform(KafkaCluster kafka, SchemaRegistry registry) {
        this.kafka = kafka;
        this.registry = registry;
    }

    public static TestPlatform start(int brokers, Hosting hostingWithoutDocker) {
        boolean docker = useDocker();
        LOG.info("starting a {}-broker test platform ({})", brokers, docker ? "Testcontainers" : hostingWithoutDocker);
        KafkaCluster kafka = null;
        SchemaRegistry registry = null;
        try {
            if (docker) {
                kafka = ContainerKafkaCluster.start(brokers);
                registry = RegistryContainer.start();
            } else {
                Path work = Files.createTempDirectory("waybill-platform-");
                kafka = hostingWithoutDocker == Hosting.IN_JVM
                        ? InJvmKafkaCluster.start(brokers)
                        : new ProcessKafkaCluster(work.resolve("kafka"), brokers, ProcessKafkaCluster.Layout.random(), LOG::info).start();
                registry = new RegistryProcess(Ports.free(), Ports.free(), work.resolve("run"), null).start(LOG::info);
            }
            return new TestPlatform(kafka, registry).provisioned();
        } catch (Exception | Error e) {
            // Leave nothing running behind a failed start.
            if (registry != null) registry.close();
            if (kafka != null) kafka.close();
            throw new IllegalStateException("cannot start the test platform", e);
        }
    }

    static boolean useDocker() {
        String forced = System.getProperty("waybill.test.platform", "");
        if (forced.equals("docker")) return true;
        if (forced.equals("local")) return false;
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable noDocker) {
            return false;
        }
    }

    private TestPlatform provisioned() throws Exception {
        try (Admin admin = Admin.create(adminProperties())) {
            var report = new TopicProvisioner(admin, 60_000).provision(TopicCatalogue.standard(), kafka.brokerCount(), false);
            if (report.hasDrift()) throw new IllegalStateException("fresh test cluster drifted: " + report.drift());
        }
        return this;
    }

    public Properties adminProperties() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        return props;
    }

    public KafkaCluster kafka() {
        return kafka;
    }

    public SchemaRegistry registry() {
        return registry;
    }

    @Override
    public void close() {
        try {
            registry.close();
        } finally {
            kafka.close();
        }
    }
}
