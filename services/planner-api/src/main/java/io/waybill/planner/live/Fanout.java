package io.waybill.planner.live;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.BackPressureStrategy;
import io.smallrye.mutiny.subscription.MultiEmitter;

import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hands every live message to the subscribers it concerns. Each subscriber has its own bounded
 * buffer of messages its client has not taken yet; a subscriber that falls further behind than that
 * is dropped (its stream fails with {@link SlowSubscriberException}, the connection closes and the
 * client can reconnect), so a slow client never holds up the consumer or the other subscribers.
 */
public final class Fanout {

    /** The subscriber did not keep up with the stream. */
    public static final class SlowSubscriberException extends RuntimeException {
        SlowSubscriberException(int buffer) {
            super("dropped: more than " + buffer + " messages behind");
        }
    }

    /** One subscriber: what it asked for, its backlog, and its stream. */
    private final class Subscriber {
        final String facility;
        final MultiEmitter<? super LiveEvent> emitter;
        final ArrayDeque<LiveEvent> backlog = new ArrayDeque<>();
        boolean draining;

        Subscriber(String facility, MultiEmitter<? super LiveEvent> emitter) {
            this.facility = facility;
            this.emitter = emitter;
        }

        synchronized void offer(LiveEvent event) {
            if (backlog.size() >= bufferSize) {
                subscribers.remove(this);
                dropped.incrementAndGet();
                backlog.clear();
                emitter.fail(new SlowSubscriberException(bufferSize));
                return;
            }
            backlog.add(event);
            drain();
        }

        /** Passes on as much of the backlog as the client has asked for. */
        synchronized void drain() {
            if (draining) return; // re-entered from a request made while emitting: the loop below goes on
            draining = true;
            try {
                while (!backlog.isEmpty() && emitter.requested() > 0 && !emitter.isCancelled()) {
                    emitter.emit(backlog.poll());
                }
            } finally {
                draining = false;
            }
        }
    }

    private final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();
    private final AtomicLong dropped = new AtomicLong();
    private final int bufferSize;

    public Fanout(int bufferSize) {
        this.bufferSize = bufferSize;
    }

    /** A stream of the messages about {@code facility} (null: all), starting with {@code greeting}. */
    public Multi<LiveEvent> subscribe(String facility, LiveEvent greeting) {
        // DROP never drops here: items are emitted only while the client has demand; the backlog bounds the rest.
        return Multi.createFrom().emitter(emitter -> {
            Subscriber subscriber = new Subscriber(facility, emitter);
            emitter.onTermination(() -> subscribers.remove(subscriber));
            emitter.onRequest(n -> subscriber.drain());
            subscriber.offer(greeting);
            subscribers.add(subscriber);
        }, BackPressureStrategy.DROP);
    }

    /** Delivers a message to every subscriber it concerns; never blocks on a client. */
    public void publish(LiveEvent event) {
        for (Subscriber s : subscribers) {
            if (s.emitter.isCancelled()) {
                subscribers.remove(s);
            } else if (event.concerns(s.facility)) {
                s.offer(event);
            }
        }
    }

    public boolean hasSubscribers() {
        return !subscribers.isEmpty();
    }

    public int subscriberCount() {
        return subscribers.size();
    }

    /** Subscribers dropped because they fell too far behind. */
    public long dropped() {
        return dropped.get();
    }
}
