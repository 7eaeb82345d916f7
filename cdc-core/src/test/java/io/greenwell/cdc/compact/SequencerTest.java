package io.greenwell.cdc.compact;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenwell.cdc.event.EventMeta;
import io.greenwell.cdc.event.Row;
import io.greenwell.cdc.event.RowChange;
import io.greenwell.cdc.event.SourcePosition;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SequencerTest {

    private static RowChange at(long offset, int xoffset, boolean commit, Long serverId) {
        SourcePosition p = new SourcePosition("mysql-bin.000003", offset, xoffset, commit, null);
        return Events.withMeta(Events.insert(Events.T, Events.ID, Row.of("id", offset)),
                Events.meta(p, 1L, xoffset, commit, serverId));
    }

    @Test
    void dropsAReplayedTransaction() {
        Sequencer s = new Sequencer();
        RowChange a = at(100, 0, false, 1L);
        RowChange b = at(100, 1, false, 1L);
        RowChange c = at(200, -1, true, 1L);
        assertThat(List.of(s.admit("p0", a), s.admit("p0", b), s.admit("p0", c))).containsOnly(true);
        assertThat(List.of(s.admit("p0", a), s.admit("p0", b), s.admit("p0", c))).containsOnly(false);
        assertThat(s.duplicates()).isEqualTo(3);
        assertThat(s.admit("p0", at(300, -1, true, 1L))).isTrue();
    }

    @Test
    void aSingleRowTransactionReplayedAtOnceIsDropped() {
        Sequencer s = new Sequencer();
        assertThat(s.admit("p0", at(100, -1, true, 1L))).isTrue();
        assertThat(s.admit("p0", at(100, -1, true, 1L))).isFalse();
    }

    @Test
    void countsRecordsSharingOnePosition() {
        // DROP TABLE a, b: two DDL records, one position, no xoffset
        Sequencer s = new Sequencer();
        RowChange first = at(500, -1, false, 1L);
        RowChange second = at(500, -1, false, 1L);
        assertThat(s.admit("p0", first)).isTrue();
        assertThat(s.admit("p0", second)).isTrue();
        assertThat(s.snapshot()).containsEntry(new WatermarkKey("p0", 1), new Watermark(first.position(), 2));
        // a replay from an earlier position: both records at 500 are dropped, a third is new
        assertThat(s.admit("p0", at(400, -1, true, 1L))).isFalse();
        assertThat(s.admit("p0", first)).isFalse();
        assertThat(s.admit("p0", second)).isFalse();
        assertThat(s.admit("p0", at(500, -1, false, 1L))).isTrue();
        assertThat(s.snapshot().get(new WatermarkKey("p0", 1)).count()).isEqualTo(3);
    }

    @Test
    void aRestoredWatermarkAdmitsWhatFollowsIt() {
        SourcePosition p = new SourcePosition("mysql-bin.000003", 500, -1, false, null);
        Sequencer s = new Sequencer(Map.of(new WatermarkKey("p0", 1), new Watermark(p, 2)));
        // the transport resumes after the two records: a third at the same position is new
        assertThat(s.admit("p0", at(500, -1, false, 1L))).isTrue();
        assertThat(s.admit("p0", at(499, -1, true, 1L))).isFalse();
        Sequencer fresh = new Sequencer(Map.of(new WatermarkKey("p0", 1), new Watermark(p, 2)));
        assertThat(fresh.admit("p0", at(400, 0, false, 1L))).isFalse();
        assertThat(fresh.admit("p0", at(500, -1, false, 1L))).isFalse();
        assertThat(fresh.admit("p0", at(500, -1, false, 1L))).isFalse();
        assertThat(fresh.admit("p0", at(500, -1, false, 1L))).isTrue();
    }

    @Test
    void watermarksArePerStreamAndServer() {
        Sequencer s = new Sequencer();
        assertThat(s.admit("p0", at(900, -1, true, 1L))).isTrue();
        // another partition interleaves lower positions: not replays
        assertThat(s.admit("p1", at(100, -1, true, 1L))).isTrue();
        // another server on the same stream has its own binlog
        assertThat(s.admit("p0", at(100, -1, true, 2L))).isTrue();
        assertThat(s.admit("p0", at(100, -1, true, null))).isTrue();
        assertThat(s.snapshot()).containsOnlyKeys(
                new WatermarkKey("p0", 1), new WatermarkKey("p1", 1), new WatermarkKey("p0", 2), new WatermarkKey("p0", -1));
    }

    @Test
    void recordsWithoutPositionAreAlwaysAdmitted() {
        Sequencer s = new Sequencer();
        RowChange r = Events.insert(Events.T, Events.ID, Row.of("id", 1));
        assertThat(r.meta()).isEqualTo(EventMeta.NONE);
        assertThat(s.admit("p0", r)).isTrue();
        assertThat(s.admit("p0", r)).isTrue();
        assertThat(s.snapshot()).isEmpty();
    }

    @Test
    void laterBinlogFilesComeAfter() {
        Sequencer s = new Sequencer();
        RowChange late = Events.withMeta(Events.insert(Events.T, Events.ID, Row.of("id", 1)),
                Events.meta(new SourcePosition("mysql-bin.000010", 4, -1, true, null), 1L, -1, true, 1L));
        RowChange early = Events.withMeta(Events.insert(Events.T, Events.ID, Row.of("id", 1)),
                Events.meta(new SourcePosition("mysql-bin.000009", 99999, -1, true, null), 1L, -1, true, 1L));
        assertThat(s.admit("p0", early)).isTrue();
        assertThat(s.admit("p0", late)).isTrue();
        assertThat(s.admit("p0", early)).isFalse();
    }
}
