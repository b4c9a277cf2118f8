package io.waybill.testkit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The development key pair and tokens of local runs: RS256 tokens a JWT verifier with the public PEM accepts. */
class DevTokensTest {

    @TempDir
    Path dir;

    @Test
    void a_key_pair_is_made_once_and_kept() throws Exception {
        // when the key pair is asked for twice
        DevTokens first = DevTokens.ensure(dir);
        String publicPem = Files.readString(first.publicKeyFile());
        DevTokens.ensure(dir);

        // then it was made once, as PEM files
        assertThat(Files.readString(dir.resolve(DevTokens.PUBLIC_KEY_FILE))).isEqualTo(publicPem).startsWith("-----BEGIN PUBLIC KEY-----");
        assertThat(Files.readString(dir.resolve(DevTokens.PRIVATE_KEY_FILE))).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(first.plannerApiConfig()).containsEntry("mp.jwt.verify.issuer", "waybill-dev")
                .containsEntry("mp.jwt.verify.publickey.location", first.publicKeyFile().toString());
    }

    @Test
    void a_token_is_rs256_signed_with_the_role_subject_issuer_and_expiry() throws Exception {
        // given
        DevTokens tokens = DevTokens.ensure(dir);

        // when
        String token = tokens.mint("planner", "alice", Duration.ofHours(2));

        // then its signature verifies with the public key, and its claims are the ones asked for
        String[] parts = token.split("\\.");
        assertThat(parts).hasSize(3);
        Signature rs256 = Signature.getInstance("SHA256withRSA");
        rs256.initVerify(publicKey(tokens.publicKeyFile()));
        rs256.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        assertThat(rs256.verify(Base64.getUrlDecoder().decode(parts[2]))).isTrue();
        assertThat(decode(parts[0])).contains("\"alg\":\"RS256\"");
        String claims = decode(parts[1]);
        assertThat(claims).contains("\"iss\":\"waybill-dev\"", "\"sub\":\"alice\"", "\"groups\":[\"planner\"]");
        long exp = Long.parseLong(claims.replaceAll(".*\"exp\":(\\d+).*", "$1"));
        assertThat(Instant.ofEpochSecond(exp)).isBetween(Instant.now().plus(Duration.ofMinutes(119)), Instant.now().plus(Duration.ofMinutes(121)));
    }

    @Test
    void a_token_per_role_is_written_for_local_runs() throws Exception {
        Map<String, String> written = DevTokens.ensure(dir).writeRoleTokens(dir.resolve("tokens"), Duration.ofHours(12));
        assertThat(written).containsOnlyKeys("viewer", "planner", "admin");
        assertThat(Files.readString(dir.resolve("tokens/admin.jwt")).trim()).isEqualTo(written.get("admin"));
        assertThat(decode(written.get("viewer").split("\\.")[1])).contains("\"sub\":\"dev-viewer\"");
    }

    @Test
    void mint_token_prints_a_token_and_refuses_unknown_roles() {
        DevTokens.ensure(dir);
        PrintStream out = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            assertThat(MintToken.run(new String[]{"admin", "--subject", "bob", "--hours", "1", "--keys", dir.toString()})).isZero();
            assertThat(MintToken.run(new String[]{"superuser", "--keys", dir.toString()})).isEqualTo(2);
            assertThat(MintToken.run(new String[]{"viewer", "--keys", dir.resolve("nothing").toString()})).isEqualTo(1);
        } finally {
            System.setOut(out);
        }
        String token = printed.toString(StandardCharsets.UTF_8).trim();
        assertThat(decode(token.split("\\.")[1])).contains("\"sub\":\"bob\"", "\"groups\":[\"admin\"]");
    }

    private static String decode(String base64url) {
        return new String(Base64.getUrlDecoder().decode(base64url), StandardCharsets.UTF_8);
    }

    private static PublicKey publicKey(Path pem) throws Exception {
        String base64 = Files.readString(pem).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64)));
    }
}
