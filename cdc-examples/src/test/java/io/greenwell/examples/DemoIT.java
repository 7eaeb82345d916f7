package io.greenwell.examples;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code greenwell demo} needs nothing but Java: it starts its own PostgreSQL. */
class DemoIT {

    @Test
    void theDemoReplaysTheBundledStreamsAndShowsTheAlbums() {
        Cli.Result r = Cli.run("demo");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).contains("music: events=49 applied=49 duplicates=0 filtered=0 dead_letters=0 net_changes=27 ")
                .contains("types: events=112 applied=112 duplicates=0 filtered=0 dead_letters=0 net_changes=68 ")
                .contains("坂本龍一").contains("Nevermind (Remastered)")
                .contains("types: 11 tables")
                .containsPattern("events=161 net_changes=95 compaction_ratio=1\\.69 seconds=\\d+\\.\\d{3}");
        assertThat(r.out().lines().filter(l -> l.startsWith("  ") && !l.startsWith("  artist")).count()).isEqualTo(27);
    }
}
