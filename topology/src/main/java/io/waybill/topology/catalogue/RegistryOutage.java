package io.waybill.topology.catalogue;

import com.microsoft.kiota.ApiException;

import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Tells a registry that could not answer (refused, reset, closed, timed out, 5xx, 429) from a registry
 * that answered no (an unknown schema id, an incompatible schema), and retries the first kind briefly.
 *
 * <p>Why: Apicurio's serdes retry only HTTP 429, and its client's own retry looks at the top exception
 * only, while its Vert.x adapter wraps a closed keep-alive connection in
 * {@code RuntimeException(ExecutionException(HttpClosedException))}. Unhandled, one closed connection
 * failed a producer's send, and a valid record would have been dead-lettered as undeserialisable.
 */
public final class RegistryOutage {

    /** Attempts in one call, and the first pause (doubled each time): about 0.7 s in all, short enough for a stream thread's poll. */
    static final int ATTEMPTS = 4;
    static final Duration FIRST_PAUSE = Duration.ofMillis(100);

    private RegistryOutage() {
    }

    /** Somewhere in the chain of causes the registry could not be reached or could not answer now. */
    public static boolean isCause(Throwable exception) {
        for (Throwable t = exception; t != null; t = t.getCause() == t ? null : t.getCause()) {
            // network failures only: an EOFException of truncated Avro bytes is poison, not an outage
            if (t instanceof SocketException || t instanceof SocketTimeoutException || t instanceof HttpTimeoutException
                    || t instanceof UnknownHostException || t instanceof ClosedChannelException
                    || t instanceof java.util.concurrent.TimeoutException) {
                return true; // ConnectException and "Connection reset" are SocketExceptions
            }
            if (t instanceof ApiException api && (api.getResponseStatusCode() >= 500 || api.getResponseStatusCode() == 429)) {
                return true;
            }
            // Vert.x is Apicurio's HTTP adapter when present; named, not imported, so no Vert.x dependency here
            String name = t.getClass().getName();
            if (name.equals("io.vertx.core.http.HttpClosedException") || name.equals("io.netty.channel.ConnectTimeoutException")) {
                return true;
            }
        }
        return false;
    }

    /** Runs a registry-backed call, again after 100, 200, 400 ms while the registry cannot answer; then throws its last failure. */
    public static <T> T retrying(Supplier<T> call) {
        return retrying(call, RegistryOutage::sleep);
    }

    interface Pause {
        void pause(Duration duration) throws InterruptedException;
    }

    static <T> T retrying(Supplier<T> call, Pause pause) {
        Duration wait = FIRST_PAUSE;
        for (int attempt = 1; ; attempt++) {
            try {
                return call.get();
            } catch (RuntimeException e) {
                if (attempt == ATTEMPTS || !isCause(e)) {
                    throw e;
                }
                try {
                    pause.pause(wait);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
                wait = wait.multipliedBy(2);
            }
        }
    }

    private static void sleep(Duration duration) throws InterruptedException {
        Thread.sleep(duration.toMillis());
    }
}
