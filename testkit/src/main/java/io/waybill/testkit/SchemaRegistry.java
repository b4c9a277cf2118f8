package io.waybill.testkit;

/** A real Apicurio Registry. */
public interface SchemaRegistry extends AutoCloseable {

    /** Base URL of the registry, e.g. http://127.0.0.1:8085 */
    String baseUrl();

    /** The URL Apicurio's serdes take (its v3 REST API). */
    default String apiUrl() {
        return baseUrl() + "/apis/registry/v3";
    }

    /** The Confluent-compatible API, for clients with Confluent's serializers. */
    default String confluentApiUrl() {
        return baseUrl() + "/apis/ccompat/v7";
    }

    @Override
    void close();
}
