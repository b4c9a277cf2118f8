package io.waybill.contract;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract may only grow BACKWARD compatibly: a consumer with the current schema must read
 * everything written with the last released one (kept in schemas/src/released).
 */
class SchemaCompatibilityTest {

    private static final Path RELEASED = Path.of(System.getProperty("waybill.schemas.released", "src/released"));

    @TestFactory
    Stream<DynamicTest> every_schema_reads_data_written_with_its_released_version() {
        return ContractSchemas.all().stream().map(current -> DynamicTest.dynamicTest(current.getName(), () -> {
            // given the last released schema of this subject
            Path file = RELEASED.resolve(current.getFullName() + ".avsc");
            assertThat(file).as("released baseline of " + current.getFullName()).exists();
            Schema released = new Schema.Parser().parse(file.toFile());

            // when the current schema reads data written with it
            var result = SchemaCompatibility.checkReaderWriterCompatibility(current, released);

            // then nothing is incompatible
            assertThat(result.getType())
                    .as(() -> current.getFullName() + " is not backward compatible: " + result.getResult().getIncompatibilities())
                    .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
        }));
    }

    @Test
    void no_released_schema_was_dropped_from_the_contract() throws IOException {
        Set<String> current = new HashSet<>();
        ContractSchemas.all().forEach(s -> current.add(s.getFullName() + ".avsc"));
        try (Stream<Path> files = Files.list(RELEASED)) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).allMatch(current::contains);
        }
    }

    @Test
    void every_enum_has_a_default_so_new_symbols_do_not_break_old_readers() {
        List<String> withoutDefault = new ArrayList<>();
        ContractSchemas.all().forEach(s -> collectEnumsWithoutDefault(s, new HashSet<>(), withoutDefault));
        assertThat(withoutDefault).isEmpty();
    }

    @Test
    void the_check_catches_a_new_field_without_default() {
        // given a released record and a new version adding a required field
        Schema released = new Schema.Parser().parse("""
                {"type":"record","name":"R","fields":[{"name":"a","type":"string"}]}""");
        Schema withRequiredField = new Schema.Parser().parse("""
                {"type":"record","name":"R","fields":[{"name":"a","type":"string"},{"name":"b","type":"string"}]}""");
        Schema withDefaultedField = new Schema.Parser().parse("""
                {"type":"record","name":"R","fields":[{"name":"a","type":"string"},{"name":"b","type":"string","default":""}]}""");

        // then the required field is incompatible and the defaulted one is not
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(withRequiredField, released).getType())
                .isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(withDefaultedField, released).getType())
                .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
    }

    private static void collectEnumsWithoutDefault(Schema s, Set<String> seen, List<String> out) {
        switch (s.getType()) {
            case RECORD -> {
                if (!seen.add(s.getFullName())) return;
                s.getFields().forEach(f -> collectEnumsWithoutDefault(f.schema(), seen, out));
            }
            case UNION -> s.getTypes().forEach(t -> collectEnumsWithoutDefault(t, seen, out));
            case ARRAY -> collectEnumsWithoutDefault(s.getElementType(), seen, out);
            case MAP -> collectEnumsWithoutDefault(s.getValueType(), seen, out);
            case ENUM -> {
                if (s.getEnumDefault() == null) out.add(s.getFullName());
            }
            default -> {
            }
        }
    }
}
