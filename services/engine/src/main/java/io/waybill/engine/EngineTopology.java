package io.waybill.engine;

import io.waybill.topology.WaybillTopology;
import io.waybill.topology.catalogue.WaybillSerdes;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import org.apache.kafka.streams.Topology;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Hands the framework-free topology to Quarkus, which runs and monitors it. */
@ApplicationScoped
public class EngineTopology {

    @Produces
    public Topology topology(@ConfigProperty(name = "waybill.registry.url") String registryUrl) {
        return WaybillTopology.build(WaybillSerdes.withRegistry(registryUrl));
    }
}
