package io.greenwell.cdc.greenplum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The flashback renderer's rules, on handmade events: statements, guards, literals, refusals. */
class FlashbackTest {

    private final Map<String, Flashback.Table> tables = new HashMap<>();
    private final Flashback.Columns columns = (db, t) -> tables.get(db + "." + t);
    private long offset = 100;

    private void table(String db, String t, List<String> key, String... namesAndTypes) {
        List<Flashback.Column> cols = new ArrayList<>();
        for (int i = 0; i < namesAndTypes.length; i += 2) {
            cols.add(new Flashback.Column(namesAndTypes[i], namesAndTypes[i + 1]));
        }
        tables.put(db + "." + t, new Flashback.Table(cols, key));
    }

    private ArchivedEvent event(String type, String db, String t, List<String> key, String data, String old) {
        long at = offset++;
        return new ArchivedEvent("p1", "maxwell", at, Instant.ofEpochSecond(1795461550), 1L, "mysql-bin.000001", 4000 + at, null,
                null, BigInteger.valueOf(at), true, db, t, type, key, data, old, null, null);
    }

    private ArchivedEvent insert(String data) {
        return event("insert", "shop", "item", List.of("id"), data, null);
    }

    private ArchivedEvent delete(String data) {
        return event("delete", "shop", "item", List.of("id"), data, null);
    }

    private ArchivedEvent update(String data, String old) {
        return event("update", "shop", "item", List.of("id"), data, old);
    }

    private FlashbackScript render(ArchivedEvent... events) {
        return Flashback.render(List.of(events), columns, "xid 42");
    }

    /** The statement lines of a script: neither comments nor the session and transaction lines. */
    private static List<String> statements(FlashbackScript s) {
        List<String> out = new ArrayList<>();
        for (String line : s.sql().split("\n", -1)) {
            if (!line.isEmpty() && !line.startsWith("-- ") && !line.startsWith("SET NAMES") && !line.startsWith("SET time_zone")
                    && !line.equals("START TRANSACTION;") && !line.equals("COMMIT;")) {
                out.add(line);
            }
        }
        return out;
    }

    private static String only(FlashbackScript s) {
        assertThat(statements(s)).hasSize(1);
        return statements(s).get(0);
    }

    private void shop() {
        table("shop", "item", List.of("id"), "id", "integer", "name", "character varying(40)", "price", "numeric(10,2)",
                "note", "text");
    }

    @Test
    void theWholeScript() {
        shop();
        FlashbackScript s = render(insert("{\"id\": 1, \"name\": \"pen\", \"note\": null, \"price\": 1.50}"),
                update("{\"id\": 1, \"name\": \"pen\", \"note\": null, \"price\": 2.00}", "{\"price\": 1.50}"));
        assertThat(s.sql()).isEqualTo(""
                + "-- Greenwell flashback of xid 42: 2 events of pipeline p1, undone newest first.\n"
                + "-- 2 statements, 1 of them guarded: a guarded UPDATE changes its row only while the columns the event changed still hold\n"
                + "-- the values it gave them; one that matches no row (0 rows affected) found the row changed or deleted since\n"
                + "-- and left it as it is. TIMESTAMP values are UTC; zero dates need a sql_mode that allows them.\n"
                + "SET NAMES utf8mb4;\n"
                + "SET time_zone = '+00:00';\n"
                + "START TRANSACTION;\n"
                + "-- update of shop.item at stream maxwell offset 101, mysql-bin.000001:4101, xid 101\n"
                + "UPDATE `shop`.`item` SET `price` = 1.50 WHERE `id` <=> 1 AND `price` <=> 2.00;\n"
                + "-- insert of shop.item at stream maxwell offset 100, mysql-bin.000001:4100, xid 100\n"
                + "DELETE FROM `shop`.`item` WHERE `id` <=> 1 LIMIT 1;\n"
                + "COMMIT;\n");
        assertThat(s.statements()).isEqualTo(2);
        assertThat(s.guarded()).isEqualTo(1);
    }

