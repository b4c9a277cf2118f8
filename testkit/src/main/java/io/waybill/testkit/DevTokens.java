package io.waybill.testkit;

import io.smallrye.jwt.build.Jwt;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The development key pair of local runs and system tests, and bearer tokens signed with it for the
 * planner-api (issuer {@value #ISSUER}, roles in {@code groups}). The pair is made on first use
 * (RSA 2048, PEM files) and kept, so tokens stay valid across restarts until {@code run-local clean}.
 * Known to everyone with the repository: never trust this key outside a development machine.
 */
public final class DevTokens {

    public static final String ISSUER = "waybill-dev";
    public static final List<String> ROLES = List.of("viewer", "planner", "admin");
    public static final String PUBLIC_KEY_FILE = "dev-jwt-public.pem";
    public static final String PRIVATE_KEY_FILE = "dev-jwt-private.pem";

    private final Path dir;
    private final PrivateKey privateKey;

    private DevTokens(Path dir, PrivateKey privateKey) {
        this.dir = dir;
        this.privateKey = privateKey;
    }

    /** The key pair in {@code dir}, made there first if it is not there yet. */
    public static DevTokens ensure(Path dir) {
        try {
            if (!Files.exists(dir.resolve(PRIVATE_KEY_FILE)) || !Files.exists(dir.resolve(PUBLIC_KEY_FILE))) {
                Files.createDirectories(dir);
                KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
                generator.initialize(2048);
                KeyPair pair = generator.generateKeyPair();
                OwnerOnlyFiles.write(dir.resolve(PRIVATE_KEY_FILE), pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
                Files.writeString(dir.resolve(PUBLIC_KEY_FILE), pem("PUBLIC KEY", pair.getPublic().getEncoded()));
            }
            return open(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The key pair in {@code dir}; fails if there is none. */
    public static DevTokens open(Path dir) {
        try {
            String pem = Files.readString(dir.resolve(PRIVATE_KEY_FILE));
            String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            PrivateKey key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
            return new DevTokens(dir, key);
        } catch (IOException e) {
            throw new UncheckedIOException("no development key pair in " + dir + " (scripts/run-local makes one)", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot read " + dir.resolve(PRIVATE_KEY_FILE), e);
        }
    }

    /** The public key's file, for {@code mp.jwt.verify.publickey.location}. */
    public Path publicKeyFile() {
        return dir.resolve(PUBLIC_KEY_FILE).toAbsolutePath();
    }

    /** The planner-api's settings to verify these tokens. */
    public Map<String, String> plannerApiConfig() {
        return Map.of("mp.jwt.verify.publickey.location", publicKeyFile().toString(), "mp.jwt.verify.issuer", ISSUER);
    }

    /** A token for {@code role} with {@code subject} (who the planner-api records as issuedBy), valid for {@code validity}. */
    public String mint(String role, String subject, Duration validity) {
        if (!ROLES.contains(role)) throw new IllegalArgumentException("role must be one of " + ROLES + ", not " + role);
        return Jwt.issuer(ISSUER).subject(subject).upn(subject).groups(Set.of(role)).expiresIn(validity).sign(privateKey);
    }

    /** A token for each role (subject dev-ROLE), written to {@code dir}/ROLE.jwt; returns role to token. */
    public Map<String, String> writeRoleTokens(Path tokensDir, Duration validity) {
        Map<String, String> tokens = new LinkedHashMap<>();
        try {
            Files.createDirectories(tokensDir);
            for (String role : ROLES) {
                String token = mint(role, "dev-" + role, validity);
                OwnerOnlyFiles.write(tokensDir.resolve(role + ".jwt"), token + "\n");
                tokens.put(role, token);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return tokens;
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
