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
 * defined before expanded ($$ escapes). Secret references resolve against the Secrets the chart itself
 * renders (as the engine API's token); a reference to any other Secret cannot be resolved here.
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
                } else if (var.getValueFrom().getSecretKeyRef() != null) {
                    var ref = var.getValueFrom().getSecretKeyRef();
                    var secret = manifests.find(io.fabric8.kubernetes.api.model.Secret.class, ref.getName());
                    String encoded = secret.map(io.fabric8.kubernetes.api.model.Secret::getData).map(d -> d.get(ref.getKey())).orElse(null);
                    if (encoded != null) {
                        env.put(var.getName(), new String(java.util.Base64.getDecoder().decode(encoded), java.nio.charset.StandardCharsets.UTF_8));
                    } else if (!Boolean.TRUE.equals(ref.getOptional())) {
                        throw new IllegalArgumentException(var.getName() + ": key " + ref.getKey() + " of Secret " + ref.getName()
                                + " is not rendered by the chart, and only the chart's own Secrets can be resolved outside a cluster");
                    } // optional and absent: the kubelet leaves the variable out
                } else {
                    throw new IllegalArgumentException(var.getName() + ": only values, fieldRefs and the chart's own Secrets can be resolved outside a cluster");
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
