package io.waybill.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Lints an OpenAPI document with Redocly CLI, the linter client generators' users run, under the
 * rules in {@code testkit/openapi-lint/redocly.yaml}; every error and every warning is a problem.
 * Why Redocly and not a Java parser: it is the tool that found the documents' gaps (missing
 * operationIds, servers, security), and a schema validation alone passes all of them.
 * Needs node 20+ and npm (as the console's browser test does); the CLI comes from the lock file.
 */
public final class OpenApiLint {

    private static final ObjectMapper JSON = new ObjectMapper();

    private OpenApiLint() {
    }

    /** Each problem as "severity rule: message (at pointer)"; empty when the document is clean. */
    public static List<String> problems(String document) throws IOException, InterruptedException {
        Path dir = RepoLayout.root().resolve("testkit/openapi-lint");
        install(dir);
        Path file = Files.createTempFile("openapi-", ".json");
        Path out = Files.createTempFile("redocly-", ".json");
        try {
            Files.writeString(file, document, StandardCharsets.UTF_8);
            Process lint = node(dir, List.of(dir.resolve("node_modules/.bin/redocly").toString(), "lint", file.toString(),
                    "--config", dir.resolve("redocly.yaml").toString(), "--format", "json"))
                    .redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            if (!lint.waitFor(2, TimeUnit.MINUTES)) {
                lint.destroyForcibly();
                throw new IllegalStateException("redocly lint did not finish within 2 minutes");
            }
            String report = Files.readString(out);
            JsonNode json;
            try {
                json = JSON.readTree(report.substring(Math.max(0, report.indexOf('{'))));
            } catch (IOException e) {
                throw new IllegalStateException("redocly lint (exit " + lint.exitValue() + ") printed no JSON report: " + report, e);
            }
            List<String> problems = new ArrayList<>();
            for (JsonNode p : json.path("problems")) {
                String at = p.path("location").path(0).path("pointer").asText("");
                problems.add(p.path("severity").asText() + " " + p.path("ruleId").asText() + ": " + p.path("message").asText() + " (at " + at + ")");
            }
            if (problems.isEmpty() && lint.exitValue() != 0) problems.add("redocly lint exited " + lint.exitValue() + ": " + report);
            return problems;
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(out);
        }
    }

    /** npm ci from the lock file, once per checkout. */
    private static synchronized void install(Path dir) throws IOException, InterruptedException {
        if (Files.exists(dir.resolve("node_modules/@redocly/cli/package.json"))) return;
        Path log = Files.createTempFile("npm-ci-", ".log");
        Process npm;
        try {
            npm = node(dir, List.of("npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new IllegalStateException("linting OpenAPI needs node 20+ and npm on the PATH", e);
        }
        boolean finished = npm.waitFor(5, TimeUnit.MINUTES);
        if (!finished) npm.destroyForcibly();
        if (!finished || npm.exitValue() != 0) throw new IllegalStateException("npm ci in " + dir + " failed:\n" + Files.readString(log));
    }

    private static ProcessBuilder node(Path dir, List<String> command) {
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        // no telemetry and no update check: tests run offline and must not phone home
        builder.environment().put("REDOCLY_TELEMETRY", "off");
        builder.environment().put("REDOCLY_SUPPRESS_UPDATE_NOTICE", "true");
        return builder;
    }
}
