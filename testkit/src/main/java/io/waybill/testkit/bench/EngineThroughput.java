package io.waybill.testkit.bench;

import io.waybill.contract.ArrivedAtFacility;
import io.waybill.contract.Delivered;
import io.waybill.contract.DepartedFacility;
import io.waybill.contract.OutForDelivery;
import io.waybill.contract.ServiceLevel;
import io.waybill.contract.ShipmentCreated;
import io.waybill.contract.ShipmentEvent;
import io.waybill.contract.ShipmentHistory;
import io.waybill.contract.ShipmentState;
import io.waybill.contract.TopicCatalogue;
import io.waybill.contract.WaybillTopic;
import io.waybill.testkit.Ports;
import io.waybill.testkit.ProcessKafkaCluster;
import io.waybill.testkit.RegistryProcess;
import io.waybill.topology.WaybillTopology;
import io.waybill.topology.catalogue.WaybillSerdes;
import io.waybill.topology.catalogue.WaybillStores;
import io.waybill.topology.provisioning.TopicProvisioner;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.QueryableStoreTypes;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * Load harness: the engine's topology under exactly_once_v2 on a real 3-broker process cluster
 * (RF 3, min ISR 2), fed with complete shipment journeys. Measures events per second from the
 * moment the topology runs until the last event's offset is committed, and the serialized size of
 * a shipment's state and history. Results go to a file, never into a timed unit test.
 *
 * <pre>scripts/benchmark engine [--events 200000] [--out target/benchmarks/engine-throughput.txt]</pre>
 */
public final class EngineThroughput {

    private static final int EVENTS_PER_SHIPMENT = 8;

    public static void main(String[] args) throws Exception {
        int events = 200_000;
        Path out = Path.of("target/benchmarks/engine-throughput.txt");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--events" -> events = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        int shipments = events / EVENTS_PER_SHIPMENT;
        Path work = Files.createTempDirectory("waybill-bench-");
        ProcessKafkaCluster kafka = new ProcessKafkaCluster(work.resolve("kafka"), 3, ProcessKafkaCluster.Layout.random(), System.out::println).start();
        RegistryProcess registry = new RegistryProcess(Ports.free(), Ports.free(), work.resolve("run"), null).start(System.out::println);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            new TopicProvisioner(admin, 60_000).provision(TopicCatalogue.standard(), 3, false);
            WaybillSerdes serdes = WaybillSerdes.withRegistry(registry.apiUrl());

            // produce every journey first, so the measurement is the engine's alone
            Instant produceStart = Instant.now();
            AtomicLong failed = new AtomicLong();
            try (var producer = new KafkaProducer<>(Map.<String, Object>of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                    ProducerConfig.LINGER_MS_CONFIG, 20, ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024),
                    new StringSerializer(), serdes.value(ShipmentEvent.class).serializer())) {
                Instant t0 = Instant.parse("2026-11-29T06:00:00Z");
                for (int s = 0; s < shipments; s++) {
                    String id = "BENCH-" + s;
                    List<Object> journey = List.of(
                            ShipmentCreated.newBuilder().setOrigin("BER-DEP-1").setDestination("MUC-DEP-1")
                                    .setServiceLevel(ServiceLevel.STANDARD).setWeightKg(2).setHandling(List.of()).build(),
                            new ArrivedAtFacility("BER-DEP-1"), new DepartedFacility("BER-DEP-1", "L1"), new ArrivedAtFacility("BER-HUB"),
                            new DepartedFacility("BER-HUB", "L2"), new ArrivedAtFacility("MUC-DEP-1"), new OutForDelivery("MUC-DEP-1", "R1"),
                            new Delivered("recipient", null));
                    for (int e = 0; e < journey.size(); e++) {
                        Instant at = t0.plusSeconds(1800L * e);
                        ShipmentEvent event = ShipmentEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setShipmentId(id)
                                .setOccurredAt(at).setRecordedAt(at).setSource("bench").setPayload(journey.get(e)).build();
                        producer.send(new ProducerRecord<>(WaybillTopic.SHIPMENT_EVENTS.topicName(), id, event), (m, err) -> {
                            if (err != null) failed.incrementAndGet();
                        });
                    }
                }
                producer.flush();
            }
            double produceSeconds = Duration.between(produceStart, Instant.now()).toMillis() / 1000.0;
            if (failed.get() > 0) throw new IllegalStateException(failed.get() + " events were not produced");
            System.out.printf("produced %,d events in %.1f s%n", events, produceSeconds);

