package io.greenwell.cdc.opensearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.greenwell.cdc.ApplyException;
import io.greenwell.cdc.greenplum.MaxwellStream;
import io.greenwell.cdc.greenplum.Scenarios;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The target's options against a real OpenSearch node: versions from transport offsets, decimals
 * as numbers, and refused documents that stop the pipeline instead of going to the dead letters.
 */
class OpenSearchOptionsIT {

    private static final List<String> PK = List.of("id");

    private static OpenSearchTarget.Builder builder(String index) {
        return OpenSearchTarget.builder().url(TestEngine.url()).index(index).controlIndex(index + "_control")
                .deadLetterIndex(index + "_dead");
    }

    private static Map<String, Object> row(Object... kv) {
        return MaxwellStream.row(kv);
    }

    /** @return the records without their binlog positions, as Maxwell writes them without {@code output_binlog_position} */
    private static List<Scenarios.Record> withoutPositions(MaxwellStream s) throws IOException {
        MaxwellStream out = new MaxwellStream();
        for (Scenarios.Record r : s.records()) {
            ObjectNode n = (ObjectNode) Engine.JSON.readTree(r.bytes());
            n.remove("position");
            out.raw(Engine.JSON.writeValueAsBytes(n));
        }
        return out.records();
    }

    @Test
    void offsetVersioningIndexesAStreamWithoutPositionsAndAReplayChangesNothing() throws IOException {
        String index = "opt_offset";
        TestEngine.deleteIndices(index + "*");
        MaxwellStream s = new MaxwellStream();
        s.insert("shop", "items", PK, row("id", 1, "name", "one")).insert("shop", "items", PK, row("id", 2, "name", "two"));
        s.update("shop", "items", PK, row("id", 1, "name", "uno"), Map.of("name", "one"));
        s.delete("shop", "items", PK, row("id", 2, "name", "two")).insert("shop", "items", PK, row("id", 3, "name", "three"));
        List<Scenarios.Record> records = withoutPositions(s);

        // versioned by position, events without one go to the dead letters (one batch each: none compacts away)
        try (OpenSearchTarget t = builder(index).build()) {
            Scenarios.replay(t, "p", "s", records, 1);
        }
        assertThat(TestEngine.documents(index)).isEmpty();
        assertThat(SearchRows.reasons(TestEngine.documents(index + "_dead"))).hasSize(5)
                .allSatisfy(r -> assertThat(r).contains("no binlog position"));

        for (int batch : new int[] {1, 1000}) {
            TestEngine.deleteIndices(index + "*");
            try (OpenSearchTarget t = builder(index).versioning(Versioning.OFFSET).build()) {
                Scenarios.replay(t, "p", "s", records, batch);
            }
            assertThat(TestEngine.documents(index + "_dead")).isEmpty();
            Map<String, String> names = new TreeMap<>();
            for (JsonNode d : TestEngine.documents(index)) {
                names.put(d.path("_id").asText(), d.path("_source").path("name").asText());
            }
            assertThat(names).as("batches of %d", batch).isEqualTo(Map.of("shop.items/1", "uno", "shop.items/3", "three"));
            // each document's version is the offset of the last record behind it, plus one
            Map<String, Long> versions = SearchRows.versions(TestEngine.documents(index));
            assertThat(versions).isEqualTo(Map.of("shop.items/1", records.get(2).offset() + 1, "shop.items/3", records.get(4).offset() + 1));
            try (OpenSearchTarget again = builder(index).versioning(Versioning.OFFSET).build()) {
                Scenarios.replay(again, "second", "s", records, batch);
                assertThat(again.staleActions()).isPositive();
            }
            assertThat(SearchRows.versions(TestEngine.documents(index))).isEqualTo(versions);
        }
    }

