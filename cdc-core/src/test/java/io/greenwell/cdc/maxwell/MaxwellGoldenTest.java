package io.greenwell.cdc.maxwell;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenwell.cdc.event.ChangeEvent;
import io.greenwell.cdc.event.ColumnDef;
import io.greenwell.cdc.event.Op;
import io.greenwell.cdc.event.Row;
import io.greenwell.cdc.event.RowChange;
import io.greenwell.cdc.event.SchemaChange;
import io.greenwell.cdc.event.SourcePosition;
import io.greenwell.cdc.event.TableId;
import io.greenwell.cdc.event.Value;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Decodes every record of the real Maxwell streams in {@code testdata/maxwell} (captured from
 * MariaDB with Maxwell 1.44.1) and checks chosen values exactly.
 */
class MaxwellGoldenTest {

    private static final MaxwellDecoder DECODER = MaxwellDecoder.create();

    /** One record of a test stream with its event. */
    record Decoded(int line, ChangeEvent event) {}

    static List<Decoded> decodeAll(String scenario) throws IOException {
        byte[] all;
        try (InputStream in = MaxwellGoldenTest.class.getResourceAsStream("/testdata/maxwell/" + scenario + ".maxwell.jsonl")) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            all = out.toByteArray();
        }
        List<Decoded> events = new ArrayList<>();
        int start = 0;
        int line = 1;
        for (int i = 0; i <= all.length; i++) {
            if (i == all.length || all[i] == '\n') {
                if (i > start) {
                    events.add(new Decoded(line, DECODER.decode(all, start, i - start, scenario, start)));
                }
                start = i + 1;
                line++;
            }
        }
        return events;
    }

    @ParameterizedTest
    @ValueSource(strings = {"music", "types", "ddl"})
    void everyRecordDecodes(String scenario) throws IOException {
        List<Decoded> events = decodeAll(scenario);
        assertThat(events).isNotEmpty();
        SourcePosition previous = null;
        for (Decoded d : events) {
            ChangeEvent e = d.event();
            assertThat(e.meta().timestampMillis()).as("line %d", d.line()).isPositive();
            assertThat(e.position()).as("every record of these streams has a position (line %d)", d.line()).isNotNull();
            if (previous != null) {
                assertThat(e.position()).as("stream order is position order (line %d)", d.line()).isGreaterThanOrEqualTo(previous);
            }
            previous = e.position();
            if (e instanceof RowChange) {
                RowChange r = (RowChange) e;
                assertThat(r.primaryKeyColumns()).isNotNull();
                assertThat(r.meta().serverId()).isEqualTo(1L);
                assertThat(r.meta().xid()).isNotNull();
                for (String k : r.primaryKeyColumns()) {
                    assertThat(r.data().has(k)).as("key column %s in data (line %d)", k, d.line()).isTrue();
                }
                if (r.op() != Op.UPDATE) {
                    assertThat(r.old()).isSameAs(Row.EMPTY);
                }
            }
        }
    }

    @Test
    void musicStreamHasItsShape() throws IOException {
        List<Decoded> events = decodeAll("music");
        SchemaChange createDb = (SchemaChange) events.get(0).event();
        assertThat(createDb.kind()).isEqualTo(SchemaChange.Kind.DATABASE_CREATE);
        assertThat(createDb.database()).isEqualTo("music");
        assertThat(createDb.charset()).isEqualTo("utf8mb4");
        assertThat(createDb.meta().timestampMillis()).isEqualTo(1795461549000L);
        assertThat(createDb.position()).isEqualTo(new SourcePosition("mysql-bin.000001", 140083, -1, false, null));

        SchemaChange createTable = (SchemaChange) events.get(1).event();
        assertThat(createTable.kind()).isEqualTo(SchemaChange.Kind.TABLE_CREATE);
        assertThat(createTable.table()).isEqualTo(TableId.of("music", "album"));
        assertThat(createTable.def().primaryKey()).containsExactly("id");
        assertThat(createTable.def().columns()).extracting(ColumnDef::name)
                .containsExactly("id", "album_id", "artist", "genre", "release_year", "title", "track_count");
        assertThat(createTable.def().column("track_count")).isEqualTo(new ColumnDef("track_count", "int", true, null, List.of(), null));
        assertThat(createTable.def().column("id").charset()).isEqualTo("utf8mb4");
        assertThat(createTable.sql()).startsWith("CREATE TABLE album (\n  id varchar(40) NOT NULL,");

        RowChange first = (RowChange) events.get(2).event();
        assertThat(first.op()).isEqualTo(Op.INSERT);
        assertThat(first.meta().timestampMillis()).isEqualTo(1795461549000L);
        assertThat(first.meta().xid()).isEqualTo(312L);
        assertThat(first.meta().commit()).isTrue();
        assertThat(first.primaryKey()).containsExactly(Value.text("7a28feba-da4c-5cc8-87c3-dcaa7b1c4f07"));
        assertThat(first.data()).isEqualTo(Row.of(
                "id", "7a28feba-da4c-5cc8-87c3-dcaa7b1c4f07", "album_id", null, "artist", "Nirvana", "genre", "Rock",
                "release_year", "1991", "title", "Nevermind", "track_count", 12));

        assertThat(events).map(Decoded::event).filteredOn(RowChange.class::isInstance)
                .anySatisfy(e -> assertThat(((RowChange) e).data().get("artist")).isEqualTo(Value.text("坂本龍一")));
        RowChange update = firstRow(events, r -> r.op() == Op.UPDATE && r.old().has("title") && r.old().size() == 1);
        assertThat(update.before().get("title")).isEqualTo(update.old().get("title"));
        assertThat(update.before().get("artist")).isEqualTo(update.data().get("artist"));
    }

    @Test
    void typesStreamValuesAreExact() throws IOException {
        List<Decoded> events = decodeAll("types");
        RowChange ints2 = firstRow(events, r -> r.table().table().equals("ints") && r.data().get("id").equals(Value.number("2")));
        assertThat(ints2.data().get("biu")).isEqualTo(Value.number("18446744073709551615"));
        assertThat(((Value.Numeric) ints2.data().get("biu")).toBigInteger()).hasToString("18446744073709551615");
        assertThat(ints2.data().get("bi")).isEqualTo(Value.number("9223372036854775807"));
        RowChange ints1 = firstRow(events, r -> r.table().table().equals("ints") && r.data().get("id").equals(Value.number("1")));
        assertThat(ints1.data().get("bi")).isEqualTo(Value.number("-9223372036854775808"));

        List<String> decimals = new ArrayList<>();
        for (Decoded d : events) {
            if (d.event() instanceof RowChange && ((RowChange) d.event()).table().table().equals("decimals")) {
                Row data = ((RowChange) d.event()).data();
                for (int i = 0; i < data.size(); i++) {
                    decimals.add(data.value(i).asText());
                }
            }
        }
        assertThat(decimals).contains("12.50", "0.50000", "0E-30", "0.33333334");

        RowChange strings = firstRow(events, r -> r.table().table().equals("strings") && r.data().get("id").equals(Value.number("4")));
        assertThat(strings.data().get("vmb3")).isEqualTo(Value.text("nul\u0000byte"));
        assertThat(strings.data().get("lt")).isEqualTo(Value.text("nul \u0000 in the middle \u0000"));
        assertThat(strings.data().get("vbin")).isEqualTo(Value.text("tab\there"));
        assertThat(strings.data().get("tt")).isEqualTo(Value.text("back\\\\slashes"));
        assertThat(events).map(Decoded::event).filteredOn(RowChange.class::isInstance)
                .anySatisfy(e -> assertThat(containsText(((RowChange) e).data(), "\uD83D\uDE00")).isTrue());

        RowChange json = firstRow(events, r -> r.table().table().equals("json_docs") && r.data().get("j") instanceof Value.Json);
        assertThat(json.data().get("j").asText()).startsWith("{").endsWith("}");

        RowChange empty = firstRow(events, r -> r.table().table().equals("strings") && r.data().get("id").equals(Value.number("3")));
        assertThat(empty.data().get("s")).isEqualTo(Value.json("[]"));
        assertThat(empty.data().get("c10")).isEqualTo(Value.text(""));
        RowChange two = firstRow(events, r -> r.table().table().equals("strings") && r.data().get("id").equals(Value.number("2")));
        assertThat(two.data().get("s")).isEqualTo(Value.json("[\"x\",\"y\",\"z\"]"));
    }

    @Test
    void ddlStreamHasEveryKind() throws IOException {
        List<Decoded> events = decodeAll("ddl");
        List<SchemaChange.Kind> kinds = new ArrayList<>();
        for (Decoded d : events) {
            if (d.event() instanceof SchemaChange) {
                kinds.add(((SchemaChange) d.event()).kind());
            }
        }
        assertThat(kinds).contains(SchemaChange.Kind.values());
        SchemaChange move = null;
        for (Decoded d : events) {
            if (d.event() instanceof SchemaChange) {
                SchemaChange s = (SchemaChange) d.event();
                if (s.kind() == SchemaChange.Kind.TABLE_ALTER && s.def().database().equals("ddl_other")) {
                    move = s;
                }
            }
        }
        assertThat(move).isNotNull();
        assertThat(move.table()).isEqualTo(TableId.of("ddl_db", "events_v3"));
        assertThat(move.oldDef().id()).isEqualTo(TableId.of("ddl_db", "events_v3"));
        assertThat(move.def().id()).isEqualTo(TableId.of("ddl_other", "events_moved"));
    }

    private static boolean containsText(Row row, String text) {
        for (int i = 0; i < row.size(); i++) {
            String t = row.value(i).asText();
            if (t != null && t.contains(text)) {
                return true;
            }
        }
        return false;
    }

    private static RowChange firstRow(List<Decoded> events, Predicate<RowChange> p) {
        for (Decoded d : events) {
            if (d.event() instanceof RowChange && p.test((RowChange) d.event())) {
                return (RowChange) d.event();
            }
        }
        throw new AssertionError("no such row");
    }
}
