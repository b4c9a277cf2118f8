package io.waybill.topology.shipment;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TickShareTest {

    private static final long MS = 1_000_000L;
    private static final long INTERVAL = 1_000 * MS;
    private static final long BUDGET = 500 * MS;

    @Test
    void the_tasks_of_one_thread_share_one_budget_per_round() {
        // given a thread with four tasks
        TickShare share = new TickShare();
        Object[] tasks = {new Object(), new Object(), new Object(), new Object()};
        for (Object t : tasks) share.join(t);

        // when each task uses all it may in one round of ticks
        long now = 0;
        long total = 0;
        for (int i = 0; i < 4; i++) {
            long deadline = share.start(now, INTERVAL, BUDGET);
            long used = deadline - now;
            total += used;
            share.end(now, now + used);
            now += used;
        }

        // then the round took the budget once, not four times, and each task had a quarter
        assertThat(total).isEqualTo(BUDGET);
    }

    @Test
    void a_task_with_nothing_to_do_leaves_its_part_to_the_next() {
        // given two tasks, the first of which has nothing due
        TickShare share = new TickShare();
        share.join("a");
        share.join("b");

        // when the first tick takes a millisecond
        long first = share.start(0, INTERVAL, BUDGET);
        assertThat(first).isEqualTo(BUDGET / 2);
        share.end(0, MS);

        // then the second may use the rest of the budget
        assertThat(share.start(MS, INTERVAL, BUDGET) - MS).isEqualTo(BUDGET - MS);
    }

    @Test
    void the_next_round_starts_with_the_whole_budget_again() {
        // given a round whose one task used the whole budget
        TickShare share = new TickShare();
        share.join("a");
        long deadline = share.start(0, INTERVAL, BUDGET);
        share.end(0, deadline);

        // when the next tick comes an interval later, it has the whole budget
        assertThat(share.start(INTERVAL, INTERVAL, BUDGET) - INTERVAL).isEqualTo(BUDGET);

        // and a task that left no longer takes a part
        share.join("b");
        share.leave("b");
        assertThat(share.tasks()).isEqualTo(1);
    }
}
