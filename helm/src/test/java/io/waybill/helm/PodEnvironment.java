package io.waybill.helm;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The environment the kubelet would give a container of the rendered chart: envFrom ConfigMaps
 * first, then env in order, with downward-API fields filled in and $(VAR) references to variables
 * defined before expanded ($$ escapes). Secret references are not resolvable here.
 */
final class PodEnvironment {

    private static final Pattern REFERENCE = Pattern.compile("\\$\\$|\\$\\(([-._a-zA-Z][-._a-zA-Z0-9]*)\\)");

    private PodEnvironment() {
    }

    static Map<String, String> of(Container container, Manifests manifests, Map<String, String> fieldRefs) {
        Map<String, String> env = new LinkedHashMap<>();
        if (container.getEnvFrom() != null) {
            for (EnvFromSource source : container.getEnvFrom()) {
                env.putAll(manifests.configMapData(source.getConfigMapRef().getName()));
            }
        }
        if (container.getEnv() != null) {
            for (EnvVar var : container.getEnv()) {
                if (var.getValueFrom() == null) {
                    env.put(var.getName(), expand(var.getValue() == null ? "" : var.getValue(), env));
                } else if (var.getValueFrom().getFieldRef() != null) {
                    String path = var.getValueFrom().getFieldRef().getFieldPath();
                    if (!fieldRefs.containsKey(path)) throw new IllegalArgumentException("no value for field " + path);
                    env.put(var.getName(), fieldRefs.get(path));
                } else {
                    throw new IllegalArgumentException(var.getName() + ": only values and fieldRefs can be resolved outside a cluster");
                }
            }
        }
        return env;
    }

    static String expand(String value, Map<String, String> defined) {
        Matcher m = REFERENCE.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement;
            if (m.group().equals("$$")) replacement = "$";
            else replacement = defined.getOrDefault(m.group(1), m.group());
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }
}