    @Test
    void aDeleteBecomesAnInsertInTableOrder() {
        shop();
        String sql = only(render(delete("{\"id\": 7, \"name\": \"it's\", \"note\": \"x\", \"price\": 3.25}")));
        assertThat(sql).isEqualTo("INSERT INTO `shop`.`item` (`id`, `name`, `price`, `note`) VALUES (7, 'it''s', 3.25, 'x');");
    }

    @Test
    void anUpdateSetsTheOldValuesBackWhileTheNewOnesAreThere() {
        shop();
        FlashbackScript s = render(update("{\"id\": 3, \"name\": \"b\", \"note\": \"new\", \"price\": 9.99}",
                "{\"note\": null, \"name\": \"a\"}"));
        assertThat(only(s)).isEqualTo("UPDATE `shop`.`item` SET `name` = 'a', `note` = NULL WHERE `id` <=> 3 AND `name` <=> 'b' AND `note` <=> 'new';");
        assertThat(s.guarded()).isEqualTo(1);
    }

    @Test
    void nullsOnBothSides() {
        shop();
        String sql = only(render(update("{\"id\": 3, \"name\": null, \"note\": \"n\", \"price\": null}", "{\"name\": \"a\", \"price\": 1.00}")));
        assertThat(sql).isEqualTo("UPDATE `shop`.`item` SET `name` = 'a', `price` = 1.00 WHERE `id` <=> 3 AND `name` IS NULL AND `price` IS NULL;");
    }

    @Test
    void aKeyChangeFindsTheRowByItsNewKeyAndSetsTheOldOneBack() {
        table("shop", "pair", List.of("a", "b"), "a", "integer", "b", "text", "v", "text");
        ArchivedEvent e = event("update", "shop", "pair", List.of("b", "a"), "{\"a\": 1, \"b\": \"new\", \"v\": \"w\"}",
                "{\"b\": \"old\", \"v\": \"v\"}");
        assertThat(only(Flashback.render(List.of(e), columns, "x")))
                .isEqualTo("UPDATE `shop`.`pair` SET `b` = 'old', `v` = 'v' WHERE `b` <=> 'new' AND `a` <=> 1 AND `v` <=> 'w';");
    }

    @Test
    void eventsAreUndoneNewestFirst() {
        shop();
        FlashbackScript s = render(insert("{\"id\": 1, \"name\": \"a\", \"note\": null, \"price\": 1}"),
                insert("{\"id\": 2, \"name\": \"b\", \"note\": null, \"price\": 1}"),
                delete("{\"id\": 1, \"name\": \"a\", \"note\": null, \"price\": 1}"));
        assertThat(statements(s)).containsExactly(
                "INSERT INTO `shop`.`item` (`id`, `name`, `price`, `note`) VALUES (1, 'a', 1, NULL);",
                "DELETE FROM `shop`.`item` WHERE `id` <=> 2 LIMIT 1;",
                "DELETE FROM `shop`.`item` WHERE `id` <=> 1 LIMIT 1;");
        assertThat(s.statements()).isEqualTo(3);
        assertThat(s.guarded()).isZero();
        assertThat(s.sql()).contains("3 events of pipeline p1");
    }

    @Test
    void aTableWithoutKeyIsMatchedOnEveryColumnOfTheImageOneRowAtATime() {
        table("shop", "log", List.of(), "at", "timestamp(0) with time zone", "what", "text", "n", "integer");
        ArchivedEvent ins = event("insert", "shop", "log", List.of(), "{\"n\": 1, \"at\": \"2024-01-01 00:00:00\", \"what\": \"x\"}", null);
        ArchivedEvent upd = event("update", "shop", "log", List.of(), "{\"n\": 2, \"at\": \"2024-01-01 00:00:00\", \"what\": null}",
                "{\"n\": 1}");
        FlashbackScript s = Flashback.render(List.of(ins, upd), columns, "x");
        assertThat(statements(s)).containsExactly(
                "UPDATE `shop`.`log` SET `n` = 1 WHERE `at` <=> '2024-01-01 00:00:00' AND `what` IS NULL AND `n` <=> 2 LIMIT 1;",
                "DELETE FROM `shop`.`log` WHERE `at` <=> '2024-01-01 00:00:00' AND `what` <=> 'x' AND `n` <=> 1 LIMIT 1;");
        assertThat(s.guarded()).isEqualTo(1);
    }

