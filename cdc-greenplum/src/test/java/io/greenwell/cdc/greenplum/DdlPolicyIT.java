package io.greenwell.cdc.greenplum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.greenwell.cdc.ApplyException;
import io.greenwell.cdc.event.SchemaChange;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** DDL under policies, and DDL the target rejects, which stops the batch naming the statement. */
class DdlPolicyIT {

    private static TestDatabase db;

    @BeforeAll
    static void createDatabase() throws SQLException {
        db = TestDatabase.create("ddlpolicy");
    }

    @AfterAll
    static void dropDatabase() throws SQLException {
        db.close();
    }

    @BeforeEach
    void empty() throws SQLException {
        db.dropSchemas("shop", "greenwell");
    }

    private static MaxwellStream withTable() {
        return new MaxwellStream().createDatabase("shop").createTable("shop", "t",
                List.of(new MaxwellStream.Col("id", "int"), new MaxwellStream.Col("v", "varchar")), List.of("id"),
                "CREATE TABLE t (id int PRIMARY KEY, v varchar(20))")
                .insert("shop", "t", List.of("id"), Map.of("id", 1, "v", "abc"));
    }

    private static String dropRecord() {
        return "{\"type\":\"table-drop\",\"database\":\"shop\",\"table\":\"t\",\"ts\":1795461553000,\"sql\":\"DROP TABLE t\","
                + "\"position\":\"mysql-bin.000001:999999\"}";
    }

    private static List<Scenarios.Record> plus(MaxwellStream s, String record) {
        byte[] all = s.records().stream().map(r -> new String(r.bytes(), java.nio.charset.StandardCharsets.UTF_8) + "\n")
                .reduce("", String::concat).concat(record + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return Scenarios.lines(all);
    }

    @Test
    void anIgnoredDropKeepsTheTable() throws SQLException {
        try (GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(db.url())
                .ddlPolicy(SchemaChange.Kind.TABLE_DROP, DdlPolicy.IGNORE).build()) {
            Scenarios.replay(target, "p", "s", plus(withTable(), dropRecord()), 1000);
        }
        assertThat(query("SELECT v FROM shop.t")).isEqualTo("abc");
    }

    @Test
    void aForbiddenDropStopsTheBatch() throws SQLException {
        try (GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(db.url())
                .ddlPolicy(SchemaChange.Kind.TABLE_DROP, DdlPolicy.FAIL).build()) {
            assertThatThrownBy(() -> Scenarios.replay(target, "p", "s", plus(withTable(), dropRecord()), 1000))
                    .isInstanceOf(ApplyException.class)
                    .hasMessageContaining("DROP TABLE t");
        }
        assertThat(query("SELECT count(*) FROM pg_namespace WHERE nspname = 'shop'")).as("nothing of the batch committed").isEqualTo("0");
    }

    @Test
    void anAppliedDropDropsTheTable() throws SQLException {
        try (GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(db.url()).build()) {
            Scenarios.replay(target, "p", "s", plus(withTable(), dropRecord()), 1000);
        }
        assertThat(query("SELECT count(*) FROM pg_tables WHERE schemaname = 'shop'")).isEqualTo("0");
    }

    @Test
    void ddlTheTargetRejectsStopsWithTheStatement() throws SQLException {
        String alter = "{\"type\":\"table-alter\",\"database\":\"shop\",\"table\":\"t\","
                + "\"old\":{\"database\":\"shop\",\"charset\":\"utf8mb4\",\"table\":\"t\",\"primary-key\":[\"id\"],\"columns\":["
                + "{\"type\":\"int\",\"name\":\"id\",\"signed\":true},{\"type\":\"varchar\",\"name\":\"v\",\"charset\":\"utf8mb4\"}]},"
                + "\"def\":{\"database\":\"shop\",\"charset\":\"utf8mb4\",\"table\":\"t\",\"primary-key\":[\"id\"],\"columns\":["
                + "{\"type\":\"int\",\"name\":\"id\",\"signed\":true},{\"type\":\"int\",\"name\":\"v\",\"signed\":true}]},"
                + "\"ts\":1795461553000,\"sql\":\"ALTER TABLE t MODIFY v int\",\"position\":\"mysql-bin.000001:999999\"}";
        try (GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(db.url()).build()) {
            assertThatThrownBy(() -> Scenarios.replay(target, "p", "s", plus(withTable(), alter), 1))
                    .isInstanceOf(ApplyException.class)
                    .hasMessageContaining("ALTER TABLE \"shop\".\"t\" ALTER COLUMN \"v\" TYPE integer")
                    .satisfies(e -> assertThat(((ApplyException) e).sqlState()).isEqualTo("22P02"));
        }
        assertThat(query("SELECT v FROM shop.t")).as("the batches before the DDL stay").isEqualTo("abc");
        assertThat(query("SELECT count(*) FROM greenwell.dead_letter")).as("DDL is never dead-lettered").isEqualTo("0");
    }

    private static String query(String q) throws SQLException {
        try (Connection c = db.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(q)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
