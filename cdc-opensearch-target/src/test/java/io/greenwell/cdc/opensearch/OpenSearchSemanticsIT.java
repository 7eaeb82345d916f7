package io.greenwell.cdc.opensearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.greenwell.cdc.FencedException;
import io.greenwell.cdc.greenplum.ApplySemanticsIT;
import io.greenwell.cdc.greenplum.MaxwellStream;
import io.greenwell.cdc.greenplum.Scenarios;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What the search-index target does with every kind of net change, against a real OpenSearch node:
 * random streams with key changes, partial (MINIMAL) images and a keyless table against the
 * one-event-at-a-time reference; a bootstrap that repairs drift; partial rows and moves without a
 * stored document, counted; a document the engine refuses; a second instance that takes the
 * pipeline over.
 */
class OpenSearchSemanticsIT {

    private static List<List<String>> keyedDocuments(String index) {
        List<List<String>> out = new ArrayList<>();
        for (JsonNode d : TestEngine.documents(index)) {
            JsonNode src = d.path("_source");
            if (!src.path("_table").asText().equals("keyed")) {
                continue;
            }
            List<String> row = new ArrayList<>();
            for (String c : ApplySemanticsIT.KEYED_COLS) {
                JsonNode v = src.get(c);
                row.add(v == null || v.isNull() ? null : v.asText());
            }
            out.add(row);
        }
        return out;
    }

    /** The rows with column c (a decimal, which the generated stream writes without its scale) compared by value. */
    private static List<List<String>> decimals(List<List<String>> rows) {
        List<List<String>> out = new ArrayList<>();
        for (List<String> r : rows) {
            List<String> copy = new ArrayList<>(r);
            if (copy.get(3) != null) {
                copy.set(3, new java.math.BigDecimal(copy.get(3)).stripTrailingZeros().toPlainString());
            }
            out.add(copy);
        }
        return out;
    }

    @ParameterizedTest(name = "seed {0}, batches of {1}")
    @CsvSource({"1, 1", "2, 3", "3, 40", "4, 1000", "5, 7", "6, 1000"})
    void compactedBatchesGiveTheReplayState(long seed, int batch) {
        String index = "sem_" + seed + "_" + batch;
        TestEngine.deleteIndices(index + "*");
        ApplySemanticsIT.Model model = new ApplySemanticsIT.Model();
        MaxwellStream stream = ApplySemanticsIT.generate(new Random(seed), model, 400);
        // the later seeds in small bulk requests, two in flight
        OpenSearchTarget.Builder b = OpenSearchTarget.builder().url(TestEngine.url()).index(index).controlIndex(index + "_control")
                .deadLetterIndex(index + "_dead");
        if (seed >= 5) {
            b.bulkBytes(2_000).bulkConcurrency(2);
        }
        try (OpenSearchTarget t = b.build()) {
            Scenarios.replay(t, "p", "s", stream.records(), batch);
            assertThat(t.keylessChanges()).as("the keyless table's changes are counted, not indexed").isPositive();
        }
        assertThat(SearchRows.reasons(TestEngine.documents(index + "_dead"))).isEmpty();
        assertThat(ApplySemanticsIT.sorted(decimals(keyedDocuments(index)))).isEqualTo(ApplySemanticsIT.sorted(decimals(model.keyedRows())));
        assertThat(TestEngine.documents(index)).allSatisfy(d -> assertThat(d.path("_source").path("_table").asText()).isEqualTo("keyed"));
    }

