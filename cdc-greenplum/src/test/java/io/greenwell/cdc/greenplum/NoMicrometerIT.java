package io.greenwell.cdc.greenplum;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenwell.cdc.pipeline.CdcPipeline;
import io.greenwell.cdc.pipeline.RunSummary;
import io.greenwell.cdc.source.FileSource;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Micrometer is optional: a pipeline without a registry runs in a JVM whose class path has no Micrometer at all. */
class NoMicrometerIT {

    private static TestDatabase db;

    @BeforeAll
    static void create() throws SQLException {
        db = TestDatabase.create("nomicrometer");
    }

    @AfterAll
    static void close() throws SQLException {
        db.close();
    }

    /** The child JVM: replays a file, prints the summary. */
    public static void main(String[] args) {
        try (GreenplumTarget target = GreenplumTarget.builder().jdbcUrl(args[0]).build(); FileSource source = FileSource.of(Path.of(args[1]))) {
            RunSummary s = CdcPipeline.builder().name("plain").source(source).target(target).build().run();
            System.out.println("applied=" + s.applied());
        }
    }

    @Test
    void aPipelineWithoutARegistryNeedsNoMicrometer(@TempDir Path dir) throws Exception {
        Path input = dir.resolve("music.jsonl");
        Files.write(input, Scenarios.resource("/testdata/maxwell/music.maxwell.jsonl"));
        List<String> classPath = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!entry.contains("micrometer")) {
                classPath.add(entry);
            }
        }
        assertThat(classPath).as("entries left").isNotEmpty().hasSizeLessThan(System.getProperty("java.class.path")
                .split(File.pathSeparator).length);
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                String.join(File.pathSeparator, classPath), NoMicrometerIT.class.getName(), db.url(), input.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("out.txt").toFile()).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String out = Files.readString(dir.resolve("out.txt"));
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("applied=49").doesNotContain("NoClassDefFoundError");
        try (Connection c = db.connect()) {
            assertThat(Scenarios.differences(Scenarios.expectedRows("music"), Scenarios.actualRows(c, "music"))).isEmpty();
        }
    }
}
