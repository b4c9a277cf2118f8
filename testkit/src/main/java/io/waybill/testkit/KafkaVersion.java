package io.waybill.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The version of the kafka-clients on the classpath (the root pom's kafka.version), read as Kafka itself reads it. */
public final class KafkaVersion {

    private KafkaVersion() {
    }

    public static String current() {
        // kafka-clients' own resource: AppInfoParser, which reads it, moved to an internal package in 4.4
        try (InputStream in = org.apache.kafka.clients.producer.KafkaProducer.class.getResourceAsStream("/kafka/kafka-version.properties")) {
            Properties p = new Properties();
            if (in != null) p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
