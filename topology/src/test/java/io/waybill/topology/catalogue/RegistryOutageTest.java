package io.waybill.topology.catalogue;

import com.microsoft.kiota.ApiException;
import io.vertx.core.http.HttpClosedException;
import org.apache.avro.AvroRuntimeException;
import org.junit.jupiter.api.Test;

import java.io.EOFException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RegistryOutageTest {

    private static ApiException status(int code) {
        // what the registry client throws for an HTTP error status
        return new ApiException("registry said " + code) {
            {
                setResponseStatusCode(code);
            }
        };
    }

    @Test
    void a_registry_that_cannot_answer_is_an_outage_however_deeply_apicurio_wraps_it() {
        // the shape CI met: Apicurio's Vert.x adapter wraps a closed keep-alive connection twice
        assertThat(RegistryOutage.isCause(new RuntimeException(new ExecutionException(new HttpClosedException("Connection was closed"))))).isTrue();
        assertThat(RegistryOutage.isCause(new RuntimeException(new ConnectException("Connection refused")))).isTrue();
        assertThat(RegistryOutage.isCause(new RuntimeException(status(503)))).isTrue();
        assertThat(RegistryOutage.isCause(new RuntimeException(status(429)))).isTrue();
    }

    @Test
    void a_registry_that_answers_no_and_bad_bytes_are_not_an_outage() {
        // an unknown schema id and truncated or garbage Avro are poison: retrying them would never succeed
        assertThat(RegistryOutage.isCause(new RuntimeException(status(404)))).isFalse();
        assertThat(RegistryOutage.isCause(new org.apache.kafka.common.errors.SerializationException(new EOFException()))).isFalse();
        assertThat(RegistryOutage.isCause(new AvroRuntimeException("Malformed data. Length is negative: -40"))).isFalse();
    }

    @Test
    void a_call_is_retried_with_doubling_pauses_until_the_registry_answers() {
        // given a registry that closes the connection twice, then answers
        AtomicInteger calls = new AtomicInteger();
        List<Duration> pauses = new ArrayList<>();

        // when the call is made
        String answer = RegistryOutage.retrying(() -> {
            if (calls.incrementAndGet() <= 2) throw new RuntimeException(new ExecutionException(new HttpClosedException("Connection was closed")));
            return "schema 7";
        }, pauses::add);

        // then it succeeds on the third attempt after 100 and 200 ms
        assertThat(answer).isEqualTo("schema 7");
        assertThat(pauses).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
    }

    @Test
    void an_outage_longer_than_the_attempts_is_thrown_and_poison_is_thrown_at_once() {
        AtomicInteger calls = new AtomicInteger();
        RuntimeException down = new RuntimeException(new ConnectException("Connection refused"));
        assertThatThrownBy(() -> RegistryOutage.retrying(() -> { calls.incrementAndGet(); throw down; }, d -> { })).isSameAs(down);
        assertThat(calls).hasValue(RegistryOutage.ATTEMPTS);

        calls.set(0);
        RuntimeException poison = new RuntimeException(status(404));
        assertThatThrownBy(() -> RegistryOutage.retrying(() -> { calls.incrementAndGet(); throw poison; }, d -> { })).isSameAs(poison);
        assertThat(calls).hasValue(1);
    }
}