    @Test
    void theCatalogsKeyServesWhenTheEventNamesNone() {
        shop();
        ArchivedEvent e = event("insert", "shop", "item", List.of(), "{\"id\": 5, \"name\": \"a\", \"note\": null, \"price\": 1}", null);
        assertThat(only(Flashback.render(List.of(e), columns, "x"))).isEqualTo("DELETE FROM `shop`.`item` WHERE `id` <=> 5 LIMIT 1;");
    }

    @Test
    void oddIdentifiersAreQuotedWithBackticksDoubled() {
        table("my`db", "Tab le ü", List.of("Id`x"), "Id`x", "integer", "Some \"Col\"", "text");
        ArchivedEvent e = event("delete", "my`db", "Tab le ü", List.of("Id`x"), "{\"Id`x\": 1, \"Some \\\"Col\\\"\": \"v\"}", null);
        assertThat(only(Flashback.render(List.of(e), columns, "x")))
                .isEqualTo("INSERT INTO `my``db`.`Tab le ü` (`Id``x`, `Some \"Col\"`) VALUES (1, 'v');");
    }

    @Test
    void binaryAsHexAndComparedWithoutTrailingZeroBytes() {
        table("b", "t", List.of("k"), "k", "bytea", "v", "bytea");
        // k = 0x00FF00, v = 0xDEAD0000 -> 0x01
        ArchivedEvent e = event("update", "b", "t", List.of("k"), "{\"k\": \"AP8A\", \"v\": \"3q0AAA==\"}", "{\"v\": \"AQ==\"}");
        ArchivedEvent empty = event("delete", "b", "t", List.of("k"), "{\"k\": \"\", \"v\": null}", null);
        assertThat(statements(Flashback.render(List.of(e, empty), columns, "x"))).containsExactly(
                "INSERT INTO `b`.`t` (`k`, `v`) VALUES (X'', NULL);",
                "UPDATE `b`.`t` SET `v` = X'01' WHERE `k` <=> X'00FF00' AND TRIM(TRAILING X'00' FROM `v`) <=> X'DEAD';");
    }

    @Test
    void jsonAsItsTextComparedAsJson() {
        table("j", "t", List.of("id"), "id", "integer", "doc", "jsonb", "plain", "json");
        ArchivedEvent e = event("update", "j", "t", List.of("id"),
                "{\"id\": 1, \"doc\": {\"a\": [1, 2.50], \"it's\": \"q\"}, \"plain\": \"now a string\"}", "{\"doc\": 42, \"plain\": true}");
        assertThat(only(Flashback.render(List.of(e), columns, "x"))).isEqualTo("UPDATE `j`.`t` SET `doc` = '42', `plain` = 'true' WHERE `id` <=> 1"
                + " AND (JSON_CONTAINS(`doc`, '{\"a\": [1, 2.50], \"it''s\": \"q\"}') AND JSON_CONTAINS('{\"a\": [1, 2.50], \"it''s\": \"q\"}', `doc`))"
                + " AND (JSON_CONTAINS(`plain`, '\"now a string\"') AND JSON_CONTAINS('\"now a string\"', `plain`));");
    }

    @Test
    void jsonTextWithABackslashIsHex() {
        table("j", "t", List.of("id"), "id", "integer", "doc", "jsonb");
        // the document {"p": "a\"b"}: its text holds a backslash
        ArchivedEvent e = event("delete", "j", "t", List.of("id"), "{\"id\": 1, \"doc\": {\"p\": \"a\\\"b\"}}", null);
        assertThat(only(Flashback.render(List.of(e), columns, "x")))
                .isEqualTo("INSERT INTO `j`.`t` (`id`, `doc`) VALUES (1, _utf8mb4 X'7B2270223A2022615C2262227D');");
    }

