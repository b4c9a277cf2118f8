package io.waybill.simulator;

import io.quarkus.picocli.runtime.annotations.TopCommand;
import io.waybill.contract.ShipmentEvent;
import io.waybill.contract.WaybillTopic;
import io.waybill.topology.catalogue.WaybillSerdes;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Simulated warehouses: books shipments at a steady rate and publishes each one's scans as it moves
 * through the network, straight to Kafka with the Avro serializer and the registry (the way a
 * warehouse system integrates without the gateway). Simulated time runs {@code --speedup} times
 * faster than the wall clock; occurredAt is the wall-clock moment an event is published.
 */
@TopCommand
@Command(name = "simulator", mixinStandardHelpOptions = true, description = "Publishes realistic shipment traffic to Kafka.")
public class SimulatorCommand implements Callable<Integer> {

    @Option(names = "--bootstrap-servers", defaultValue = "${KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:9092,127.0.0.1:9093,127.0.0.1:9094}",
            description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE})")
    String bootstrapServers;

    @Option(names = "--registry-url", defaultValue = "${WAYBILL_REGISTRY_URL:-http://127.0.0.1:8085/apis/registry/v3}",
            description = "Apicurio Registry API URL (default: ${DEFAULT-VALUE})")
    String registryUrl;

    @Option(names = "--rate", defaultValue = "5", description = "New shipments per second (default: ${DEFAULT-VALUE})")
    double shipmentsPerSecond;

    @Option(names = "--duration", defaultValue = "PT1H", description = "How long to run, ISO-8601 (default: ${DEFAULT-VALUE}); PT0S runs until stopped")
    Duration duration;

    @Option(names = "--shipments", defaultValue = "0",
            description = "Book this many shipments, finish their journeys and exit (default: ${DEFAULT-VALUE}, no limit; --duration still applies)")
    long shipmentLimit;

    @Option(names = "--speedup", defaultValue = "3600", description = "Simulated seconds per wall-clock second (default: ${DEFAULT-VALUE})")
    double speedup;

    @Option(names = "--seed", description = "Random seed, for a repeatable run")
    Long seed;

    @Option(names = "--progress-every", defaultValue = "PT5S", description = "How often to print progress (default: ${DEFAULT-VALUE})")
    Duration progressEvery;

    private record Pending(long dueNanos, long sequence, String shipmentId, Iterator<ShipmentJourney.Step> rest, Object payload) {
    }

    @Override
    public Integer call() throws Exception {
        Random random = seed == null ? new Random() : new Random(seed);
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 10);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
        var serializer = WaybillSerdes.withRegistry(registryUrl).value(ShipmentEvent.class).serializer();
        String topic = WaybillTopic.SHIPMENT_EVENTS.topicName();

        AtomicLong acknowledged = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long sent = 0;
        long booked = 0;
        long delivered = 0;
        long sequence = 0;
        PriorityQueue<Pending> queue = new PriorityQueue<>((a, b) -> a.dueNanos != b.dueNanos
                ? Long.compare(a.dueNanos, b.dueNanos) : Long.compare(a.sequence, b.sequence));

        try (var producer = new KafkaProducer<>(config, new StringSerializer(), serializer)) {
            // The clock starts once the cluster answers, so a slow first metadata fetch does not eat the run.
            producer.partitionsFor(topic);
            long start = System.nanoTime();
            long end = duration.isZero() ? Long.MAX_VALUE : start + duration.toNanos();
            long bookingInterval = (long) (1_000_000_000L / Math.max(0.001, shipmentsPerSecond));
            long nextBooking = start;
            long nextProgress = start + progressEvery.toNanos();
            System.out.printf("simulator: %.1f shipments/s for %s%s, speedup %.0fx, to %s%n", shipmentsPerSecond, duration,
                    shipmentLimit > 0 ? " or " + shipmentLimit + " shipments" : "", speedup, bootstrapServers);

            while (System.nanoTime() < end && !Thread.currentThread().isInterrupted()
                    && !(shipmentLimit > 0 && booked >= shipmentLimit && queue.isEmpty())) {
                long now = System.nanoTime();
                while (nextBooking <= now && (shipmentLimit == 0 || booked < shipmentLimit)) {
                    String shipmentId = "SIM-" + UUID.randomUUID().toString().substring(0, 13).toUpperCase();
                    List<ShipmentJourney.Step> steps = ShipmentJourney.plan(random, Instant.now());
                    Iterator<ShipmentJourney.Step> it = steps.iterator();
                    queue.add(new Pending(nextBooking, sequence++, shipmentId, it, it.next().payload()));
                    nextBooking += bookingInterval;
                    booked++;
                }
                while (!queue.isEmpty() && queue.peek().dueNanos() <= now) {
                    Pending p = queue.poll();
                    Instant at = Instant.now();
                    ShipmentEvent event = ShipmentEvent.newBuilder()
                            .setEventId(UUID.randomUUID().toString())
                            .setShipmentId(p.shipmentId())
                            .setOccurredAt(at)
                            .setRecordedAt(at)
                            .setSource("simulator")
                            .setPayload(p.payload())
                            .build();
                    producer.send(new ProducerRecord<>(topic, p.shipmentId(), event), (metadata, error) -> {
                        if (error == null) acknowledged.incrementAndGet();
                        else failed.incrementAndGet();
                    });
                    sent++;
                    if (p.rest().hasNext()) {
                        ShipmentJourney.Step step = p.rest().next();
                        long delay = (long) (step.after().toNanos() / speedup);
                        queue.add(new Pending(now + delay, sequence++, p.shipmentId(), p.rest(), step.payload()));
                    } else {
                        delivered++;
                    }
                }
                if (now >= nextProgress) {
                    double seconds = (now - start) / 1e9;
                    System.out.printf("simulator: %,d events sent (%,.0f/s), %,d acknowledged, %,d failed; %,d shipments booked, %,d in flight, %,d delivered%n",
                            sent, sent / seconds, acknowledged.get(), failed.get(), booked, queue.size(), delivered);
                    nextProgress += progressEvery.toNanos();
                }
                long nextDue = shipmentLimit > 0 && booked >= shipmentLimit ? Long.MAX_VALUE : nextBooking;
                long wakeUp = Math.min(nextDue, queue.isEmpty() ? nextDue : queue.peek().dueNanos());
                long sleep = Math.min(wakeUp - System.nanoTime(), 50_000_000L);
                if (sleep > 0) Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
            }
            producer.flush();
            System.out.printf("simulator: done, %,d events sent, %,d acknowledged, %,d failed; %,d shipments booked, %,d delivered%n",
                    sent, acknowledged.get(), failed.get(), booked, delivered);
        }
        return failed.get() == 0 ? 0 : 1;
    }
}
