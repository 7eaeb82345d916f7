package io.greenwell.cdc.opensearch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.greenwell.cdc.greenplum.Scenarios;
import java.util.HashMap;
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
        assertThat(reasons(TestEngine.documents(index + "_dead"))).isEmpty();
        List<JsonNode> docs = TestEngine.documents(index);
        assertThat(shorten(Scenarios.differences(Documents2Rows.expected(scenario), Documents2Rows.actual(docs, scenario)))).isEmpty();
        assertThat(Documents2Rows.actual(docs, scenario).keySet()).isEqualTo(Documents2Rows.expected(scenario).keySet());

        Map<String, Long> versions = versions(docs);
        try (OpenSearchTarget again = target(index)) {
            Scenarios.replay(again, "second", "file:" + scenario, records, batch);
            assertThat(again.staleActions()).isPositive();
        }
        List<JsonNode> after = TestEngine.documents(index);
        assertThat(versions(after)).isEqualTo(versions);
        assertThat(shorten(Scenarios.differences(Documents2Rows.expected(scenario), Documents2Rows.actual(after, scenario)))).isEmpty();
    }

    /** The differences, each cut to a readable length (the types scenario has rows of a megabyte). */
    static List<String> shorten(List<String> differences) {
        List<String> out = new java.util.ArrayList<>();
        for (String d : differences) {
            out.add(d.length() > 400 ? d.substring(0, 400) + "..." : d);
        }
        return out;
    }

    /** @return the reasons of dead letters, with the offsets */
    static List<String> reasons(List<JsonNode> deadLetters) {
        List<String> out = new java.util.ArrayList<>();
        for (JsonNode d : deadLetters) {
            String r = d.path("_source").path("offset").asText() + ": " + d.path("_source").path("reason").asText();
            out.add(r.length() > 600 ? r.substring(0, 600) + "..." : r);
        }
        return out;
    }

    static Map<String, Long> versions(List<JsonNode> docs) {
        Map<String, Long> out = new HashMap<>();
        for (JsonNode d : docs) {
            out.put(d.path("_id").asText(), d.path("_version").asLong());
        }
        return out;
    }
}