    @Test
    void setAsItsMembers() {
        table("s", "t", List.of("id"), "id", "integer", "s", "text[]");
        ArchivedEvent a = event("delete", "s", "t", List.of("id"), "{\"id\": 1, \"s\": [\"x\", \"z\"]}", null);
        ArchivedEvent b = event("delete", "s", "t", List.of("id"), "{\"id\": 2, \"s\": []}", null);
        ArchivedEvent c = event("delete", "s", "t", List.of("id"), "{\"id\": 3, \"s\": \"x,y\"}", null);
        assertThat(statements(Flashback.render(List.of(a, b, c), columns, "x"))).containsExactly(
                "INSERT INTO `s`.`t` (`id`, `s`) VALUES (3, 'x,y');",
                "INSERT INTO `s`.`t` (`id`, `s`) VALUES (2, '');",
                "INSERT INTO `s`.`t` (`id`, `s`) VALUES (1, 'x,z');");
    }

    @Test
    void bitAsTheNumberOfItsLowBits() {
        table("b", "t", List.of("id"), "id", "integer", "b8", "bit(8)", "b64", "bit(64)", "bv", "bit varying", "flag", "boolean");
        ArchivedEvent e = event("delete", "b", "t", List.of("id"),
                "{\"id\": 1, \"b8\": 170, \"bv\": 18446744073709551615, \"b64\": -2147483648, \"flag\": 1}", null);
        assertThat(only(Flashback.render(List.of(e), columns, "x")))
                .isEqualTo("INSERT INTO `b`.`t` (`id`, `b8`, `b64`, `bv`, `flag`) VALUES (1, 170, 18446744071562067968, 18446744073709551615, 1);");
    }

    @Test
    void exactNumbersInPlainNotation() {
        table("n", "t", List.of("id"), "id", "numeric(20,0)", "d65", "numeric(65,30)", "d", "numeric(10,2)", "s", "smallint");
        ArchivedEvent a = event("delete", "n", "t", List.of("id"), "{\"id\": 18446744073709551615, \"d65\": 0E-30, \"d\": 12.50, \"s\": -128}", null);
        ArchivedEvent b = event("delete", "n", "t", List.of("id"), "{\"id\": 1, \"d65\": 1E-30, \"d\": -0.01, \"s\": 0}", null);
        ArchivedEvent c = event("delete", "n", "t", List.of("id"),
                "{\"id\": 2, \"d65\": 99999999999999999999999999999999999.999999999999999999999999999999, \"d\": 1.2E+3, \"s\": 1}", null);
        assertThat(statements(Flashback.render(List.of(a, b, c), columns, "x"))).containsExactly(
                "INSERT INTO `n`.`t` (`id`, `d65`, `d`, `s`) VALUES (2, 99999999999999999999999999999999999.999999999999999999999999999999, 1200, 1);",
                "INSERT INTO `n`.`t` (`id`, `d65`, `d`, `s`) VALUES (1, 0.000000000000000000000000000001, -0.01, 0);",
                "INSERT INTO `n`.`t` (`id`, `d65`, `d`, `s`) VALUES (18446744073709551615, 0.000000000000000000000000000000, 12.50, -128);");
    }

