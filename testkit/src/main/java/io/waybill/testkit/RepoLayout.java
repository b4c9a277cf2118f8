package io.waybill.testkit;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the build puts what the local platform runs. */
public final class RepoLayout {

    private RepoLayout() {
    }

    /** The repository root: -Dwaybill.repo.root (set by the build), else the first parent with scripts/local-platform. */
    public static Path root() {
        String configured = System.getProperty("waybill.repo.root", System.getenv("WAYBILL_REPO_ROOT"));
        if (configured != null && !configured.isBlank()) return Path.of(configured).toAbsolutePath().normalize();
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            if (Files.isDirectory(dir.resolve("scripts/local-platform")) && Files.exists(dir.resolve("pom.xml"))) return dir;
            dir = dir.getParent();
        }
        throw new IllegalStateException("cannot find the Waybill repository root; set -Dwaybill.repo.root");
    }

    public static Path kafkaLibs() {
        return required(root().resolve("scripts/local-platform/target/kafka-libs"));
    }

    public static Path registryHome() {
        return required(root().resolve("scripts/local-platform/target/apicurio-registry"));
    }

    public static Path serviceJar(String service) {
        return required(root().resolve("services").resolve(service).resolve("target/quarkus-app/quarkus-run.jar"));
    }

    private static Path required(Path path) {
        if (!Files.exists(path)) {
            throw new IllegalStateException(path + " does not exist: build first (mvn -DskipTests install)");
        }
        return path;
    }
}
