package io.waybill.helm;

import io.waybill.testkit.RepoLayout;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class TopicCatalogueCopyTest {

    @Test
    void the_chart_carries_the_topic_catalogue_the_code_reads_byte_for_byte() throws Exception {
        // given the catalogue of the schemas module and the chart's copy (a chart cannot read outside itself)
        Path original = RepoLayout.root().resolve("schemas/src/main/resources/waybill/topics.yaml");
        Path copy = HelmChart.SOURCE.resolve("files/topics.yaml");

        // then they are identical; after changing the catalogue: cp schemas/src/main/resources/waybill/topics.yaml helm/waybill/files/
        assertThat(Files.readAllBytes(copy))
                .as("helm/waybill/files/topics.yaml must be a copy of %s", original)
                .isEqualTo(Files.readAllBytes(original));
    }
}
