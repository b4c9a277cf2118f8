package io.waybill.contract;

import org.apache.avro.Schema;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the current top-level schemas as the released baseline that the compatibility test
 * checks against. Run it when a version of the contract ships:
 * {@code mvn -pl schemas exec:java -Dexec.mainClass=io.waybill.contract.SchemaRelease -Dexec.args=schemas/src/released}
 */
public final class SchemaRelease {

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "schemas/src/released");
        Files.createDirectories(dir);
        for (Schema schema : ContractSchemas.all()) {
            Path file = dir.resolve(schema.getFullName() + ".avsc");
            Files.writeString(file, schema.toString(true) + "\n");
            System.out.println("released " + file);
        }
    }
}
