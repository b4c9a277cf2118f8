package io.waybill.engine.auth;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServiceTokensTest {

    private static final String OLD = "old-token-0123456789abcdefghij";
    private static final String NEW = "new-token-0123456789abcdefghij";

    @Test
    void while_a_token_is_rotated_both_are_accepted_and_the_first_is_sent() {
        // given the rotation's middle step: new first, old still accepted
        ServiceTokens tokens = ServiceTokens.of(NEW, List.of(" " + OLD + " ", ""));

        // then a caller with either is let in, and peers are sent the new one
        assertThat(tokens.accepts("Bearer " + NEW)).isTrue();
        assertThat(tokens.accepts("Bearer " + OLD)).isTrue();
        assertThat(tokens.accepts("bearer " + OLD)).isTrue();
        assertThat(tokens.authorization()).isEqualTo("Bearer " + NEW);
        assertThat(tokens.acceptedCount()).isEqualTo(2);
    }

    @Test
    void anything_but_an_accepted_bearer_token_is_refused() {
        ServiceTokens tokens = ServiceTokens.of(NEW, List.of());
        assertThat(tokens.accepts(null)).isFalse();
        assertThat(tokens.accepts("")).isFalse();
        assertThat(tokens.accepts("Bearer")).isFalse();
        assertThat(tokens.accepts("Bearer ")).isFalse();
        assertThat(tokens.accepts(NEW)).isFalse();
        assertThat(tokens.accepts("Basic " + NEW)).isFalse();
        assertThat(tokens.accepts("Bearer " + NEW.substring(1))).isFalse();
        assertThat(tokens.accepts("Bearer " + NEW + "x")).isFalse();
        assertThat(tokens.accepts("Bearer " + OLD)).isFalse();
    }

    @Test
    void an_engine_without_a_usable_token_is_refused_with_the_reason_but_never_the_token() {
        assertThatThrownBy(() -> ServiceTokens.of(null, List.of(OLD))).hasMessageContaining("no service token")
                .hasMessageContaining("waybill.engine.api-token");
        assertThatThrownBy(() -> ServiceTokens.of("  ", List.of())).hasMessageContaining("no service token");
        assertThatThrownBy(() -> ServiceTokens.of("changeme", List.of())).hasMessageContaining("8 characters")
                .hasMessageNotContaining("changeme");
        assertThatThrownBy(() -> ServiceTokens.of(NEW, List.of(OLD, "short"))).hasMessageContaining("also-accepted entry 2");
        assertThatThrownBy(() -> ServiceTokens.of("has a space in it 0123456789", List.of())).hasMessageContaining("printable ASCII");
        assertThat(ServiceTokens.of(NEW, List.of()).toString()).doesNotContain(NEW);
    }
}
