package io.greenwell.cdc.opensearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.greenwell.cdc.spi.ChangeTarget;
import io.greenwell.cdc.spi.ChangeTargetProvider;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code target=opensearch} through the SPI. */
class ProviderTest {

    @Test
    void theProviderIsFoundByNameAndBuildsATarget() {
        ChangeTargetProvider p = ChangeTargetProvider.find("OpenSearch").orElseThrow();
        try (ChangeTarget t = p.create(Map.of("url", "http://127.0.0.1:9200", "index-per-table", "m.{db}.{table}", "decimals", "number"))) {
            assertThat(t).isInstanceOf(OpenSearchTarget.class);
        }
        assertThat(ChangeTargetProvider.find("nothing")).isEmpty();
    }

    @Test
    void everyProblemOfTheOptionsIsNamedAtOnce() {
        ChangeTargetProvider p = ChangeTargetProvider.find("opensearch").orElseThrow();
        assertThatThrownBy(() -> p.create(Map.of("index", "x", "colour", "red"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown option colour").hasMessageContaining("url is required");
        assertThatThrownBy(() -> p.create(Map.of("url", "http://h:9200", "versioning", "sometimes"))).hasMessageContaining("SOMETIMES");
    }
}
