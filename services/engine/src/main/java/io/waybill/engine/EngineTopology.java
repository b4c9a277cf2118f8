package io.waybill.engine;

import io.waybill.topology.WaybillTopology;
import io.waybill.topology.catalogue.WaybillSerdes;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import org.apache.kafka.streams.Topology;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Duration;

/** Hands the framework-free topology to Quarkus, which runs and monitors it. */
@ApplicationScoped
public class EngineTopology {

    @Produces
    public Topology topology(@ConfigProperty(name = "waybill.registry.url") String registryUrl,
                             @ConfigProperty(name = "waybill.engine.dedupe-window", defaultValue = "P7D") Duration dedupeWindow) {
        return WaybillTopology.build(WaybillSerdes.withRegistry(registryUrl), dedupeWindow);
    }
}
