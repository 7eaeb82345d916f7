package io.greenwell.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenwell.cdc.compact.BatchLimits;
import io.greenwell.cdc.greenplum.GreenplumTarget;
import io.greenwell.cdc.greenplum.MaxwellStream;
import io.greenwell.cdc.greenplum.Scenarios;
import io.greenwell.cdc.greenplum.TestDatabase;
import io.greenwell.cdc.pipeline.BatchReport;
import io.greenwell.cdc.pipeline.CdcPipeline;
import io.greenwell.cdc.pipeline.RunSummary;
import io.greenwell.cdc.source.MemorySource;
import io.greenwell.cdc.spi.SourceRecord;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pipeline in code: the README's quick start, a stop in the middle, the reports. */
class PipelineIT {

    private static TestDatabase db;

    @TempDir
    Path dir;

    @BeforeAll
    static void createDatabase() throws SQLException {
        db = TestDatabase.create("pipeline");
    }

    @AfterAll
    static void dropDatabase() throws SQLException {
        db.close();
    }

    @BeforeEach
    void empty() throws SQLException {
        db.dropSchemas("music", "types", "greenwell");
    }

    /**
     * A run that starts after the table's DDL (the checkpoint lies beyond it) learns the table's
     * columns from the target: a MINIMAL update image (the key and the changed column only) then
     * changes that column and leaves the others, instead of being taken for a full row.
     */
    @Test
    void aRunResumedAfterTheDdlAppliesMinimalImagesAsPartialRows() throws Exception {
        List<String> pk = List.of("id");
        MaxwellStream s = new MaxwellStream().createDatabase("music").createTable("music", "album",
                List.of(new MaxwellStream.Col("id", "int"), new MaxwellStream.Col("title", "varchar"), new MaxwellStream.Col("year", "int")), pk,
                "CREATE TABLE album (id int PRIMARY KEY, title varchar(50), year int)")
                .insert("music", "album", pk, java.util.Map.of("id", 1, "title", "Nevermind", "year", 1991));
        int firstRun = s.records().size();
        s.update("music", "album", pk, java.util.Map.of("id", 1, "year", 1992), java.util.Map.of("year", 1991));
        Path input = dir.resolve("minimal.jsonl");
        List<byte[]> lines = new ArrayList<>();
        for (Scenarios.Record r : s.records()) {
            lines.add(r.bytes());
        }
        java.nio.file.Files.write(input, join(lines.subList(0, firstRun)));
        run(input);
        java.nio.file.Files.write(input, join(lines)); // the file grew: the next run resumes after the insert
        RunSummary second = run(input);
        assertThat(second.applied()).as("the second run applied the update only").isEqualTo(1);
        try (Connection c = db.connect(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT id, title, year FROM music.album ORDER BY id")) {
            List<String> rows = new ArrayList<>();
            while (rs.next()) {
                rows.add(rs.getInt(1) + "|" + rs.getString(2) + "|" + rs.getInt(3));
            }
            assertThat(rows).containsExactly("1|Nevermind|1992");
        }
    }

    private RunSummary run(Path input) {
        try (io.greenwell.cdc.source.FileSource source = io.greenwell.cdc.source.FileSource.of(input);
                GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(db.url()).build()) {
            return CdcPipeline.builder().source(source).target(target).build().run();
        }
    }

    private static byte[] join(List<byte[]> lines) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] l : lines) {
            out.writeBytes(l);
            out.write('\n');
        }
        return out.toByteArray();
    }

    @Test
    void theQuickStartReplaysAFile() throws Exception {
        Path input = Cli.file(dir, "/testdata/maxwell/types.maxwell.jsonl");
        PrintStream stdout = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            QuickStart.main(new String[] {input.toString(), db.url()});
        } finally {
            System.setOut(stdout);
        }
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(Scenarios.records("types").size() + " applied, 0 dead letters\n");
        try (Connection c = db.connect()) {
            assertThat(Scenarios.differences(Scenarios.expectedRows("types"), Scenarios.actualRows(c, "types"))).isEmpty();
        }
    }

    @Test
    void aStoppedRunKeepsOnlyAppliedBatchesAndTheNextRunFinishes() throws Exception {
        List<Scenarios.Record> records = Scenarios.records("music");
        List<SourceRecord> source = new ArrayList<>();
        records.forEach(r -> source.add(new SourceRecord("music", r.offset(), r.bytes())));
        List<BatchReport> reports = new CopyOnWriteArrayList<>();
        CdcPipeline first;
        try (GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(db.url()).build()) {
            first = CdcPipeline.builder().name("stop").source(MemorySource.of(source)).target(target)
                    .batchLimits(new BatchLimits(3, 64L << 20, true))
                    .listener(r -> {
                        reports.add(r);
                        if (reports.size() == 2) {
                            throw new IllegalStateException("a failing listener is logged and ignored");
                        }
                    })
                    .build();
            // stop as soon as the first batch is in
            first.start();
            while (reports.isEmpty()) {
                Thread.sleep(1);
            }
            first.stop();
            RunSummary s = first.await(Duration.ofSeconds(30));
            assertThat(s).isNotNull();
            assertThat(s.batches()).isEqualTo(reports.size());
            assertThat(s.events()).isEqualTo(reports.stream().mapToLong(BatchReport::events).sum());
            assertThat(s.events()).isLessThan(records.size());
        }
        long applied = count("SELECT \"offset\" FROM greenwell.checkpoint WHERE pipeline = 'stop'");
        BatchReport r0 = reports.get(0);
        assertThat(r0.events()).isEqualTo(r0.applied() + r0.duplicates() + r0.filtered() + r0.deadLetters());
        assertThat(r0.netChanges()).isPositive();
        long firstRun = reports.stream().mapToLong(BatchReport::events).sum();
        assertThat(applied).as("the checkpoint is the last applied batch's").isEqualTo(records.get((int) firstRun - 1).offset());
        try (GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(db.url()).build()) {
            RunSummary rest = CdcPipeline.builder().name("stop").source(MemorySource.of(source)).target(target).build().run();
            assertThat(rest.events()).as("the second run reads exactly what the first did not apply").isEqualTo(records.size() - firstRun);
            assertThat(rest.duplicates()).isZero();
        }
        try (Connection c = db.connect()) {
            assertThat(Scenarios.differences(Scenarios.expectedRows("music"), Scenarios.actualRows(c, "music"))).isEmpty();
        }
    }

    private static long count(String q) throws SQLException {
        try (Connection c = db.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(q)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
