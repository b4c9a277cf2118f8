package io.waybill.engine;

import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

/** Which stream-thread deaths get a new thread and which shut the client down (for the orchestrator to restart). */
class StreamThreadFailuresTest {

    private static final StreamsException BROKERS_AWAY =
            new StreamsException("task failed", new TimeoutException("Timeout expired after 60000ms while awaiting InitProducerId"));

    @Test
    void a_timeout_while_the_brokers_are_away_gets_a_new_thread() {
        assertThat(noWait(new StreamThreadFailures()).handle(BROKERS_AWAY)).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
    }

    @Test
    void a_commit_refused_because_the_coordinator_aborted_the_transaction_gets_a_new_thread() {
        // given the chaos run's broker paused past its session timeout: the coordinator aborted the open
        // transaction, and Streams 4.4 reports the commit's failure as a fatal StreamsException
        var aborted = new StreamsException("Error encountered trying to commit a transaction",
                new org.apache.kafka.common.errors.InvalidTxnStateException("The producer attempted a transactional operation in an invalid state."));

        // when the thread dies of it, then it is replaced (a new producer resumes from the last commit)
        assertThat(noWait(new StreamThreadFailures()).handle(aborted)).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
    }

    @Test
    void a_bug_shuts_the_client_down() {
        assertThat(noWait(new StreamThreadFailures()).handle(new StreamsException(new IllegalStateException("a bug"))))
                .isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
    }

    @Test
    void transient_failures_that_keep_coming_shut_the_client_down_and_are_forgiven_after_the_window() {
        // given ten replacements within a few minutes
        MutableClock clock = new MutableClock(Instant.parse("2026-12-07T00:00:00Z"));
        StreamThreadFailures failures = noWait(new StreamThreadFailures(clock));
        for (int i = 0; i < StreamThreadFailures.MAX_REPLACEMENTS; i++) {
            assertThat(failures.handle(BROKERS_AWAY)).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
            clock.now = clock.now.plusSeconds(10);
        }

        // when an eleventh comes within the window, then the client is shut down
        assertThat(failures.handle(BROKERS_AWAY)).isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);

        // and once the window has passed, a transient failure gets a new thread again
        clock.now = clock.now.plus(StreamThreadFailures.WINDOW).plus(Duration.ofMinutes(1));
        assertThat(failures.handle(BROKERS_AWAY)).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
    }

    @Test
    void the_registry_refusing_connections_is_transient_and_the_wait_grows_to_30_seconds() {
        var registryDown = new StreamsException("dead letter not written",
                new RuntimeException(new java.util.concurrent.ExecutionException(new java.net.ConnectException("Connection refused"))));
        assertThat(StreamThreadFailures.transient_(registryDown)).isTrue();
        // and so is a record failed by the deserialization handler because the registry closed the connection
        var closed = new StreamsException("Deserialization exception handler is set to fail upon a deserialization error",
                new RuntimeException(new java.util.concurrent.ExecutionException(new io.vertx.core.http.HttpClosedException("Connection was closed"))));
        assertThat(StreamThreadFailures.transient_(closed)).isTrue();
        assertThat(StreamThreadFailures.backoff(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(StreamThreadFailures.backoff(3)).isEqualTo(Duration.ofSeconds(4));
        assertThat(StreamThreadFailures.backoff(10)).isEqualTo(Duration.ofSeconds(30));
    }

    private static StreamThreadFailures noWait(StreamThreadFailures failures) {
        return new StreamThreadFailures(failures.clock()) {
            @Override
            void pause(Duration wait) {
            }
        };
    }

    private static final class MutableClock extends Clock {
        Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
