package io.waybill.testkit;

import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Brokers inside the test JVM (Kafka's own KafkaClusterTestKit): the fastest real cluster. Not
 * the default: the kit pre-binds its sockets on every interface, and on shared machines tests bind
 * loopback only; choose it with {@code -Dwaybill.test.kafka=in-jvm} where that is acceptable. Separate controller nodes (combined nodes crashed in 4.1.2) and the
 * latest production metadata version (the kit would otherwise format with an unreleased one).
 */
public final class InJvmKafkaCluster implements KafkaCluster {

    private final KafkaClusterTestKit cluster;
    private final int brokers;

    private InJvmKafkaCluster(KafkaClusterTestKit cluster, int brokers) {
        this.cluster = cluster;
        this.brokers = brokers;
    }

    public static InJvmKafkaCluster start(int brokers) {
        try {
            // The kit deletes its base directory on close: give it one of its own.
            Path base = Files.createTempDirectory("waybill-kafka-");
            int rf = Math.min(3, brokers);
            int minIsr = Math.min(2, Math.max(1, rf - 1));
            TestKitNodes nodes = new TestKitNodes.Builder()
                    .setCombined(false)
                    .setNumBrokerNodes(brokers)
                    .setNumControllerNodes(1)
                    .setBootstrapMetadataVersion(MetadataVersion.latestProduction())
                    .setBaseDirectory(base)
                    .build();
            KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes)
                    .setConfigProp("auto.create.topics.enable", "false")
                    .setConfigProp("default.replication.factor", Integer.toString(rf))
                    .setConfigProp("min.insync.replicas", Integer.toString(minIsr))
                    .setConfigProp("offsets.topic.replication.factor", Integer.toString(rf))
                    .setConfigProp("offsets.topic.num.partitions", "5")
                    .setConfigProp("transaction.state.log.replication.factor", Integer.toString(rf))
                    .setConfigProp("transaction.state.log.min.isr", Integer.toString(minIsr))
                    .setConfigProp("transaction.state.log.num.partitions", "5")
                    .setConfigProp("group.initial.rebalance.delay.ms", "0");
            KafkaClusterTestKit kit = builder.build();
            kit.format();
            kit.startup();
            kit.waitForReadyBrokers();
            return new InJvmKafkaCluster(kit, brokers);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the in-JVM Kafka cluster", e);
        }
    }

    @Override
    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    @Override
    public int brokerCount() {
        return brokers;
    }

    @Override
    public void stopBroker(int index) {
        cluster.brokers().get(brokerId(index)).shutdown();
    }

    /** In one JVM there is no SIGKILL; the broker is shut down without waiting for a clean exit. */
    @Override
    public void killBroker(int index) {
        cluster.brokers().get(brokerId(index)).shutdown();
    }

    @Override
    public void startBroker(int index) {
        cluster.brokers().get(brokerId(index)).startup();
    }

    private int brokerId(int index) {
        return cluster.brokers().keySet().stream().sorted().toList().get(index);
    }

    @Override
    public void close() {
        try {
            cluster.close();
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop the in-JVM Kafka cluster", e);
        }
    }

}
