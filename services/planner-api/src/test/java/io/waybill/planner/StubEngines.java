package io.waybill.planner;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Two stand-in engine instances for the planner-api's own tests: each answers key queries from a
 * map the test fills, or can be switched to failing. (The real engines are exercised end to end in
 * system-tests.)
 */
public class StubEngines implements QuarkusTestResourceLifecycleManager {

    static final Map<String, String> SHIPMENTS = new ConcurrentHashMap<>();
    static final Map<String, String> HISTORIES = new ConcurrentHashMap<>();
    static volatile boolean firstDown;
    static volatile boolean allDown;
    private HttpServer first;
    private HttpServer second;

    @Override
    public Map<String, String> start() {
        first = server(true);
        second = server(false);
        return Map.of("waybill.engine.urls",
                "http://127.0.0.1:" + first.getAddress().getPort() + ",http://127.0.0.1:" + second.getAddress().getPort());
    }

    private static HttpServer server(boolean isFirst) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/", exchange -> {
                String path = exchange.getRequestURI().getPath();
                int status;
                String body;
                if (allDown || (isFirst && firstDown)) {
                    status = 503;
                    body = "{\"error\":\"restoring\"}";
                } else if (path.equals("/q/health/ready")) {
                    status = 200;
                    body = "{}";
                } else if (path.endsWith("/history")) {
                    String id = path.substring("/internal/shipments/".length(), path.length() - "/history".length());
                    body = HISTORIES.get(id);
                    status = body == null ? 404 : 200;
                    if (body == null) body = "{\"error\":\"unknown\"}";
                } else {
                    String id = path.substring(path.lastIndexOf('/') + 1);
                    body = SHIPMENTS.get(id);
                    status = body == null ? 404 : 200;
                    if (body == null) body = "{\"error\":\"unknown\"}";
                }
                byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(status, bytes.length);
                exchange.getResponseBody().write(bytes);
                exchange.close();
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        first.stop(0);
        second.stop(0);
    }
}
