package io.waybill.testkit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;

class EngineApiTokenTest {

    @Test
    void the_token_is_made_once_random_and_readable_by_its_owner_only(@TempDir Path a, @TempDir Path b) throws Exception {
        // given an empty work dir, when the token is asked for twice
        String first = EngineApiToken.ensure(a.resolve("auth"));
        String again = EngineApiToken.ensure(a.resolve("auth"));

        // then it is kept, long enough for the engine, different per work dir, and mode 0600
        assertThat(again).isEqualTo(first);
        assertThat(first).hasSize(43).matches("[A-Za-z0-9_-]+");
        assertThat(EngineApiToken.ensure(b)).isNotEqualTo(first);
        Path file = a.resolve("auth").resolve(EngineApiToken.FILE);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(a.resolve("auth").resolve(EngineApiToken.FILE + ".partial")).doesNotExist();
    }

    @Test
    void an_owner_only_file_is_replaced_with_mode_0600(@TempDir Path dir) throws Exception {
        // given a world-readable file, when it is written owner-only
        Path file = Files.writeString(dir.resolve("secret"), "old");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        OwnerOnlyFiles.write(file, "new\n");

        // then it holds the new content and only its owner may read it
        assertThat(Files.readString(file)).isEqualTo("new\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }
}
