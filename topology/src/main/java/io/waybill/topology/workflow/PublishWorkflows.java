package io.waybill.topology.workflow;

import io.waybill.contract.WaybillTopic;
import io.waybill.contract.WorkflowDefinition;
import io.waybill.topology.catalogue.WaybillSerdes;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.FileInputStream;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Validates workflow definitions and publishes them to the workflows topic (key name@version).
 * Without files it publishes the built-in ones. An invalid file is rejected with every problem
 * named and nothing is published.
 *
 * <pre>
 * publish-workflows --bootstrap-servers host:9092 --registry-url http://.../apis/registry/v3 [--by who] [file.yaml ...]
 * </pre>
 */
public final class PublishWorkflows {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String[] args) {
        String bootstrap = null;
        String registry = null;
        String by = "publish-workflows";
        List<String> files = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--bootstrap-servers" -> bootstrap = args[++i];
                case "--registry-url" -> registry = args[++i];
                case "--by" -> by = args[++i];
                default -> files.add(args[i]);
            }
        }
        if (bootstrap == null || registry == null) {
            System.err.println("usage: publish-workflows --bootstrap-servers h:p --registry-url url [--by who] [file.yaml ...]");
            return 2;
        }
        List<WorkflowDefinitions.Document> documents = new ArrayList<>();
        try {
            if (files.isEmpty()) {
                documents.addAll(BuiltInWorkflows.documents());
            }
            for (String file : files) {
                try (InputStream in = new FileInputStream(file)) {
                    documents.add(WorkflowDefinitions.read(in));
                }
            }
            for (WorkflowDefinitions.Document d : documents) WorkflowDefinitions.parse(d);
        } catch (WorkflowDefinitions.InvalidWorkflowException e) {
            e.problems().forEach(p -> System.err.println("invalid: " + p));
            return 1;
        } catch (Exception e) {
            System.err.println("cannot read: " + e.getMessage());
            return 2;
        }
        var serializer = WaybillSerdes.withRegistry(registry).value(WorkflowDefinition.class).serializer();
        try (var producer = new KafkaProducer<>(Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true), new StringSerializer(), serializer)) {
            for (WorkflowDefinitions.Document d : documents) {
                String key = Workflow.key(d.name, d.version);
                producer.send(new ProducerRecord<>(WaybillTopic.WORKFLOWS.topicName(), key,
                        new WorkflowDefinition(d.name, d.version, WorkflowDefinitions.toJson(d), Instant.now(), by))).get();
                System.out.println("published " + key);
            }
        } catch (Exception e) {
            System.err.println("publishing failed: " + e);
            return 2;
        }
        return 0;
    }
}
