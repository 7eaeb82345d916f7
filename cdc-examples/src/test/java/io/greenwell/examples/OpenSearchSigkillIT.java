package io.greenwell.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.greenwell.cdc.opensearch.SearchRows;
import io.greenwell.cdc.opensearch.TestEngine;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exactly-once effect into a search index under SIGKILL: each recorded scenario is replayed by
 * {@code greenwell replay --target opensearch} in a child JVM, one record per batch, killed with
 * SIGKILL at a random moment after it wrote a checkpoint, twice per scenario (six kills in all), and
 * restarted until it finishes. The documents must then be exactly the expected rows, and have the
 * same ids and versions as after a replay that was never interrupted.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class OpenSearchSigkillIT {

    private static final int KILLS_PER_SCENARIO = 2;

    @TempDir
    Path dir;

    @Test
    void killedAndRestartedTheDocumentsAreThoseOfAnUninterruptedReplay() throws Exception {
        Random rnd = new Random(11);
        int kills = 0;
        int run = 0;
        for (String scenario : List.of("music", "types", "ddl")) {
            Path input = OpenSearchCommandIT.scenario(dir, scenario);
            String clean = "kill_clean_" + scenario;
            int generation = 0;
            String killed = "kill_" + scenario + "_" + generation;
            TestEngine.deleteIndices(clean);
            TestEngine.deleteIndices("kill_" + scenario + "_*");
            Cli.Result r = Cli.run("replay", "--input", input.toString(), "--target", "opensearch", "--opensearch-url", TestEngine.url(),
                    "--index", clean, "--pipeline", clean, "--batch-events", "1", "--quiet");
            assertThat(r.status()).as(r.err()).isZero();

            int killedHere = 0;
            long last = -1;
            while (true) {
                run++;
                Process p = ChildJvm.start(dir, run, "replay", "--input", input.toString(), "--target", "opensearch", "--opensearch-url",
                        TestEngine.url(), "--index", killed, "--pipeline", killed, "--batch-events", "1", "--quiet");
                boolean wasKilled = false;
                if (killedHere < KILLS_PER_SCENARIO) {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    while (p.isAlive() && checkpoint(killed) <= last && System.nanoTime() < deadline) {
                        Thread.sleep(20);
                    }
                    Thread.sleep(rnd.nextInt(150));
                    if (p.isAlive()) {
                        p.destroyForcibly();
                        wasKilled = true;
                        killedHere++;
                    }
                }
                assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("run %d ends", run).isTrue();
                if (!wasKilled) {
                    assertThat(p.exitValue()).as("run %d: %s", run, ChildJvm.err(dir, run)).isZero();
                    if (killedHere >= KILLS_PER_SCENARIO) {
                        break;
                    }
                    // it finished before it was killed often enough: start over with a new pipeline into a new index
                    generation++;
                    killed = "kill_" + scenario + "_" + generation;
                    killedHere = 0;
                    last = -1;
                    continue;
                }
                long now = checkpoint(killed);
                last = Math.max(last, now);
                assertThat(run).as("a bounded number of runs").isLessThan(100);
            }
            kills += killedHere;
            List<JsonNode> docs = TestEngine.documents(killed);
            assertThat(SearchRows.differences(scenario, docs)).as(scenario).isEmpty();
            Map<String, Long> expected = SearchRows.versions(TestEngine.documents(clean));
            assertThat(SearchRows.versions(docs)).as(scenario + ": ids and versions").isEqualTo(expected);
            String pipeline = killed;
            assertThat(TestEngine.documents("greenwell_dead_letter").stream()
                    .filter(d -> d.path("_source").path("pipeline").asText().equals(pipeline))).isEmpty();
        }
        System.out.printf("opensearch: %d runs, %d killed with SIGKILL%n", run, kills);
        assertThat(kills).isGreaterThanOrEqualTo(6);
    }

    /** @return the offset of the pipeline's checkpoint, -1 before the first */
    static long checkpoint(String pipeline) {
        return OpenSearchFanOutIT.checkpoints(pipeline).values().stream().mapToLong(Long::longValue).max().orElse(-1);
    }
}