    @Test
    void floatsAsApproximateLiteralsAndFloatColumnsComparedAsFloats() {
        table("f", "t", List.of("id"), "id", "integer", "f", "real", "d", "double precision");
        ArchivedEvent a = event("update", "f", "t", List.of("id"), "{\"id\": 1, \"d\": 9007199254740992.0, \"f\": 0.33333334}",
                "{\"d\": 0.0001, \"f\": 340282350000000000000000000000000000000}");
        ArchivedEvent b = event("delete", "f", "t", List.of("id"), "{\"id\": 2, \"d\": -1.5E-300, \"f\": 0}", null);
        assertThat(statements(Flashback.render(List.of(a, b), columns, "x"))).containsExactly(
                "INSERT INTO `f`.`t` (`id`, `f`, `d`) VALUES (2, 0E0, -15E-301);",
                "UPDATE `f`.`t` SET `f` = 34028235E31, `d` = 1E-4 WHERE `id` <=> 1 AND `f` <=> CAST(33333334E-8 AS FLOAT) AND `d` <=> 9007199254740992E0;");
    }

    @Test
    void temporalStringsVerbatim() {
        table("d", "t", List.of("id"), "id", "integer", "d", "date", "dt", "timestamp(6) without time zone",
                "ts", "timestamp(3) with time zone", "t", "interval", "y", "smallint");
        ArchivedEvent e = event("delete", "d", "t", List.of("id"), "{\"d\": \"0000-00-00\", \"t\": \"17:04:09.554\", \"y\": 1900, "
                + "\"dt\": \"9999-12-31 23:59:59.999999\", \"id\": 1, \"ts\": \"2038-01-19 03:14:07.999\"}", null);
        assertThat(only(Flashback.render(List.of(e), columns, "x"))).isEqualTo("INSERT INTO `d`.`t` (`id`, `d`, `dt`, `ts`, `t`, `y`) VALUES "
                + "(1, '0000-00-00', '9999-12-31 23:59:59.999999', '2038-01-19 03:14:07.999', '17:04:09.554', 1900);");
    }

    @Test
    void stringsWithABackslashOrAControlCharacterAreHex() {
        table("s", "t", List.of("id"), "id", "integer", "v", "text");
        List<ArchivedEvent> events = new ArrayList<>();
        for (String v : List.of("\"plain 😀 ü\"", "\"O'Brien\"", "\"back\\\\slash\"", "\"tab\\there\"", "\"line\\nbreak\"",
                "\"nul\\u0000\"", "\"ctrl-z \\u001a\"", "\"del \\u007f\"")) {
            events.add(event("delete", "s", "t", List.of("id"), "{\"id\": 1, \"v\": " + v + "}", null));
        }
        List<String> sql = statements(Flashback.render(events, columns, "x"));
        List<String> values = new ArrayList<>();
        for (String s : sql) {
            values.add(s.substring(s.indexOf("VALUES (1, ") + 11, s.length() - 2));
        }
        assertThat(values).containsExactly("_utf8mb4 X'64656C207F'", "_utf8mb4 X'6374726C2D7A201A'", "_utf8mb4 X'6E756C00'",
                "_utf8mb4 X'6C696E650A627265616B'", "_utf8mb4 X'7461620968657265'", "_utf8mb4 X'6261636B5C736C617368'", "'O''Brien'",
                "'plain 😀 ü'");
    }

    @Test
    void theHeaderNamesWhatIsUndoneOnOneLine() {
        shop();
        ArchivedEvent e = insert("{\"id\": 1, \"name\": \"a\", \"note\": null, \"price\": 1}");
        FlashbackScript s = Flashback.render(List.of(e), columns, "2024-01-01 00:00\nto 01:00");
        assertThat(s.sql()).startsWith("-- Greenwell flashback of 2024-01-01 00:00 to 01:00: 1 event of pipeline p1, undone newest first.\n");
        FlashbackScript none = Flashback.render(List.of(), columns, "nothing");
        assertThat(none.sql()).startsWith("-- Greenwell flashback of nothing: 0 events, undone newest first.\n").endsWith("START TRANSACTION;\nCOMMIT;\n");
        assertThat(none.statements()).isZero();
    }

    // ---- refusals ----

