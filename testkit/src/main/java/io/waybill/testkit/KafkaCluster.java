package io.waybill.testkit;

/** A real Kafka cluster for tests and local runs, whichever way it is hosted. */
public interface KafkaCluster extends AutoCloseable {

    String bootstrapServers();

    int brokerCount();

    /** Stops broker {@code index} (0-based) cleanly. */
    void stopBroker(int index) throws Exception;

    /** Kills broker {@code index} without a clean shutdown, where the hosting allows (kill -9 for processes). */
    void killBroker(int index) throws Exception;

    /** Starts broker {@code index} again and waits until it serves. */
    void startBroker(int index) throws Exception;

    @Override
    void close();
}