    private static Map<String, Object> row(int id, String name) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("id", id);
        r.put("name", name);
        return r;
    }

    @Test
    void aBootstrapReplacesTheTableWithItsSnapshotAndLaterChangesGoOnTop() {
        String index = "boot";
        TestEngine.deleteIndices(index + "*");
        List<String> pk = List.of("id");
        MaxwellStream s = new MaxwellStream().createDatabase("shop").createTable("shop", "items",
                List.of(new MaxwellStream.Col("id", "int"), new MaxwellStream.Col("name", "varchar")), pk,
                "CREATE TABLE items (id int PRIMARY KEY, name varchar(20))");
        s.begin().insert("shop", "items", pk, row(1, "one")).insert("shop", "items", pk, row(2, "two"))
                .insert("shop", "items", pk, row(3, "three")).commit();
        // drift the stream never reported (a TRUNCATE, a cascade): MySQL holds 1 (renamed) and 4 only
        s.bootstrapStart("shop", "items").bootstrapInsert("shop", "items", pk, row(1, "uno"))
                .bootstrapInsert("shop", "items", pk, row(4, "four")).bootstrapComplete("shop", "items");
        s.begin().update("shop", "items", pk, row(4, "cuatro"), Map.of("name", "four")).commit();
        for (int batch : new int[] {1, 2, 1000}) {
            TestEngine.deleteIndices(index + "*");
            try (OpenSearchTarget t = OpenSearchScenarioIT.target(index)) {
                Scenarios.replay(t, "p", "s", s.records(), batch);
            }
            Map<String, String> names = new java.util.TreeMap<>();
            for (JsonNode d : TestEngine.documents(index)) {
                names.put(d.path("_source").path("id").asText(), d.path("_source").path("name").asText());
            }
            assertThat(names).as("batches of %d", batch).isEqualTo(Map.of("1", "uno", "4", "cuatro"));
            // the whole stream once more, as after a crash without a checkpoint: nothing changes
            Map<String, Long> versions = SearchRows.versions(TestEngine.documents(index));
            try (OpenSearchTarget t = OpenSearchScenarioIT.target(index)) {
                Scenarios.replay(t, "again", "s", s.records(), batch);
            }
            assertThat(SearchRows.versions(TestEngine.documents(index))).isEqualTo(versions);
        }
    }

    @Test
    void aDocumentTheEngineRefusesGoesToTheDeadLettersWithItsRecordAndTheRestApplies() {
        String index = "refuse";
        TestEngine.deleteIndices(index + "*");
        List<String> pk = List.of("id");
        // no DDL in the stream: the field's mapping is the engine's guess from the first value (an object)
        MaxwellStream s = new MaxwellStream();
        Map<String, Object> first = new LinkedHashMap<>();
        first.put("id", 1);
        first.put("attrs", Map.of("colour", "red"));
        Map<String, Object> clash = new LinkedHashMap<>();
        clash.put("id", 2);
        clash.put("attrs", "not an object");
        s.begin().insert("shop", "things", pk, first).commit();
        s.begin().insert("shop", "things", pk, clash).insert("shop", "things", pk, row(3, "fine")).commit();
        try (OpenSearchTarget t = OpenSearchScenarioIT.target(index)) {
            Scenarios.replay(t, "p", "s", s.records(), 1000);
        }
        List<String> ids = new ArrayList<>();
        TestEngine.documents(index).forEach(d -> ids.add(d.path("_id").asText()));
        assertThat(ids).containsExactlyInAnyOrder("shop.things/1", "shop.things/3");
        List<JsonNode> dead = TestEngine.documents(index + "_dead");
        assertThat(dead).hasSize(1);
        JsonNode d = dead.get(0).path("_source");
        assertThat(d.path("reason").asText()).contains("shop.things/2").contains("mapper_parsing_exception");
        assertThat(d.path("record").asText()).contains("not an object");
        assertThat(d.path("table").asText()).isEqualTo("things");
        assertThat(d.path("pipeline").asText()).isEqualTo("p");
    }

    @Test
    void partialRowsAndMovesWithoutAStoredDocumentAreCountedAndLogged() {
        String index = "missing";
        TestEngine.deleteIndices(index + "*");
        List<String> pk = List.of("id");
        MaxwellStream s = new MaxwellStream().createDatabase("shop").createTable("shop", "items",
                List.of(new MaxwellStream.Col("id", "int"), new MaxwellStream.Col("name", "varchar"), new MaxwellStream.Col("note", "varchar")),
                pk, "CREATE TABLE items (id int PRIMARY KEY, name varchar(20), note varchar(20))");
        Map<String, Object> one = row(1, "one");
        one.put("note", "kept");
        s.begin().insert("shop", "items", pk, one).commit();
        // MINIMAL images: 1 is indexed, 2 and 3 never were (rows older than the stream)
        s.begin().update("shop", "items", pk, row(1, "uno"), Map.of("name", "one")).commit();
        s.begin().update("shop", "items", pk, row(2, "dos"), Map.of("name", "two")).commit();
        s.begin().update("shop", "items", pk, row(4, "cuatro"), Map.of("id", 3, "name", "three")).commit();
        for (int batch : new int[] {1, 1000}) {
            TestEngine.deleteIndices(index + "*");
            io.micrometer.core.instrument.simple.SimpleMeterRegistry registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
            try (OpenSearchTarget t = OpenSearchScenarioIT.target(index)) {
                t.bindMetrics(registry, io.micrometer.core.instrument.Tags.of("pipeline", "p"));
                Scenarios.replay(t, "p", "s", s.records(), batch);
                assertThat(t.missingDocuments()).as("batches of %d", batch).isEqualTo(2);
                assertThat(registry.get("greenwell.opensearch.missing.documents").tag("pipeline", "p").functionCounter().count())
                        .isEqualTo(2.0);
            }
            List<JsonNode> docs = TestEngine.documents(index);
            assertThat(docs).hasSize(1);
            JsonNode d = docs.get(0).path("_source");
            assertThat(d.path("id").asInt()).isEqualTo(1);
            assertThat(d.path("name").asText()).isEqualTo("uno");
            assertThat(d.path("note").asText()).isEqualTo("kept");
            assertThat(TestEngine.documents(index + "_dead")).isEmpty();
        }
    }

    @Test
    void aCheckpointWrittenByAnotherInstanceSinceThisOneReadItFencesThisOne() {
        String index = "fence";
        TestEngine.deleteIndices(index + "*");
        List<String> pk = List.of("id");
        MaxwellStream s = new MaxwellStream();
        for (int i = 1; i <= 4; i++) {
            s.begin().insert("shop", "items", pk, row(i, "n" + i)).commit();
        }
        List<Scenarios.Record> records = s.records();
        try (OpenSearchTarget first = OpenSearchScenarioIT.target(index); OpenSearchTarget second = OpenSearchScenarioIT.target(index)) {
            Scenarios.replay(first, "p", "s", records.subList(0, 2), 1);
            second.loadCheckpoints("p");
            // the old owner's last batch still lands (reading does not write, see Control) ...
            Scenarios.replayLoaded(first, "s", records.subList(2, 3), 1);
            // ... and the new owner, whose checkpoint is no longer the one it read, is fenced
            assertThatThrownBy(() -> Scenarios.replayLoaded(second, "s", records.subList(3, 4), 1)).isInstanceOf(FencedException.class);
            assertThat(second.loadCheckpoints("p").get("s").offset()).isEqualTo(records.get(2).offset());
            Scenarios.replayLoaded(second, "s", records.subList(3, 4), 1);
            assertThat(first.loadCheckpoints("p").get("s").offset()).isEqualTo(records.get(3).offset());
        }
        assertThat(TestEngine.documents(index)).hasSize(4);
    }
}
