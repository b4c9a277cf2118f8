package io.waybill.planner;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Two stand-in engine instances for the planner-api's own tests: each answers the engine's internal
 * queries from what the test puts here, or can be switched to failing. (The real engines are
 * exercised end to end in system-tests.)
 */
public class StubEngines implements QuarkusTestResourceLifecycleManager {

    static final String EMPTY_PAGE = "{\"items\":[],\"nextCursor\":null,\"unavailableInstances\":[]}";

    /** GET /internal/shipments/{id}: shipmentId to body. */
    static final Map<String, String> SHIPMENTS = new ConcurrentHashMap<>();
    /** GET /internal/shipments/{id}/history. */
    static final Map<String, String> HISTORIES = new ConcurrentHashMap<>();
    /** Shipments answered from a standby replica: shipmentId to the lag in records. */
    static final Map<String, Long> STALE = new ConcurrentHashMap<>();
    /** GET /internal/facilities/{id}/load: facilityId to body. */
    static final Map<String, String> LOADS = new ConcurrentHashMap<>();
    /** Every path and query asked, newest last. */
    static final List<String> REQUESTS = new CopyOnWriteArrayList<>();
    static volatile String shipmentList = EMPTY_PAGE;
    static volatile String exceptionList = EMPTY_PAGE;
    static volatile String exceptionCounts = "{\"byFacility\":{},\"byType\":{},\"bySeverity\":{},\"unavailableInstances\":[]}";
    static volatile boolean firstDown;
    static volatile boolean allDown;
    /** Only the load endpoint fails (503). */
    static volatile boolean loadDown;
    /** The first instance (or every instance) accepts the request and then never answers: a paused process. */
    static volatile boolean firstHangs;
    static volatile boolean allHang;
    /** The service token the stand-ins accept, as real engines do: any other call gets 401. */
    static final String SERVICE_TOKEN = "stub-engine-token-0123456789abcdef";
    /** A test can make the engines expect another token (a planner-api configured with a stale one). */
    static volatile String acceptedToken = SERVICE_TOKEN;

    private HttpServer first;
    private HttpServer second;

    static void reset() {
        SHIPMENTS.clear();
        HISTORIES.clear();
        STALE.clear();
        LOADS.clear();
        REQUESTS.clear();
        shipmentList = EMPTY_PAGE;
        exceptionList = EMPTY_PAGE;
        firstDown = false;
        allDown = false;
        loadDown = false;
        firstHangs = false;
        allHang = false;
        acceptedToken = SERVICE_TOKEN;
    }

    /** The last request whose path starts with {@code prefix}. */
    static String lastRequest(String prefix) {
        for (int i = REQUESTS.size() - 1; i >= 0; i--) {
            if (REQUESTS.get(i).startsWith(prefix)) return REQUESTS.get(i);
        }
        return null;
    }

    @Override
    public Map<String, String> start() {
        first = server(true);
        second = server(false);
        return Map.of("waybill.engine.urls",
                "http://127.0.0.1:" + first.getAddress().getPort() + ",http://127.0.0.1:" + second.getAddress().getPort(),
                "waybill.engine.api-token", SERVICE_TOKEN);
    }

    private record Answer(int status, String body, Long lag) {
        static Answer of(String body) {
            return body == null ? new Answer(404, "{\"error\":\"unknown\"}", null) : new Answer(200, body, null);
        }
    }

    private static Answer answer(String path) {
        if (path.equals("/q/health/ready")) return new Answer(200, "{}", null);
        if (path.equals("/internal/shipments")) return Answer.of(shipmentList);
        if (path.equals("/internal/exceptions")) return Answer.of(exceptionList);
        if (path.equals("/internal/exceptions/counts")) return Answer.of(exceptionCounts);
        if (path.startsWith("/internal/facilities/") && path.endsWith("/load")) {
            if (loadDown) return new Answer(503, "{\"error\":\"restoring\"}", null);
            return Answer.of(LOADS.get(path.substring("/internal/facilities/".length(), path.length() - "/load".length())));
        }
        if (path.startsWith("/internal/shipments/") && path.endsWith("/history")) {
            String id = path.substring("/internal/shipments/".length(), path.length() - "/history".length());
            Answer a = Answer.of(HISTORIES.get(id));
            return new Answer(a.status(), a.body(), STALE.get(id));
        }
        if (path.startsWith("/internal/shipments/")) {
            String id = path.substring("/internal/shipments/".length());
            Answer a = Answer.of(SHIPMENTS.get(id));
            return new Answer(a.status(), a.body(), STALE.get(id));
        }
        return new Answer(404, "{\"error\":\"no such endpoint\"}", null);
    }

    private static HttpServer server(boolean isFirst) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/", exchange -> {
                String path = exchange.getRequestURI().getPath();
                String query = exchange.getRequestURI().getRawQuery();
                if (!path.startsWith("/q/")) REQUESTS.add(path + (query == null ? "" : "?" + query));
                if (!path.startsWith("/q/") && (allHang || (isFirst && firstHangs))) {
                    hang();
                }
                boolean authenticated = path.startsWith("/q/")
                        || ("Bearer " + acceptedToken).equals(exchange.getRequestHeaders().getFirst("Authorization"));
                Answer answer = !authenticated ? new Answer(401, "{\"error\":\"the engine API needs a service token\"}", null)
                        : allDown || (isFirst && firstDown) ? new Answer(503, "{\"error\":\"restoring\"}", null) : answer(path);
                byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                if (answer.lag() != null) {
                    exchange.getResponseHeaders().add("X-Waybill-Stale", "true");
                    exchange.getResponseHeaders().add("X-Waybill-Lag-Records", Long.toString(answer.lag()));
                }
                exchange.sendResponseHeaders(answer.status(), bytes.length);
                exchange.getResponseBody().write(bytes);
                exchange.close();
            });
            // A thread per request, so that a hanging one does not hold up the others.
            server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Holds the request for up to 30 s, or until the test resets the stubs. */
    private static void hang() {
        long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while ((allHang || firstHangs) && System.nanoTime() < until) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void stop() {
        first.stop(0);
        second.stop(0);
    }
}
