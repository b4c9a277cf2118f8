package io.waybill.gateway;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The eventIds this gateway instance accepted recently (published or spooled), so a resend within
 * the window is answered 202 without publishing it again. Bounded in time and in entries (Caffeine
 * evicts the oldest first); per instance and best effort: the engine's dedupe is authoritative.
 *
 * <p>A request first claims its ids. An id claimed by a request still in progress is waited for:
 * if that request is accepted, the id is a duplicate; if it is refused, the claim is free again.
 * Ids are claimed in sorted order, so two batches sharing ids cannot wait on each other.
 */
public final class RecentEventIds {

    private final Cache<String, CompletableFuture<Boolean>> accepted;
    private final Duration waitForOthers;

    public RecentEventIds(Duration window, long maxEntries, Duration waitForOthers) {
        this(window, maxEntries, waitForOthers, Ticker.systemTicker());
    }

    RecentEventIds(Duration window, long maxEntries, Duration waitForOthers, Ticker ticker) {
        this.accepted = Caffeine.newBuilder().expireAfterWrite(window).maximumSize(maxEntries).ticker(ticker).build();
        this.waitForOthers = waitForOthers;
    }

    /** The ids of one request: those it owns (new) and those accepted before (duplicates). */
    public final class Claim {
        private final List<String> owned = new ArrayList<>();
        private final List<CompletableFuture<Boolean>> outcomes = new ArrayList<>();
        private final List<String> duplicates = new ArrayList<>();

        public List<String> duplicates() {
            return duplicates;
        }

        public boolean isDuplicate(String eventId) {
            return duplicates.contains(eventId);
        }

        /** The request was accepted (published or spooled): resends are duplicates from now on. */
        public void accepted() {
            outcomes.forEach(f -> f.complete(true));
        }

        /** The request was refused: its ids may be sent again. */
        public void refused() {
            for (int i = 0; i < owned.size(); i++) {
                accepted.asMap().remove(owned.get(i), outcomes.get(i));
                outcomes.get(i).complete(false);
            }
        }
    }

    /** Thrown when another request holding some of these ids did not finish in time. */
    public static final class StillInProgressException extends Exception {
        public StillInProgressException(String eventId) {
            super("eventId " + eventId + " is being accepted by another request right now");
        }
    }

    public Claim claim(Collection<String> eventIds) throws StillInProgressException, InterruptedException {
        Claim claim = new Claim();
        long deadline = System.nanoTime() + waitForOthers.toNanos();
        try {
            for (String id : new TreeSet<>(eventIds)) {
                while (true) {
                    CompletableFuture<Boolean> mine = new CompletableFuture<>();
                    CompletableFuture<Boolean> other = accepted.asMap().putIfAbsent(id, mine);
                    if (other == null) {
                        claim.owned.add(id);
                        claim.outcomes.add(mine);
                        break;
                    }
                    if (awaitOutcome(id, other, deadline)) {
                        claim.duplicates.add(id);
                        break;
                    }
                    // The other request was refused and released the id: try to claim it again.
                }
            }
            return claim;
        } catch (StillInProgressException | InterruptedException | RuntimeException e) {
            claim.refused();
            throw e;
        }
    }

    /** Marks ids as accepted without a request, e.g. what a restarted gateway finds in its spool. */
    public void remember(Collection<String> eventIds) {
        eventIds.forEach(id -> accepted.put(id, CompletableFuture.completedFuture(true)));
    }

    public long size() {
        accepted.cleanUp();
        return accepted.estimatedSize();
    }

    private static boolean awaitOutcome(String id, CompletableFuture<Boolean> other, long deadline)
            throws StillInProgressException, InterruptedException {
        try {
            return other.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new StillInProgressException(id);
        } catch (ExecutionException e) {
            return false;
        }
    }
}
