package io.waybill.engine;

import io.waybill.topology.catalogue.RegistryOutage;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.errors.TaskCorruptedException;
import org.apache.kafka.streams.errors.TaskMigratedException;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What the engine does when a stream thread dies (the Quarkus extension installs this bean on the
 * KafkaStreams instance). Without it Kafka Streams shuts the whole client down: a broker outage longer
 * than a timeout (the chaos run stopped every broker for 20 s: "Timeout expired after 60000ms while
 * awaiting InitProducerId") left an engine process alive but processing nothing, until someone
 * restarted it.
 *
 * <p>A failure Kafka calls retriable (timeouts, a broker not yet back, a task to re-initialise), a
 * transaction the coordinator aborted (see {@link #abortedTransaction}) or a peer
 * that refused the connection gets a new thread after a growing pause (1 s to 30 s), which resumes from
 * the last commit: exactly-once makes that safe. Anything else, or more
 * than {@value #MAX_REPLACEMENTS} replacements within {@link #WINDOW}, shuts the client down; liveness
 * then reports DOWN and the orchestrator restarts the process, which is the honest answer to a failure
 * that retrying does not cure.
 */
@ApplicationScoped
public class StreamThreadFailures implements StreamsUncaughtExceptionHandler {

    private static final Logger LOG = Logger.getLogger(StreamThreadFailures.class);
    static final int MAX_REPLACEMENTS = 10;
    static final Duration WINDOW = Duration.ofMinutes(10);

    private final Clock clock;
    private final Deque<Long> replacements = new ArrayDeque<>();

    public StreamThreadFailures() {
        this(Clock.systemUTC());
    }

    StreamThreadFailures(Clock clock) {
        this.clock = clock;
    }

    Clock clock() {
        return clock;
    }

    @Override
    public synchronized StreamThreadExceptionResponse handle(Throwable exception) {
        long now = clock.millis();
        while (!replacements.isEmpty() && replacements.peekFirst() < now - WINDOW.toMillis()) replacements.removeFirst();
        if (transient_(exception) && replacements.size() < MAX_REPLACEMENTS) {
            replacements.addLast(now);
            Duration wait = backoff(replacements.size());
            LOG.warnf(exception, "a stream thread died of a transient failure; replacing it in %s (%d replacement(s) in the last %s)",
                    wait, replacements.size(), WINDOW);
            pause(wait);
            return StreamThreadExceptionResponse.REPLACE_THREAD;
        }
        LOG.errorf(exception, "a stream thread died%s; shutting the Kafka Streams client down (liveness goes DOWN, the process is to be restarted)",
                transient_(exception) ? " of transient failures " + MAX_REPLACEMENTS + " times within " + WINDOW : "");
        return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    }

    /** Waits on the dying thread before Streams starts its replacement (tests replace this with no wait). */
    void pause(Duration wait) {
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Somewhere in the chain of causes Kafka says retrying can succeed, or a peer could not be reached
     * (the registry down while a dead letter's schema or an unseen schema id had to be fetched: the
     * chaos run's registry kill shut an engine down this way).
     */
    static boolean transient_(Throwable exception) {
        if (RegistryOutage.isCause(exception)) return true; // the network failures, wherever in the chain
        for (Throwable t = exception; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof RetriableException || t instanceof org.apache.kafka.common.errors.TimeoutException
                    || t instanceof TaskCorruptedException || t instanceof TaskMigratedException || abortedTransaction(t)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The transaction coordinator gave up on the thread's open transaction: with transaction version 2
     * (brokers 4.0+) a transaction that outlived transaction.timeout.ms is aborted and the producer's
     * commit then fails with InvalidTxnStateException, which Streams 4.4 does not turn into a task
     * migration. A broker paused past its session timeout (the chaos run's SIGSTOP for 15 s) causes
     * it; every write of the transaction is aborted, so a new thread with a new producer resumes from
     * the last commit, as after a migration. Before this, the engine shut its client down and waited
     * for the orchestrator: 60 s of failed liveness checks and a restart.
     */
    static boolean abortedTransaction(Throwable t) {
        return t instanceof org.apache.kafka.common.errors.InvalidTxnStateException
                || t instanceof org.apache.kafka.common.errors.TransactionAbortableException
                || t instanceof org.apache.kafka.common.errors.InvalidProducerEpochException;
    }

    /** 1, 2, 4 ... 30 s: the new thread would otherwise meet the same outage within milliseconds, ten times over. */
    static Duration backoff(int replacementsInWindow) {
        return Duration.ofSeconds(Math.min(30, 1L << Math.min(5, Math.max(0, replacementsInWindow - 1))));
    }
}
