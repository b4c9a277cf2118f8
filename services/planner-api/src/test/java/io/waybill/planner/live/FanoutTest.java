package io.waybill.planner.live;

import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Fan-out of live messages: filtering by facility, and dropping a subscriber that falls behind. */
class FanoutTest {

    private static final LiveEvent HELLO = LiveEvent.comment("connected");

    @Test
    void a_subscriber_gets_the_greeting_then_what_concerns_its_facility_and_every_comment() {
        // given a subscriber for BER-HUB and one for everything
        Fanout fanout = new Fanout(16);
        AssertSubscriber<LiveEvent> berlin = fanout.subscribe("BER-HUB", HELLO).subscribe().withSubscriber(AssertSubscriber.create(100));
        AssertSubscriber<LiveEvent> all = fanout.subscribe(null, HELLO).subscribe().withSubscriber(AssertSubscriber.create(100));

        // when
        LiveEvent atBerlin = LiveEvent.event("shipment", "{}", Set.of("BER-HUB", "MUC-HUB"));
        LiveEvent atHamburg = LiveEvent.event("exception", "{}", Set.of("HAM-HUB"));
        LiveEvent heartbeat = LiveEvent.comment("heartbeat");
        fanout.publish(atBerlin);
        fanout.publish(atHamburg);
        fanout.publish(heartbeat);

        // then
        assertThat(berlin.getItems()).containsExactly(HELLO, atBerlin, heartbeat);
        assertThat(all.getItems()).containsExactly(HELLO, atBerlin, atHamburg, heartbeat);
    }

    @Test
    void a_subscriber_that_falls_behind_by_more_than_its_buffer_is_dropped_and_the_others_go_on() {
        // given a fast subscriber and one that requests nothing
        Fanout fanout = new Fanout(4);
        AssertSubscriber<LiveEvent> fast = fanout.subscribe(null, HELLO).subscribe().withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));
        AssertSubscriber<LiveEvent> slow = fanout.subscribe(null, HELLO).subscribe().withSubscriber(AssertSubscriber.create(0));
        assertThat(fanout.subscriberCount()).isEqualTo(2);

        // when more messages come than the slow one's buffer holds
        for (int i = 0; i < 10; i++) fanout.publish(LiveEvent.comment("m" + i));

        // then the slow one is failed and removed, without blocking, and the fast one got everything
        slow.assertFailedWith(Fanout.SlowSubscriberException.class);
        assertThat(fanout.subscriberCount()).isEqualTo(1);
        assertThat(fanout.dropped()).isEqualTo(1);
        assertThat(fast.getItems()).hasSize(11);
    }

    @Test
    void a_cancelled_subscriber_is_removed() {
        Fanout fanout = new Fanout(4);
        AssertSubscriber<LiveEvent> subscriber = fanout.subscribe(null, HELLO).subscribe().withSubscriber(AssertSubscriber.create(10));
        subscriber.cancel();
        fanout.publish(LiveEvent.comment("after"));
        assertThat(fanout.subscriberCount()).isZero();
    }
}
