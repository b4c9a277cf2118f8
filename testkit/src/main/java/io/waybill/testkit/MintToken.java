package io.waybill.testkit;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Mints a planner-api token with the development key of {@code scripts/run-local} ({@code .local/auth}):
 *
 * <pre>
 * scripts/mint-token viewer|planner|admin [--subject NAME] [--hours N]
 * </pre>
 *
 * Prints the token alone on stdout, so {@code TOKEN=$(scripts/mint-token planner)} works.
 */
public final class MintToken {

    private MintToken() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        String role = null;
        String subject = null;
        double hours = 12;
        Path keys = RepoLayout.root().resolve(".local/auth");
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--subject" -> subject = args[++i];
                    case "--hours" -> hours = Double.parseDouble(args[++i]);
                    case "--keys" -> keys = Path.of(args[++i]);
                    case "-h", "--help" -> {
                        usage();
                        return 0;
                    }
                    default -> {
                        if (role != null || args[i].startsWith("-")) throw new IllegalArgumentException("unexpected " + args[i]);
                        role = args[i];
                    }
                }
            }
        } catch (ArrayIndexOutOfBoundsException | IllegalArgumentException e) {
            System.err.println(e.getMessage() == null ? "missing value" : e.getMessage());
            usage();
            return 2;
        }
        if (role == null || !DevTokens.ROLES.contains(role)) {
            usage();
            return 2;
        }
        if (hours <= 0) {
            System.err.println("--hours must be positive");
            return 2;
        }
        if (!keys.resolve(DevTokens.PRIVATE_KEY_FILE).toFile().exists()) {
            System.err.println("no development key in " + keys + ": start the platform once with scripts/run-local");
            return 1;
        }
        DevTokens tokens = DevTokens.open(keys);
        System.out.println(tokens.mint(role, subject == null ? "dev-" + role : subject, Duration.ofSeconds(Math.round(hours * 3600))));
        return 0;
    }

    private static void usage() {
        System.err.println("usage: scripts/mint-token " + String.join("|", DevTokens.ROLES) + " [--subject NAME] [--hours N]");
    }
}