    @Test
    void ddlIsRefused() {
        shop();
        ArchivedEvent before = insert("{\"id\": 1, \"name\": \"a\", \"note\": null, \"price\": 1}");
        ArchivedEvent ddl = event("table-alter", "shop", "item", List.of(), null, null);
        assertThatThrownBy(() -> render(before, ddl))
                .isInstanceOf(FlashbackException.class)
                .hasMessage("cannot undo table-alter of shop.item (stream maxwell, offset 101, position mysql-bin.000001:4101, xid 101):"
                        + " DDL is not inverted; undo only the row changes after it, or before it")
                .satisfies(x -> assertThat(((FlashbackException) x).event()).isSameAs(ddl));
        ArchivedEvent dropDb = event("database-drop", "shop", null, List.of(), null, null);
        assertThatThrownBy(() -> render(dropDb)).hasMessageStartingWith("cannot undo database-drop of database shop (stream maxwell, offset 102,");
    }

    @Test
    void bootstrapRecordsAreRefused() {
        shop();
        ArchivedEvent start = event("bootstrap-start", "shop", "item", List.of(), "{}", null);
        assertThatThrownBy(() -> render(start)).isInstanceOf(FlashbackException.class)
                .hasMessageContaining("bootstrap-start of shop.item (stream maxwell, offset 100,")
                .hasMessageEndingWith("a bootstrap record copies a row that was there already; it is not a change to undo");
        ArchivedEvent row = event("bootstrap-insert", "shop", "item", List.of("id"), "{\"id\": 1}", null);
        assertThatThrownBy(() -> render(row)).hasMessageContaining("bootstrap-insert of shop.item");
    }

    @Test
    void aMinimalDeleteImageIsRefused() {
        shop();
        assertThatThrownBy(() -> render(delete("{\"id\": 9}"))).isInstanceOf(FlashbackException.class)
                .hasMessage("cannot undo delete of shop.item (stream maxwell, offset 100, position mysql-bin.000001:4100, xid 100):"
                        + " the deleted row's image lacks column name (a MINIMAL row image?), so the row cannot be inserted again");
    }

    @Test
    void anUnknownTableIsRefused() {
        ArchivedEvent e = event("insert", "shop", "gone", List.of("id"), "{\"id\": 1}", null);
        assertThatThrownBy(() -> render(e)).isInstanceOf(FlashbackException.class)
                .hasMessage("cannot undo insert of shop.gone (stream maxwell, offset 100, position mysql-bin.000001:4100, xid 100):"
                        + " the target knows no such table");
    }

    @Test
    void otherEventsThatCannotBeUndoneAreRefused() {
        shop();
        assertThatThrownBy(() -> render(update("{\"id\": 1, \"name\": \"a\", \"note\": null, \"price\": 1}", null)))
                .hasMessageEndingWith("the update has no previous values (old), so there is nothing to set back");
        assertThatThrownBy(() -> render(insert("{\"id\": 1, \"colour\": \"red\"}")))
                .hasMessageEndingWith("column colour of data is not a column of the table (changed by DDL since?)");
        assertThatThrownBy(() -> render(insert("{\"name\": \"a\"}")))
                .hasMessageEndingWith("the key column id is not in the row image (data)");
        assertThatThrownBy(() -> render(insert(null))).hasMessageEndingWith("the event has no row image (data)");
        assertThatThrownBy(() -> render(insert("[1]"))).hasMessageEndingWith("data is not a JSON object");
        table("b", "t", List.of("id"), "id", "integer", "v", "bytea", "n", "numeric");
        ArchivedEvent badBase64 = event("delete", "b", "t", List.of("id"), "{\"id\": 1, \"v\": \"***\", \"n\": 1}", null);
        assertThatThrownBy(() -> Flashback.render(List.of(badBase64), columns, "x")).hasMessageContaining("binary column v holds bad base64");
        ArchivedEvent jsonNumber = event("delete", "b", "t", List.of("id"), "{\"id\": 1, \"v\": null, \"n\": {\"a\": 1}}", null);
        assertThatThrownBy(() -> Flashback.render(List.of(jsonNumber), columns, "x"))
                .hasMessageEndingWith("column n holds numbers, not the JSON {\"a\": 1}");
    }
}
