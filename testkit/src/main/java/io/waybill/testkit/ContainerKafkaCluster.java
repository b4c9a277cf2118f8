package io.waybill.testkit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.testcontainers.containers.Network;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A KRaft cluster of {@code apache/kafka} containers, for machines with Docker. Each node is a
 * combined broker+controller in one quorum (the image's layout); the broker version is the
 * kafka-clients version on the classpath (the root pom's {@code kafka.version}).
 */
public final class ContainerKafkaCluster implements KafkaCluster {

    static final String IMAGE = "apache/kafka:" + io.waybill.testkit.KafkaVersion.current();

    private final Network network;
    private final List<KafkaContainer> nodes;

    private ContainerKafkaCluster(Network network, List<KafkaContainer> nodes) {
        this.network = network;
        this.nodes = nodes;
    }

    public static ContainerKafkaCluster start(int brokers) {
        Network network = Network.newNetwork();
        String clusterId = Uuid.randomUuid().toString();
        int rf = Math.min(3, brokers);
        int minIsr = Math.min(2, Math.max(1, rf - 1));
        String voters = IntStream.range(0, brokers).mapToObj(i -> i + "@kafka-" + i + ":9094").collect(Collectors.joining(","));
        List<KafkaContainer> nodes = IntStream.range(0, brokers).mapToObj(i ->
                new KafkaContainer(DockerImageName.parse(IMAGE))
                        .withNetwork(network)
                        .withNetworkAliases("kafka-" + i)
                        .withEnv("CLUSTER_ID", clusterId)
                        .withEnv("KAFKA_NODE_ID", Integer.toString(i))
                        .withEnv("KAFKA_CONTROLLER_QUORUM_VOTERS", voters)
                        .withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false")
                        .withEnv("KAFKA_DEFAULT_REPLICATION_FACTOR", Integer.toString(rf))
                        .withEnv("KAFKA_MIN_INSYNC_REPLICAS", Integer.toString(minIsr))
                        .withEnv("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", Integer.toString(rf))
                        .withEnv("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", Integer.toString(rf))
                        .withEnv("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", Integer.toString(minIsr))
                        .withEnv("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0")
                        .withStartupTimeout(Duration.ofMinutes(2)))
                .toList();
        // The quorum needs its voters up together before any node reports ready.
        nodes.parallelStream().forEach(KafkaContainer::start);
        ContainerKafkaCluster cluster = new ContainerKafkaCluster(network, nodes);
        cluster.awaitBrokers(brokers);
        return cluster;
    }

    @Override
    public String bootstrapServers() {
        return nodes.stream().map(KafkaContainer::getBootstrapServers).collect(Collectors.joining(","));
    }

    @Override
    public int brokerCount() {
        return nodes.size();
    }

    @Override
    public void stopBroker(int index) {
        nodes.get(index).getDockerClient().stopContainerCmd(nodes.get(index).getContainerId()).exec();
    }

    @Override
    public void killBroker(int index) {
        nodes.get(index).getDockerClient().killContainerCmd(nodes.get(index).getContainerId()).withSignal("KILL").exec();
    }

    @Override
    public void startBroker(int index) {
        nodes.get(index).getDockerClient().startContainerCmd(nodes.get(index).getContainerId()).exec();
        awaitBrokers(nodes.size());
    }

    @Override
    public void close() {
        nodes.parallelStream().forEach(KafkaContainer::stop);
        network.close();
    }

    private void awaitBrokers(int expected) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        try (Admin admin = Admin.create(props)) {
            while (System.nanoTime() < deadline) {
                try {
                    if (admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size() >= expected) return;
                } catch (Exception notYet) {
                    // still forming the quorum
                }
                Thread.sleep(500);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new IllegalStateException("Kafka containers not ready");
    }
}