            // run the topology as the engine does and wait until every input offset is committed
            Properties props = new Properties();
            props.put(StreamsConfig.APPLICATION_ID_CONFIG, "waybill-bench");
            props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
            props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 3);
            props.put(StreamsConfig.topicPrefix("min.insync.replicas"), "2");
            props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
            props.put(StreamsConfig.STATE_DIR_CONFIG, work.resolve("state").toString());
            Instant started = Instant.now();
            Instant running;
            Instant done;
            try (KafkaStreams streams = new KafkaStreams(WaybillTopology.build(serdes), props)) {
                streams.start();
                while (streams.state() != KafkaStreams.State.RUNNING) Thread.sleep(50);
                running = Instant.now();
                String topic = WaybillTopic.SHIPMENT_EVENTS.topicName();
                var partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().stream()
                        .map(p -> new TopicPartition(topic, p.partition())).toList();
                Map<TopicPartition, Long> end = admin.listOffsets(partitions.stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest())))
                        .all().get().entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
                while (true) {
                    Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("waybill-bench")
                            .partitionsToOffsetAndMetadata().get();
                    boolean caughtUp = partitions.stream().allMatch(p -> committed.get(p) != null && committed.get(p).offset() >= end.get(p));
                    if (caughtUp) break;
                    Thread.sleep(200);
                }
                done = Instant.now();

                // the size of what a delivered shipment keeps
                var states = streams.store(StoreQueryParameters.fromNameAndType(WaybillStores.SHIPMENT_STATE,
                        QueryableStoreTypes.<String, ShipmentState>keyValueStore()));
                var histories = streams.store(StoreQueryParameters.fromNameAndType(WaybillStores.SHIPMENT_HISTORY,
                        QueryableStoreTypes.<String, ShipmentHistory>keyValueStore()));
                var stateSer = serdes.value(ShipmentState.class).serializer();
                var historySer = serdes.value(ShipmentHistory.class).serializer();
                long stateBytes = 0;
                long historyBytes = 0;
                int sampled = 0;
                for (int s = 0; s < Math.min(200, shipments); s++) {
                    ShipmentState st = states.get("BENCH-" + s);
                    ShipmentHistory h = histories.get("BENCH-" + s);
                    if (st == null || h == null) continue;
                    stateBytes += stateSer.serialize("x", st).length;
                    historyBytes += historySer.serialize("x", h).length;
                    sampled++;
                }
                double seconds = Duration.between(running, done).toMillis() / 1000.0;
                String report = String.format("""
                        # Waybill engine throughput (exactly_once_v2, 1 stream thread, RF 3 / min ISR 2, 3 broker processes, loopback)
                        date: %s
                        machine: %d cores, max heap %d MB
                        events: %,d (%,d shipments x %d events, complete journeys)
                        startup to RUNNING: %.1f s
                        processing: %.1f s -> %,.0f events/s
                        state per shipment (Avro, wire format): %d bytes
                        history per delivered shipment (%d events, Avro): %d bytes
                        producer (acks=all, idempotent): %,.0f events/s
                        """, Instant.now(), Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() / (1 << 20),
                        events, shipments, EVENTS_PER_SHIPMENT, Duration.between(started, running).toMillis() / 1000.0,
                        seconds, events / seconds, sampled == 0 ? 0 : stateBytes / sampled, EVENTS_PER_SHIPMENT,
                        sampled == 0 ? 0 : historyBytes / sampled, events / produceSeconds);
                Files.createDirectories(out.toAbsolutePath().getParent());
                Files.writeString(out, report);
                System.out.print(report);
                streams.close(Duration.ofSeconds(30));
            }
        } finally {
            registry.close();
            kafka.close();
        }
        System.exit(0);
    }

    private EngineThroughput() {
    }

}
