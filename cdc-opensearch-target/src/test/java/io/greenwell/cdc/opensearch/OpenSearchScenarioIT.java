package io.greenwell.cdc.opensearch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.greenwell.cdc.greenplum.Scenarios;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The recorded scenarios replayed into a real OpenSearch node: every expected row of a table with a
 * key is a document with exact values, and there is no other document (none of dropped tables, none
 * of keyless tables). A second replay of the whole stream by a pipeline without a checkpoint changes
 * no document and no version: the engine turns every action down as stale.
 */
class OpenSearchScenarioIT {

    static OpenSearchTarget target(String index) {
        return OpenSearchTarget.builder().url(TestEngine.url()).index(index).controlIndex(index + "_control")
                .deadLetterIndex(index + "_dead").build();
    }

    @ParameterizedTest(name = "{0}, batches of {1}")
    @CsvSource({"music, 1", "music, 1000", "types, 7", "types, 1000", "ddl, 1", "ddl, 5", "ddl, 1000"})
    void replayEndsWithExactlyTheExpectedRowsAsDocuments(String scenario, int batch) {
        String index = "scn_" + scenario + "_" + batch;
        TestEngine.deleteIndices(index + "*");
        List<Scenarios.Record> records = Scenarios.records(scenario);
        try (OpenSearchTarget t = target(index)) {
            Scenarios.replay(t, "p", "file:" + scenario, records, batch);
        }
        assertThat(SearchRows.reasons(TestEngine.documents(index + "_dead"))).isEmpty();
        List<JsonNode> docs = TestEngine.documents(index);
        assertThat(SearchRows.differences(scenario, docs)).isEmpty();
        assertThat(SearchRows.actual(docs, scenario).keySet()).isEqualTo(SearchRows.expected(scenario).keySet());

        Map<String, Long> versions = SearchRows.versions(docs);
        try (OpenSearchTarget again = target(index)) {
            Scenarios.replay(again, "second", "file:" + scenario, records, batch);
            assertThat(again.staleActions()).isPositive();
        }
        List<JsonNode> after = TestEngine.documents(index);
        assertThat(SearchRows.versions(after)).isEqualTo(versions);
        assertThat(SearchRows.differences(scenario, after)).isEmpty();
    }
}
