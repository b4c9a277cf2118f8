package io.waybill.helm;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.waybill.contract.ArrivedAtFacility;
import io.waybill.contract.ShipmentEvent;
import io.waybill.contract.TopicCatalogue;
import io.waybill.contract.TopicSpec;
import io.waybill.contract.WaybillTopic;
import io.waybill.testkit.DevTokens;
import io.waybill.testkit.Jvm;
import io.waybill.testkit.ManagedProcess;
import io.waybill.testkit.Ports;
import io.waybill.testkit.RepoLayout;
import io.waybill.testkit.TestPlatform;
import io.waybill.topology.catalogue.WaybillSerdes;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The chart's configuration on the real services: a one-broker Kafka cluster and the registry as
 * processes on 127.0.0.1, and the packaged engine, gateway and planner API started with exactly the environment
 * the rendered chart gives their containers (as the kubelet would resolve it), the provisioning Job's
 * command and the network seed Job's run as rendered. Only what cannot hold outside a cluster is
 * replaced: the listen address and port (127.0.0.1 instead of the pod's), the volume paths (the
 * planner API's token verification key is a development key pair made here), the engine Service's
 * address, and the JVM size.
 *
 * <p>Then the alert expressions and the dashboard queries are checked against what the running
 * services export on /q/metrics. Takes about 1.5 minutes: Micrometer binds Kafka's per-topic metrics
 * only on its refresh, once a minute.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ChartOnRunningServicesTest {

    private static final Logger LOG = LoggerFactory.getLogger(ChartOnRunningServicesTest.class);
    private static final Duration READY_WITHIN = Duration.ofSeconds(180);
    private static final String ENGINE_POD = "waybill-engine-0";
    private static final String GATEWAY_POD = "waybill-gateway-0";
    private static final String PLANNER_POD = "waybill-planner-api-5d8f7c9b4-x2x7q";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private TestPlatform platform;
    private Manifests manifests;
    private Path work;
    private DevTokens tokens;
    private ManagedProcess engine;
    private ManagedProcess gateway;
    private ManagedProcess plannerApi;
    private String engineUrl;
    private String engineToken;
    private String gatewayUrl;
    private String plannerUrl;

    @BeforeAll
    void start() throws Exception {
        work = Files.createDirectories(Path.of("target", "chart-on-running-services-" + System.currentTimeMillis())).toAbsolutePath();
        platform = TestPlatform.start(1, TestPlatform.Hosting.PROCESSES);
        tokens = DevTokens.ensure(work.resolve("auth"));
        // One broker: internal topics and the topic cap at replication 1, monitoring rendered, the
        // planner API's key from a Secret, the seed network published by the Job.
        manifests = HelmChart.render("""
                kafka: {bootstrapServers: "%s"}
                registry: {url: "%s"}
                engine:
                  replicationFactor: 1
                  minInsyncReplicas: 1
                  standbyReplicas: 0
                  streamsProperties: {num.stream.threads: 2}
                gateway:
                  config: {quarkus.http.limits.max-header-size: 2K}
                plannerApi:
                  auth:
                    jwt: {publicKeySecret: waybill-planner-api-jwt, issuer: "%s"}
                network:
                  seed: {enabled: true}
                topics: {maxReplicationFactor: 1}
                metrics:
                  prometheusRule: {enabled: true}
                  grafanaDashboard: {enabled: true}
                """.formatted(platform.kafka().bootstrapServers(), platform.registry().apiUrl(), DevTokens.ISSUER));

        int enginePort = Ports.free();
        Map<String, String> engineEnv = containerEnvironment(manifests.statefulSet("waybill-engine").getSpec().getTemplate().getSpec(), "engine", ENGINE_POD);
        engineEnv.put("QUARKUS_HTTP_HOST", Ports.LOOPBACK);
        engineEnv.put("QUARKUS_HTTP_PORT", Integer.toString(enginePort));
        engineEnv.put("QUARKUS_KAFKA_STREAMS_APPLICATION_SERVER", Ports.LOOPBACK + ":" + enginePort);
        engineEnv.put("WAYBILL_ENGINE_STATE_DIR", Files.createDirectories(work.resolve("engine-state")).toString());
        engineToken = engineEnv.get("WAYBILL_ENGINE_API_TOKEN"); // from the Secret the chart made
        assertThat(engineToken).as("the chart's engine API token").hasSizeGreaterThanOrEqualTo(24);
        engine = service("engine", engineEnv);
        engineUrl = "http://" + Ports.LOOPBACK + ":" + enginePort;

        int gatewayPort = Ports.free();
        Map<String, String> gatewayEnv = containerEnvironment(manifests.statefulSet("waybill-gateway").getSpec().getTemplate().getSpec(), "gateway", GATEWAY_POD);
        gatewayEnv.put("QUARKUS_HTTP_HOST", Ports.LOOPBACK);
        gatewayEnv.put("QUARKUS_HTTP_PORT", Integer.toString(gatewayPort));
        gatewayEnv.put("WAYBILL_GATEWAY_SPOOL_DIR", Files.createDirectories(work.resolve("gateway-spool")).toString());
        gateway = service("gateway", gatewayEnv);
        gatewayUrl = "http://" + Ports.LOOPBACK + ":" + gatewayPort;

        int plannerPort = Ports.free();
        Map<String, String> plannerEnv = containerEnvironment(manifests.deployment("waybill-planner-api").getSpec().getTemplate().getSpec(), "planner-api", PLANNER_POD);
        assertThat(plannerEnv).containsEntry("WAYBILL_ENGINE_URLS", "http://waybill-engine:8080");
        plannerEnv.put("WAYBILL_ENGINE_URLS", engineUrl); // the engine Service, here
        assertThat(plannerEnv).as("the planner API sends the engines' token").containsEntry("WAYBILL_ENGINE_API_TOKEN", engineToken);
        // the key Secret's mount, here: the development public key
        assertThat(plannerEnv).containsEntry("MP_JWT_VERIFY_PUBLICKEY_LOCATION", "file:/etc/waybill/planner-api/jwt/public.pem")
                .containsEntry("MP_JWT_VERIFY_ISSUER", DevTokens.ISSUER);
        plannerEnv.put("MP_JWT_VERIFY_PUBLICKEY_LOCATION", "file:" + tokens.publicKeyFile());
        plannerEnv.put("QUARKUS_HTTP_HOST", Ports.LOOPBACK);
        plannerEnv.put("QUARKUS_HTTP_PORT", Integer.toString(plannerPort));
        plannerApi = service("planner-api", plannerEnv);
        plannerUrl = "http://" + Ports.LOOPBACK + ":" + plannerPort;
    }

    @AfterAll
    void stop() {
        Instant stopping = Instant.now();
        List.of(java.util.Optional.ofNullable(plannerApi), java.util.Optional.ofNullable(gateway), java.util.Optional.ofNullable(engine)).parallelStream()
                .flatMap(java.util.Optional::stream).forEach(p -> p.stop(Duration.ofSeconds(20)));
        if (platform != null) platform.close();
        LOG.info("stopped services and platform in {} ms", Duration.between(stopping, Instant.now()).toMillis());
    }

    @Test
    void the_chart_configures_the_services_and_its_alerts_query_metrics_they_export() throws Exception {
        // given the provisioning Job's command as rendered, run against the cluster the test platform provisioned
        JobRun job = runJob("waybill-provision-topics", "provision-topics");

        // then it finds every catalogue topic as the catalogue wants it and exits 0 (idempotent, no drift)
        assertThat(job.exitCode()).as(job.output()).isZero();
        for (TopicSpec topic : TopicCatalogue.standard().all()) {
            assertThat(job.output()).as(job.output()).containsPattern("UP_TO_DATE\\s+" + topic.name().replace(".", "\\."));
        }

        // when the engine started with the chart's environment is running (it answers a query from its store)
        await("engine running").ignoreExceptions().atMost(READY_WITHIN).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                assertThat(get(engineUrl + "/internal/shipments/helm-chart-test", engineToken).statusCode())
                        .as("engine log:\n%s", engine.tail(30)).isEqualTo(404));
        // and it refuses a caller without the service token of the chart's Secret
        assertThat(get(engineUrl + "/internal/shipments/helm-chart-test").statusCode()).isEqualTo(401);

        // then it joined the consumer group under its pod name: static membership reached Kafka Streams
        try (Admin admin = Admin.create(platform.adminProperties())) {
            var group = admin.describeConsumerGroups(List.of("waybill-engine")).all().get(30, TimeUnit.SECONDS).get("waybill-engine");
            assertThat(group.members()).extracting(MemberDescription::groupInstanceId)
                    .anySatisfy(id -> assertThat(id).hasValueSatisfying(v -> assertThat(v).startsWith(ENGINE_POD)));
        }

        // when a record goes to the dead-letter topic (an event keyed by something else than its shipment)
        publishEventUnderTheWrongKey();
        await("gateway ready").ignoreExceptions().atMost(READY_WITHIN).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                assertThat(get(gatewayUrl + "/q/health/ready").statusCode()).as("gateway log:\n%s", gateway.tail(30)).isEqualTo(200));
        // and the planner API answers the queries `helm test` makes: 401 without a token; with a viewer
        // token (verified with the key the chart names), an unknown shipment, 404 from the engine's store
        String viewer = tokens.mint("viewer", "helm-chart-test", Duration.ofMinutes(30));
        await("planner API answers").ignoreExceptions().atMost(READY_WITHIN).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            assertThat(get(plannerUrl + "/api/v1/shipments/helm-test-no-such-shipment").statusCode())
                    .as("planner API log:\n%s", plannerApi.tail(30)).isEqualTo(401);
            HttpResponse<String> unknown = get(plannerUrl + "/api/v1/shipments/helm-test-no-such-shipment", viewer);
            assertThat(unknown.statusCode()).as("planner API log:\n%s", plannerApi.tail(30)).isEqualTo(404);
            assertThat(unknown.body()).contains("is unknown");
        });
        // and roles come from the token's groups: a viewer may not change the network
        HttpResponse<String> refused = http.send(HttpRequest.newBuilder(URI.create(plannerUrl + "/api/v1/facilities/DE-HUB-FRA/status"))
                .header("Authorization", "Bearer " + viewer).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"status\": \"CLOSED\", \"reason\": \"helm chart test\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(403);

        // when the network seed Job's command runs as rendered
        JobRun seed = runJob("waybill-seed-network", "seed-network");

        // then it publishes the bundled seed network, which the planner API's network view then serves
        assertThat(seed.exitCode()).as(seed.output()).isZero();
        assertThat(seed.output()).containsPattern("published \\d+ facilities to waybill\\.facilities\\.v1 and \\d+ lanes to waybill\\.lanes\\.v1");
        await("seed network in the planner API").ignoreExceptions().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            HttpResponse<String> hub = get(plannerUrl + "/api/v1/facilities/DE-HUB-FRA", viewer);
            assertThat(hub.statusCode()).as(hub.body()).isEqualTo(200);
            assertThat(hub.body()).contains("\"facilityId\":\"DE-HUB-FRA\"");
        });

        // and the live stream answers a viewer as Server-Sent Events, greeting first
        assertThat(firstStreamLine(viewer)).matches(":\\s?connected");
        // and Micrometer has bound the topic-level metrics (it looks for new Kafka metrics once a minute)
        MetricsScrape engineMetrics = await("dead-letter metric").ignoreExceptions().atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofSeconds(2))
                .until(() -> new MetricsScrape(get(engineUrl + "/q/metrics").body()),
                        scrape -> scrape.series().stream().anyMatch(s -> s.name().equals("kafka_stream_topic_records_produced_total")
                                && WaybillTopic.DEAD_LETTERS.topicName().equals(s.labels().get("topic"))));

        // and the chart's pass-through settings took effect: two stream threads, a 2 KB header limit
        assertThat(engineMetrics.series()).filteredOn(s -> s.name().equals("kafka_stream_alive_stream_threads"))
                .singleElement().satisfies(s -> assertThat(engineMetrics.value(s)).isEqualTo(2.0));
        HttpResponse<String> tooLarge = http.send(HttpRequest.newBuilder(URI.create(gatewayUrl + "/q/health/ready"))
                .version(HttpClient.Version.HTTP_1_1).header("X-Padding", "x".repeat(3000)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(tooLarge.statusCode()).isEqualTo(431);

        // then every selector of every alert and dashboard query matches series the services export,
        // but for the metrics later issues will add, and Prometheus' own "up". Micrometer binds Kafka's
        // metrics once a minute, and one scrape has been seen to lack a thread-level gauge while it
        // rebinds, so the check re-scrapes for up to two binding rounds before it fails.
        await("every monitoring selector matched").atMost(Duration.ofSeconds(130)).pollInterval(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(unmatchedSelectors(Map.of("waybill-engine", new MetricsScrape(get(engineUrl + "/q/metrics").body()),
                        "waybill-gateway", new MetricsScrape(get(gatewayUrl + "/q/metrics").body()),
                        "waybill-planner-api", new MetricsScrape(get(plannerUrl + "/q/metrics").body()))))
                        .as("selectors that match no scraped series").isEmpty());
    }

    private List<String> unmatchedSelectors(Map<String, MetricsScrape> scrapes) {
        List<String> unmatched = new ArrayList<>();
        MonitoringQueries.of(manifests).forEach((query, expr) -> {
            for (PromQl.Selector selector : PromQl.selectors(expr)) {
                if (MonitoringQueries.SYNTHETIC_METRICS.contains(selector.metric())) continue;
                boolean exported = scrapes.entrySet().stream()
                        .filter(e -> jobMatches(selector, e.getKey()))
                        .anyMatch(e -> e.getValue().series().stream().anyMatch(s -> matches(selector, s)));
                if (exported) continue;
                if (MonitoringQueries.METRICS_PROMISED_BY_LATER_ISSUES.containsKey(selector.metric())
                        && scrapes.values().stream().noneMatch(s -> s.has(selector.metric()))) {
                    continue;
                }
                unmatched.add(query + ": " + selector.metric() + selector.matchers());
            }
        });
        return unmatched;
    }

    private static boolean jobMatches(PromQl.Selector selector, String job) {
        return selector.matchers().stream().filter(m -> m.label().equals("job")).allMatch(m -> m.matches(job));
    }

    private static boolean matches(PromQl.Selector selector, MetricsScrape.Series series) {
        return series.name().equals(selector.metric()) && selector.matchers().stream()
                .filter(m -> !MonitoringQueries.TARGET_LABELS.contains(m.label()))
                .allMatch(m -> m.matches(series.labels()));
    }

    private Map<String, String> containerEnvironment(PodSpec pod, String container, String podName) {
        return new LinkedHashMap<>(PodEnvironment.of(Manifests.container(pod, container), manifests,
                Map.of("metadata.name", podName, "metadata.namespace", HelmChart.NAMESPACE, "status.podIP", Ports.LOOPBACK)));
    }

    /** The image's entry point runs java with JAVA_OPTS_APPEND; the heap is capped for this machine. */
    private ManagedProcess service(String name, Map<String, String> env) {
        List<String> command = new ArrayList<>(List.of(Jvm.java17(), "-Xms64m", "-Xmx384m"));
        command.addAll(Arrays.asList(env.getOrDefault("JAVA_OPTS_APPEND", "").trim().split("\\s+")));
        command.addAll(List.of("-jar", RepoLayout.serviceJar(name).toString()));
        LOG.info("starting {} with the chart's environment {}", name, env.keySet());
        return new ManagedProcess(name, command, env, work.resolve("run")).start();
    }

    private record JobRun(int exitCode, String output) {
    }

    /** A Job's container command and args, with its ConfigMap volumes as directories and the image's /deployments as the packaged engine. */
    private JobRun runJob(String job, String containerName) throws Exception {
        PodSpec pod = manifests.job(job).getSpec().getTemplate().getSpec();
        Container container = Manifests.container(pod, containerName);
        Map<String, Path> mounts = new LinkedHashMap<>();
        mounts.put("/deployments/", RepoLayout.serviceJar("engine").getParent());
        for (VolumeMount mount : container.getVolumeMounts()) {
            Volume volume = pod.getVolumes().stream().filter(v -> v.getName().equals(mount.getName())).findFirst().orElseThrow();
            if (volume.getConfigMap() == null) continue;
            Path dir = Files.createDirectories(work.resolve("job-volumes").resolve(mount.getName()));
            for (var file : manifests.get(ConfigMap.class, volume.getConfigMap().getName()).getData().entrySet()) {
                Files.writeString(dir.resolve(file.getKey()), file.getValue(), StandardCharsets.UTF_8);
            }
            mounts.put(mount.getMountPath() + "/", dir);
        }
        List<String> command = new ArrayList<>();
        for (String arg : concat(container.getCommand(), container.getArgs())) {
            String local = arg.equals("java") ? Jvm.java17() : arg;
            for (var mount : mounts.entrySet()) {
                local = local.replace(mount.getKey(), mount.getValue() + "/");
            }
            command.add(local);
        }
        Instant started = Instant.now();
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = process.waitFor();
        LOG.info("{} Job command exited {} in {} ms:\n{}", job, exit, Duration.between(started, Instant.now()).toMillis(), output);
        return new JobRun(exit, output);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a == null ? List.of() : a);
        if (b != null) all.addAll(b);
        return all;
    }

    private void publishEventUnderTheWrongKey() throws Exception {
        Instant now = Instant.now();
        ShipmentEvent event = ShipmentEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setShipmentId("HELM-" + UUID.randomUUID())
                .setOccurredAt(now).setRecordedAt(now).setSource("helm-chart-test").setPayload(new ArrivedAtFacility("BER-HUB")).build();
        var serde = WaybillSerdes.withRegistry(platform.registry().apiUrl()).value(ShipmentEvent.class);
        try (var producer = new KafkaProducer<>(Map.<String, Object>of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.kafka().bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), serde.serializer())) {
            producer.send(new ProducerRecord<>(WaybillTopic.SHIPMENT_EVENTS.topicName(), "not-" + event.getShipmentId(), event)).get(30, TimeUnit.SECONDS);
        }
    }

    /** The first line of GET /api/v1/stream with the token; the connection is closed after it. */
    private String firstStreamLine(String token) throws Exception {
        HttpResponse<java.io.InputStream> stream = http.send(HttpRequest.newBuilder(URI.create(plannerUrl + "/api/v1/stream"))
                .header("Authorization", "Bearer " + token).header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofInputStream());
        try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
            assertThat(stream.statusCode()).isEqualTo(200);
            assertThat(stream.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
            return lines.readLine();
        }
    }

    private HttpResponse<String> get(String url) {
        return get(url, null);
    }

    private HttpResponse<String> get(String url, String token) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5));
            if (token != null) request.header("Authorization", "Bearer " + token);
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            throw new IllegalStateException(url + " did not answer: " + e, e);
        }
    }
}
