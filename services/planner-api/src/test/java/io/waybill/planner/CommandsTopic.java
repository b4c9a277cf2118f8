package io.waybill.planner;

import io.waybill.contract.PlannerCommand;
import io.waybill.contract.WaybillTopic;
import io.waybill.testkit.WaybillTestResource;
import io.waybill.topology.catalogue.WaybillSerdes;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.Map;

/** Reads the commands topic of the test cluster. */
final class CommandsTopic {

    static PlannerCommand await(String commandId) {
        var platform = WaybillTestResource.platform();
        var serde = WaybillSerdes.withRegistry(platform.registry().apiUrl()).value(PlannerCommand.class);
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.kafka().bootstrapServers()),
                new StringDeserializer(), serde.deserializer())) {
            String topic = WaybillTopic.PLANNER_COMMANDS.topicName();
            var partitions = consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < deadline) {
                for (var record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.value().getCommandId().equals(commandId)) {
                        if (!record.key().equals(record.value().getShipmentId())) throw new AssertionError("command keyed by " + record.key());
                        return record.value();
                    }
                }
            }
        }
        throw new AssertionError("command " + commandId + " is not on the commands topic");
    }

    private CommandsTopic() {
    }
}
