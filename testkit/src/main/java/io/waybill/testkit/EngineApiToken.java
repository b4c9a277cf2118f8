package io.waybill.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The engine API's service token of a local run or a system test: 32 random bytes, made on first
 * use in {@code <dir>/}{@value #FILE} (owner-only) and kept until {@code run-local clean}. Unlike the
 * development JWT key it is not in the repository: each machine has its own.
 */
public final class EngineApiToken {

    public static final String FILE = "engine-api-token";

    private EngineApiToken() {
    }

    /** The token in {@code dir}, made there first if it is not there yet. */
    public static String ensure(Path dir) {
        Path file = dir.resolve(FILE);
        try {
            if (!Files.exists(file)) {
                Files.createDirectories(dir);
                byte[] random = new byte[32];
                new SecureRandom().nextBytes(random);
                String token = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
                Path partial = dir.resolve(FILE + ".partial");
                OwnerOnlyFiles.write(partial, token + "\n");
                Files.move(partial, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
            return Files.readString(file).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make or read " + file, e);
        }
    }
}
