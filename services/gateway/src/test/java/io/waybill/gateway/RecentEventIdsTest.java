package io.waybill.gateway;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RecentEventIdsTest {

    private final AtomicLong nanos = new AtomicLong();
    private final RecentEventIds recent = new RecentEventIds(Duration.ofMinutes(10), 1000, Duration.ofMillis(300), nanos::get);

    @Test
    void an_accepted_id_is_a_duplicate_within_the_window_and_new_after_it() throws Exception {
        // given an accepted request
        recent.claim(List.of("a", "b")).accepted();

        // when the same ids come again within the window, then they are duplicates
        assertThat(recent.claim(List.of("b", "c")).duplicates()).containsExactly("b");

        // and after the window they are new again
        nanos.addAndGet(TimeUnit.MINUTES.toNanos(11));
        assertThat(recent.claim(List.of("a")).duplicates()).isEmpty();
    }

    @Test
    void the_ids_of_a_refused_request_can_be_sent_again() throws Exception {
        recent.claim(List.of("x")).refused();
        assertThat(recent.claim(List.of("x")).duplicates()).isEmpty();
    }

    @Test
    void a_request_waits_for_another_holding_the_same_id_and_follows_its_outcome() throws Exception {
        // given a request in progress holding "y"
        RecentEventIds.Claim first = recent.claim(List.of("y"));

        // when a second request with "y" arrives and the first is then accepted
        CompletableFuture<RecentEventIds.Claim> second = CompletableFuture.supplyAsync(() -> {
            try {
                return recent.claim(List.of("y"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(50);
        first.accepted();

        // then the second sees a duplicate
        assertThat(second.get(1, TimeUnit.SECONDS).duplicates()).containsExactly("y");
    }

    @Test
    void a_request_gives_up_when_another_holds_an_id_too_long() throws Exception {
        recent.claim(List.of("z"));
        assertThatThrownBy(() -> recent.claim(List.of("z"))).isInstanceOf(RecentEventIds.StillInProgressException.class)
                .hasMessageContaining("being accepted by another request");
    }

    @Test
    void the_number_of_remembered_ids_is_bounded() throws Exception {
        for (int i = 0; i < 5000; i++) recent.claim(List.of("id-" + i)).accepted();
        assertThat(recent.size()).isLessThanOrEqualTo(1000);
    }
}
