package io.waybill.topology;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

/** Scratch directories for test drivers. */
public final class TestDirs {

    private TestDirs() {
    }

    /** A fresh Kafka Streams state directory, removed when the JVM exits. */
    public static String stateDir() {
        try {
            var dir = Files.createTempDirectory("waybill-streams-test").toFile();
            dir.deleteOnExit();
            return dir.getAbsolutePath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
