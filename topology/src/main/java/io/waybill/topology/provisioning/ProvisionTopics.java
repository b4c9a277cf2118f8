package io.waybill.topology.provisioning;

import io.waybill.contract.TopicCatalogue;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * Command line: creates missing topics from the catalogue, reports drift, exits 1 on drift, 2 on
 * bad usage or an unreachable cluster. Used by scripts/run-local, the tests and the Helm hook.
 *
 * <pre>
 * provision-topics --bootstrap-servers host:9092 [--max-replication-factor N]
 *                  [--command-config client.properties] [--catalogue topics.yaml] [--dry-run]
 * </pre>
 */
public final class ProvisionTopics {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String[] args) {
        String bootstrap = null;
        String commandConfig = null;
        String cataloguePath = null;
        int maxReplicationFactor = Short.MAX_VALUE;
        boolean dryRun = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--bootstrap-servers" -> bootstrap = value(args, ++i);
                case "--command-config" -> commandConfig = value(args, ++i);
                case "--catalogue" -> cataloguePath = value(args, ++i);
                case "--max-replication-factor" -> maxReplicationFactor = Integer.parseInt(value(args, ++i));
                case "--dry-run" -> dryRun = true;
                default -> {
                    System.err.println("unknown argument " + args[i]);
                    return 2;
                }
            }
        }
        if (bootstrap == null) {
            System.err.println("usage: provision-topics --bootstrap-servers host:port [--max-replication-factor N] "
                    + "[--command-config file] [--catalogue topics.yaml] [--dry-run]");
            return 2;
        }
        try {
            Properties props = new Properties();
            if (commandConfig != null) {
                try (InputStream in = new FileInputStream(commandConfig)) {
                    props.load(in);
                }
            }
            props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            TopicCatalogue catalogue;
            if (cataloguePath != null) {
                try (InputStream in = new FileInputStream(cataloguePath)) {
                    catalogue = TopicCatalogue.parse(in);
                }
            } else {
                catalogue = TopicCatalogue.standard();
            }
            try (Admin admin = Admin.create(props)) {
                var report = new TopicProvisioner(admin, 60_000).provision(catalogue, maxReplicationFactor, dryRun);
                report.findings().forEach(f -> System.out.println(f));
                if (report.hasDrift()) {
                    System.err.println(report.drift().size() + " topic(s) differ from the catalogue; fix the topic or the catalogue by hand");
                    return 1;
                }
                return 0;
            }
        } catch (IOException e) {
            System.err.println("cannot read configuration: " + e.getMessage());
            return 2;
        } catch (Exception e) {
            System.err.println("provisioning failed: " + e);
            return 2;
        }
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) throw new IllegalArgumentException(args[i - 1] + " needs a value");
        return args[i];
    }
}
