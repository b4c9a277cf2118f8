package io.waybill.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The topic catalogue, read from {@code waybill/topics.yaml} on the classpath (or any YAML file
 * of the same shape). It is the only source of topic names and settings.
 */
public final class TopicCatalogue {

    public static final String RESOURCE = "waybill/topics.yaml";

    private static volatile TopicCatalogue standard;

    private final Map<WaybillTopic, TopicSpec> topics;

    private TopicCatalogue(Map<WaybillTopic, TopicSpec> topics) {
        this.topics = Collections.unmodifiableMap(topics);
    }

    /** The catalogue shipped with this build. */
    public static TopicCatalogue standard() {
        TopicCatalogue c = standard;
        if (c == null) {
            synchronized (TopicCatalogue.class) {
                if (standard == null) {
                    try (InputStream in = TopicCatalogue.class.getClassLoader().getResourceAsStream(RESOURCE)) {
                        if (in == null) throw new IllegalStateException(RESOURCE + " is not on the classpath");
                        standard = parse(in);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
                c = standard;
            }
        }
        return c;
    }

    public static TopicCatalogue parse(InputStream yaml) throws IOException {
        ObjectMapper mapper = new ObjectMapper(new YAMLFactory())
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);
        Document doc = mapper.readValue(yaml, Document.class);
        if (doc.defaults == null) throw new IllegalArgumentException("catalogue: 'defaults' is missing");
        if (doc.topics == null || doc.topics.isEmpty()) throw new IllegalArgumentException("catalogue: 'topics' is empty");

        Map<WaybillTopic, TopicSpec> specs = new EnumMap<>(WaybillTopic.class);
        List<String> names = new ArrayList<>();
        for (Entry e : doc.topics) {
            WaybillTopic id;
            try {
                id = WaybillTopic.valueOf(e.id);
            } catch (IllegalArgumentException | NullPointerException ex) {
                throw new IllegalArgumentException("catalogue: topic id '" + e.id + "' is not a WaybillTopic");
            }
            if (specs.containsKey(id)) throw new IllegalArgumentException("catalogue: topic id " + id + " is declared twice");
            if (e.name == null || e.name.isBlank()) throw new IllegalArgumentException("catalogue: topic " + id + " has no name");
            if (names.contains(e.name)) throw new IllegalArgumentException("catalogue: topic name " + e.name + " is used twice");
            names.add(e.name);
            specs.put(id, new TopicSpec(
                    id, e.name, e.description,
                    e.partitions != null ? e.partitions : doc.defaults.partitions,
                    (short) (e.replicationFactor != null ? e.replicationFactor : doc.defaults.replicationFactor),
                    e.minInsyncReplicas != null ? e.minInsyncReplicas : doc.defaults.minInsyncReplicas,
                    e.cleanupPolicy == null ? "delete" : e.cleanupPolicy,
                    e.retentionMs,
                    e.config,
                    e.key == null ? null : e.key.format,
                    e.value == null ? null : e.value.format,
                    e.value == null ? null : e.value.schema));
        }
        for (WaybillTopic t : WaybillTopic.values()) {
            if (!specs.containsKey(t)) throw new IllegalArgumentException("catalogue: topic " + t + " is missing");
        }
        return new TopicCatalogue(specs);
    }

    public TopicSpec topic(WaybillTopic id) {
        return topics.get(id);
    }

    public List<TopicSpec> all() {
        return List.copyOf(topics.values());
    }

    @JsonIgnoreProperties(ignoreUnknown = false)
    static final class Document {
        public Defaults defaults;
        public List<Entry> topics;
    }

    static final class Defaults {
        public int partitions;
        public int replicationFactor;
        public int minInsyncReplicas;
    }

    static final class Entry {
        public String id;
        public String name;
        public String description;
        public Integer partitions;
        public Integer replicationFactor;
        public Integer minInsyncReplicas;
        public String cleanupPolicy;
        public Long retentionMs;
        public Map<String, String> config;
        public Format key;
        public Format value;
    }

    static final class Format {
        public String format;
        public String meaning;
        public String schema;
    }
}
