package io.waybill.testkit;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.HashMap;
import java.util.Map;

/**
 * {@code @QuarkusTestResource(WaybillTestResource.class)}: a real 3-broker Kafka cluster (one process
 * per broker, or containers where Docker is present) and a real registry with the catalogue's
 * topics, shared by every test class of the module's test JVM and stopped when it exits.
 */
public class WaybillTestResource implements QuarkusTestResourceLifecycleManager {

    private static TestPlatform platform;

    public static synchronized TestPlatform platform() {
        if (platform == null) {
            // Broker processes bind 127.0.0.1 only; the in-JVM kit binds every interface.
            TestPlatform.Hosting hosting = "in-jvm".equals(System.getProperty("waybill.test.kafka"))
                    ? TestPlatform.Hosting.IN_JVM : TestPlatform.Hosting.PROCESSES;
            platform = TestPlatform.start(3, hosting);
            TestPlatform started = platform;
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "waybill-test-platform-stop"));
        }
        return platform;
    }

    @Override
    public Map<String, String> start() {
        TestPlatform p = platform();
        Map<String, String> config = new HashMap<>();
        config.put("kafka.bootstrap.servers", p.kafka().bootstrapServers());
        config.put("quarkus.kafka-streams.bootstrap-servers", p.kafka().bootstrapServers());
        config.put("waybill.registry.url", p.registry().apiUrl());
        return config;
    }

    @Override
    public void stop() {
        // Shared across test classes; stopped by the shutdown hook.
    }
}
