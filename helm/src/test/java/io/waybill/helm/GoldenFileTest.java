package io.waybill.helm;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole rendered output for the default and the production-like values, kept in
 * src/test/resources/golden/: any change to what the chart renders shows up as a diff there.
 * After an intended change, regenerate them and review the diff:
 * <pre>mvn -pl helm test -Dtest=GoldenFileTest -Dwaybill.golden.update=true</pre>
 */
class GoldenFileTest {

    private static final Path GOLDEN = Path.of("src", "test", "resources", "golden");

    @ParameterizedTest(name = "{0} values")
    @ValueSource(strings = {"default", "production"})
    void the_rendered_chart_is_the_golden_file(String values) throws Exception {
        // given the values, when the chart is rendered
        String rendered = values.equals("default")
                ? HelmChart.template("")
                : HelmChart.template("", HelmChart.PRODUCTION_VALUES);
        // the engine API token the chart makes is random per render: the golden file has a placeholder
        rendered = rendered.replaceAll("(?m)^(  token: )[A-Za-z0-9+/=]{64}$", "$1<48 random characters, base64>");
        Path golden = GOLDEN.resolve(values + ".yaml");

        if (Boolean.getBoolean("waybill.golden.update")) {
            Files.createDirectories(GOLDEN);
            Files.writeString(golden, rendered);
        }

        // then it is exactly the reviewed golden file
        assertThat(golden).as("missing golden file: run with -Dwaybill.golden.update=true").exists();
        assertThat(rendered)
                .as("%s differs from the chart's output; if the change is intended, run "
                        + "mvn -pl helm test -Dtest=GoldenFileTest -Dwaybill.golden.update=true and review the diff", golden)
                .isEqualTo(Files.readString(golden));
    }
}
