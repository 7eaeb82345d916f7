package io.greenwell.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenwell.cdc.greenplum.Scenarios;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** {@code greenwell demo} needs nothing but Java: it starts its own PostgreSQL. */
class DemoIT {

    @Test
    void theDemoReplaysTheBundledStreamsAndShowsTheAlbums() {
        Cli.Result r = Cli.run("demo");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).contains("music: events=49 applied=49 duplicates=0 filtered=0 dead_letters=0 net_changes=27 ")
                .contains("types: events=112 applied=112 duplicates=0 filtered=0 dead_letters=0 net_changes=68 ")
                .contains("types: 11 tables")
                .containsPattern("events=161 net_changes=95 compaction_ratio=1\\.69 seconds=\\d+\\.\\d{3}");
        // the printed table is the replicated music.album, row for row
        List<String> printed = r.out().lines().filter(l -> l.startsWith("  ") && !l.startsWith("  artist")).sorted()
                .collect(Collectors.toList());
        List<String> want = Scenarios.expectedRows("music").get("music.album").stream().map(DemoIT::line).sorted()
                .collect(Collectors.toList());
        assertThat(printed).isEqualTo(want);
    }

    /**
     * {@code java -jar greenwell.jar demo --live} with this machine's MariaDB server binaries: the live session ends with the same
     * albums as the recorded one, read from the binlog by the packaged jar (its MariaDB driver included). Where the binaries are
     * missing it must say so and end with status 0.
     */
    @Test
    void theLiveDemoRunsTheSessionOnAPrivateMariadbAndBothSidesConverge() throws Exception {
        Cli.Result r = Cli.runJar("demo", "--live");
        assertThat(r.status()).as(r.err()).isZero();
        boolean found = java.util.stream.Stream.of(System.getenv().getOrDefault("PATH", "").split(":"), new String[] {"/usr/sbin", "/usr/bin"})
                .flatMap(java.util.Arrays::stream).anyMatch(d -> java.nio.file.Files.isExecutable(java.nio.file.Path.of(d, "mariadbd"))
                        || java.nio.file.Files.isExecutable(java.nio.file.Path.of(d, "mysqld")));
        if (!found) {
            assertThat(r.err()).contains("skipped: it needs the MariaDB server binaries");
            System.out.println("NOT RUN: greenwell demo --live needs mariadbd, which this machine lacks: " + r.err().strip());
            return;
        }
        assertThat(r.out()).containsPattern("\\d+ transactions on MariaDB; PostgreSQL's music.album equal to MariaDB's \\(\\d+ rows\\)");
        List<String> printed = r.out().lines().filter(l -> l.startsWith("  ") && !l.startsWith("  artist")).sorted()
                .collect(Collectors.toList());
        List<String> want = Scenarios.expectedRows("music").get("music.album").stream().map(DemoIT::line).sorted()
                .collect(Collectors.toList());
        assertThat(printed).isEqualTo(want);
    }

    private static String line(Map<String, Object> row) {
        return String.format(Locale.ROOT, "  %-24s %-40s %-6s %-12s %s", row.get("artist"), row.get("title"), row.get("release_year"),
                row.get("genre"), row.get("track_count"));
    }
}
