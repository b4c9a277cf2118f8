package io.waybill.topology.routing;

import io.waybill.contract.Facility;
import io.waybill.contract.Lane;
import io.waybill.contract.WaybillTopic;
import io.waybill.topology.catalogue.WaybillSerdes;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.FileInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;

/**
 * Publishes a network to the compacted facilities and lanes topics (keys facilityId and laneId):
 * the seed network, or the YAML file given. The network is checked first; if anything in it
 * would be left out of the planner's view (a lane to an unknown facility, a bad time), every
 * problem is named and nothing is published. Records carry the file's fixed updatedAt, so
 * publishing the same file again changes nothing but offsets.
 *
 * <pre>
 * publish-network --bootstrap-servers host:9092 --registry-url http://.../apis/registry/v3 [network.yaml]
 * </pre>
 */
public final class PublishNetwork {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String[] args) {
        String bootstrap = null;
        String registry = null;
        String file = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--bootstrap-servers" -> bootstrap = i + 1 < args.length ? args[++i] : null;
                case "--registry-url" -> registry = i + 1 < args.length ? args[++i] : null;
                default -> {
                    if (file != null || args[i].startsWith("--")) {
                        System.err.println("unexpected argument " + args[i]);
                        return 2;
                    }
                    file = args[i];
                }
            }
        }
        if (bootstrap == null || registry == null) {
            System.err.println("usage: publish-network --bootstrap-servers h:p --registry-url url [network.yaml]");
            return 2;
        }
        SeedNetwork network;
        try {
            if (file == null) {
                network = SeedNetwork.load();
            } else {
                try (InputStream in = new FileInputStream(file)) {
                    network = SeedNetwork.read(in);
                }
            }
        } catch (Exception e) {
            System.err.println("cannot read: " + e.getMessage());
            return 2;
        }
        List<String> problems = network.routingNetwork().problems();
        if (!problems.isEmpty()) {
            problems.forEach(p -> System.err.println("invalid: " + p));
            return 1;
        }
        WaybillSerdes serdes = WaybillSerdes.withRegistry(registry);
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        String facilitiesTopic = WaybillTopic.FACILITIES.topicName();
        String lanesTopic = WaybillTopic.LANES.topicName();
        try (var facilityProducer = new KafkaProducer<>(config, new StringSerializer(), serdes.value(Facility.class).serializer());
             var laneProducer = new KafkaProducer<>(config, new StringSerializer(), serdes.value(Lane.class).serializer())) {
            // Sent in one go and then awaited: a few hundred records, one round trip per batch.
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (Facility f : network.facilities()) {
                sent.add(facilityProducer.send(new ProducerRecord<>(facilitiesTopic, f.getFacilityId(), f)));
            }
            for (Lane l : network.lanes()) {
                sent.add(laneProducer.send(new ProducerRecord<>(lanesTopic, l.getLaneId(), l)));
            }
            for (Future<RecordMetadata> f : sent) f.get();
        } catch (Exception e) {
            System.err.println("publishing failed: " + e);
            return 2;
        }
        System.out.printf("published %d facilities to %s and %d lanes to %s%n", network.facilities().size(), facilitiesTopic,
                network.lanes().size(), lanesTopic);
        return 0;
    }
}
