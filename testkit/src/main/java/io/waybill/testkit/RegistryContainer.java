package io.waybill.testkit;

import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

import java.time.Duration;

/** Apicurio Registry 3 as a container, for machines with Docker (in-memory storage). */
public final class RegistryContainer implements SchemaRegistry {

    static final String IMAGE = "apicurio/apicurio-registry:3.3.3";

    private final GenericContainer<?> container;

    private RegistryContainer(GenericContainer<?> container) {
        this.container = container;
    }

    public static RegistryContainer start() {
        GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(IMAGE))
                .withExposedPorts(8080)
                .waitingFor(Wait.forHttp("/apis/registry/v3/system/info").forPort(8080).withStartupTimeout(Duration.ofMinutes(2)));
        container.start();
        return new RegistryContainer(container);
    }

    @Override
    public String baseUrl() {
        return "http://" + container.getHost() + ":" + container.getMappedPort(8080);
    }

    @Override
    public void close() {
        container.stop();
    }
}