    @Test
    void decimalsAsNumbersKeepTheirDigitsAndAreMappedAsDoubles() {
        String index = "opt_decimals";
        TestEngine.deleteIndices(index + "*");
        MaxwellStream s = new MaxwellStream().createDatabase("shop").createTable("shop", "prices",
                List.of(new MaxwellStream.Col("id", "int"), new MaxwellStream.Col("price", "decimal")), PK,
                "CREATE TABLE prices (id int PRIMARY KEY, price decimal(20,2))");
        s.insert("shop", "prices", PK, row("id", 1, "price", new BigDecimal("12.50")))
                .insert("shop", "prices", PK, row("id", 2, "price", new BigDecimal("1.00E+3")))
                .insert("shop", "prices", PK, row("id", 3, "price", new BigDecimal("123456789012345678.25")));
        // the test's JSON writer drops trailing zeros; Maxwell writes the column's scale
        MaxwellStream scaled = new MaxwellStream();
        for (Scenarios.Record r : s.records()) {
            scaled.raw(new String(r.bytes(), StandardCharsets.UTF_8).replace("\"price\":12.5}", "\"price\":12.50}")
                    .getBytes(StandardCharsets.UTF_8));
        }
        try (OpenSearchTarget t = builder(index).decimals(Decimals.NUMBER).build()) {
            Scenarios.replay(t, "p", "s", scaled.records(), 1000);
        }
        Map<String, String> prices = new TreeMap<>();
        for (JsonNode d : TestEngine.documents(index)) {
            JsonNode price = d.path("_source").path("price");
            assertThat(price.isNumber()).as("%s", d).isTrue();
            prices.put(d.path("_id").asText(), price.decimalValue().toString());
        }
        // every digit and the scale as written, in plain notation
        assertThat(prices).isEqualTo(Map.of("shop.prices/1", "12.50", "shop.prices/2", "1000", "shop.prices/3", "123456789012345678.25"));
        JsonNode mapping = TestEngine.call("GET", "/" + index + "/_mapping", null);
        assertThat(mapping.path(index).path("mappings").path("properties").path("price").path("type").asText()).isEqualTo("double");
        JsonNode hits = TestEngine.call("POST", "/" + index + "/_search",
                "{\"query\":{\"range\":{\"price\":{\"gte\":12.4,\"lte\":1000}}}}").path("hits").path("hits");
        List<String> ids = new ArrayList<>();
        hits.forEach(h -> ids.add(h.path("_id").asText()));
        assertThat(ids).containsExactlyInAnyOrder("shop.prices/1", "shop.prices/2");
    }

    @Test
    void withoutDeadLettersARefusedDocumentStopsTheBatchBeforeItsCheckpoint() {
        String index = "opt_nodead";
        TestEngine.deleteIndices(index + "*");
        Map<String, Object> first = new LinkedHashMap<>();
        first.put("id", 1);
        first.put("attrs", Map.of("colour", "red"));
        Map<String, Object> clash = new LinkedHashMap<>();
        clash.put("id", 2);
        clash.put("attrs", "not an object");
        MaxwellStream s = new MaxwellStream();
        s.begin().insert("shop", "things", PK, first).commit();
        s.begin().insert("shop", "things", PK, clash).insert("shop", "things", PK, row("id", 3, "attrs", Map.of("colour", "blue"))).commit();
        try (OpenSearchTarget t = builder(index).deadLetters(false).build()) {
            assertThatThrownBy(() -> Scenarios.replay(t, "p", "s", s.records(), 1)).isInstanceOfSatisfying(ApplyException.class, e -> {
                assertThat(e.isTransient()).isFalse();
                assertThat(e.getMessage()).contains("shop.things/2").contains("mapper_parsing_exception");
            });
            // the first batch's checkpoint is written, the failed one's is not
            assertThat(t.loadCheckpoints("p").get("s").offset()).isEqualTo(s.records().get(0).offset());
        }
        assertThat(TestEngine.call("GET", "/" + index + "_dead", null).path("status").asInt()).isEqualTo(404);
        List<String> ids = new ArrayList<>();
        TestEngine.documents(index).forEach(d -> ids.add(d.path("_id").asText()));
        assertThat(ids).contains("shop.things/1").doesNotContain("shop.things/2");
    }
}
