package io.waybill.planner;

import io.waybill.contract.WaybillTopic;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/** Every partition of some topics, for consumers that assign themselves (no group) and read them whole. */
public final class TopicPartitions {

    private static final Logger LOG = Logger.getLogger(TopicPartitions.class);

    private TopicPartitions() {
    }

    /**
     * The partitions of {@code topics}, waiting (and saying so) while a topic does not exist yet, since
     * the planner-api may start before the topics are provisioned. Null when stopped or woken up.
     */
    public static List<TopicPartition> await(Consumer<?, ?> consumer, List<WaybillTopic> topics, BooleanSupplier running, String reader) {
        while (running.getAsBoolean()) {
            try {
                List<TopicPartition> all = new ArrayList<>();
                for (WaybillTopic topic : topics) {
                    List<PartitionInfo> infos = consumer.partitionsFor(topic.topicName(), Duration.ofSeconds(10));
                    if (infos == null || infos.isEmpty()) throw new IllegalStateException("topic " + topic.topicName() + " does not exist yet");
                    infos.forEach(p -> all.add(new TopicPartition(p.topic(), p.partition())));
                }
                return all;
            } catch (WakeupException e) {
                return null;
            } catch (RuntimeException e) {
                LOG.warnf("%s waiting for its topics: %s", reader, e.getMessage());
                try {
                    Thread.sleep(2_000);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
        }
        return null;
    }
}
