package io.waybill.benchmarks;

import io.waybill.contract.Facility;
import io.waybill.contract.FacilityType;
import io.waybill.contract.ServiceLevel;
import io.waybill.topology.routing.RoutePlanner;
import io.waybill.topology.routing.RouteRequest;
import io.waybill.topology.routing.RouteResult;
import io.waybill.topology.routing.RoutingNetwork;
import io.waybill.topology.routing.SeedNetwork;
import io.waybill.topology.routing.SeedNetworkGenerator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Time to plan one route on the seed network (scale 1: ~46 facilities, ~320 lanes) and on the
 * synthetic 10x network, for random depot-to-depot requests drawn from a fixed seed: any two
 * depots (so some cross the Atlantic and, unless EXPRESS or SAME_DAY, find no route), ready at
 * random times over a week, with a mix of service levels. SampleTime, so the percentiles (p50,
 * p99) come out. The defaults here are the short ones; scripts/benchmark routing passes its own.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 10)
public class RoutePlanningBenchmark {

    private static final int REQUESTS = 4096; // a power of two, see plan()
    private static final Instant WEEK = Instant.parse("2026-06-01T00:00:00Z");

    @Param({"1", "10"})
    public int scale;

    private RoutingNetwork network;
    private SeedNetwork source;
    private RouteRequest[] requests;
    private int next;
    private final RoutePlanner planner = new RoutePlanner();

    @Setup(Level.Trial)
    public void setUp() {
        source = scale == 1 ? SeedNetwork.load() : SeedNetworkGenerator.scaled(scale);
        network = source.routingNetwork();
        if (!network.problems().isEmpty()) throw new IllegalStateException("network problems: " + network.problems());
        List<String> depots = network.facilities().stream().filter(f -> f.getType() == FacilityType.DEPOT)
                .map(Facility::getFacilityId).toList();
        Random random = new Random(42);
        requests = new RouteRequest[REQUESTS];
        int found = 0;
        for (int i = 0; i < REQUESTS; i++) {
            String from = depots.get(random.nextInt(depots.size()));
            String to;
            do {
                to = depots.get(random.nextInt(depots.size()));
            } while (to.equals(from));
            Instant readyAt = WEEK.plus(Duration.ofMinutes(random.nextInt(7 * 24 * 60)));
            int level = random.nextInt(20);
            ServiceLevel serviceLevel = level < 10 ? ServiceLevel.STANDARD : level < 15 ? ServiceLevel.EXPRESS
                    : level < 18 ? ServiceLevel.ECONOMY : ServiceLevel.SAME_DAY;
            requests[i] = RouteRequest.of(from, to, readyAt, serviceLevel);
            if (planner.plan(network, requests[i]) instanceof RouteResult.Found) found++;
        }
        System.out.printf("%nscale %d: %d facilities, %d lanes, %d depots; %d of %d requests have a route%n", scale,
                network.facilities().size(), network.lanes().size(), depots.size(), found, REQUESTS);
    }

    /** One plan for the next request of the fixed list. */
    @Benchmark
    public RouteResult plan() {
        RouteRequest request = requests[next++ & (REQUESTS - 1)];
        return planner.plan(network, request);
    }

    /** Building the planner's snapshot from the records, as a host does after the network changed. */
    @Benchmark
    public RoutingNetwork snapshot() {
        return RoutingNetwork.of(source.facilities(), source.lanes());
    }
}
