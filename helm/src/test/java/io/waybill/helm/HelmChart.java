package io.waybill.helm;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The chart in helm/waybill, rendered with helm-java (Helm 3.16 as a native library, no helm binary).
 *
 * <p>helm-java's {@code template} prints the release manifest only, without hooks (the topic
 * provisioning Job and its ConfigMaps, the {@code helm test} Pod). To test those too, charts are
 * rendered from a copy in target/ whose hook annotation keys are renamed, so Helm treats hooks as
 * ordinary resources; the output gets the real key back. The result is what {@code helm template}
 * prints, hooks included (in another order).
 */
final class HelmChart {

    static final Path SOURCE = Path.of("waybill").toAbsolutePath();
    static final Path PRODUCTION_VALUES = SOURCE.resolve("ci/production-values.yaml");
    static final String RELEASE = "waybill";
    static final String NAMESPACE = "logistics";

    private static final String HOOK_KEY = "helm.sh/hook";
    private static final String RENAMED_HOOK_KEY = "rendered-by-tests.waybill.io/hook";
    private static final Path WITH_VISIBLE_HOOKS = Path.of("target", "chart-with-visible-hooks", "waybill").toAbsolutePath();

    private static boolean copied;

    private HelmChart() {
    }

    /** The rendered manifests (hooks included) for the default values plus {@code valuesYaml}. */
    static Manifests render(String valuesYaml) {
        return new Manifests(template(valuesYaml));
    }

    static Manifests renderDefaults() {
        return render("");
    }

    static Manifests renderProduction() {
        return renderProduction("");
    }

    /** The production-like values of ci/production-values.yaml, then {@code valuesYaml} over them. */
    static Manifests renderProduction(String valuesYaml) {
        return new Manifests(template(valuesYaml, PRODUCTION_VALUES));
    }

    /** {@code helm template} output; throws with Helm's message when the values are rejected. */
    static String template(String valuesYaml, Path... valuesFiles) {
        TemplateCommand template = new Helm(chartWithVisibleHooks()).template().withName(RELEASE).withNamespace(NAMESPACE);
        for (Path file : valuesFiles) {
            template = template.withValuesFile(file);
        }
        if (!valuesYaml.isBlank()) {
            template = template.withValuesFile(writeTemp(valuesYaml));
        }
        return template.call().replace(RENAMED_HOOK_KEY, HOOK_KEY);
    }

    private static synchronized Path chartWithVisibleHooks() {
        if (copied) return WITH_VISIBLE_HOOKS;
        try {
            if (Files.exists(WITH_VISIBLE_HOOKS)) {
                try (Stream<Path> old = Files.walk(WITH_VISIBLE_HOOKS)) {
                    old.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
            try (Stream<Path> files = Files.walk(SOURCE)) {
                for (Path source : files.toList()) {
                    Path target = WITH_VISIBLE_HOOKS.resolve(SOURCE.relativize(source).toString());
                    if (Files.isDirectory(source)) {
                        Files.createDirectories(target);
                    } else if (source.startsWith(SOURCE.resolve("templates"))) {
                        Files.writeString(target, Files.readString(source).replace(HOOK_KEY, RENAMED_HOOK_KEY));
                    } else {
                        Files.copy(source, target);
                    }
                }
            }
            copied = true;
            return WITH_VISIBLE_HOOKS;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path writeTemp(String yaml) {
        try {
            Path dir = Files.createDirectories(Path.of("target", "values"));
            Path file = Files.createTempFile(dir, "values-", ".yaml");
            Files.writeString(file, yaml, StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
