package io.greenwell.cdc.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class SourcePositionTest {

    @Test
    void parsesMaxwellPositions() {
        assertThat(SourcePosition.parse("master.000006:800911", 2, false, null))
                .isEqualTo(new SourcePosition("master.000006", 800911, 2, false, null));
        SourcePosition p = SourcePosition.parse("mysql-bin-changelog.035446:4", -1, true, "3E11FA47-71CA-11E1-9E33-C80AA9429562:23");
        assertThat(p.file()).isEqualTo("mysql-bin-changelog.035446");
        assertThat(p.fileNumber()).isEqualTo(35446);
        assertThat(p.text()).isEqualTo("mysql-bin-changelog.035446:4");
        assertThat(p.gtid()).isEqualTo("3E11FA47-71CA-11E1-9E33-C80AA9429562:23");
        assertThat(SourcePosition.parse("a:b:12", -1, false, null).file()).isEqualTo("a:b");
        assertThat(new SourcePosition("nosuffix", 1, -1, false, null).fileNumber()).isEqualTo(-1);
    }

    @Test
    void rejectsBadText() {
        for (String bad : new String[] {"", ":", "f:", ":1", "f:-1", "f:1x", "f:99999999999999999999"}) {
            assertThatThrownBy(() -> SourcePosition.parse(bad, -1, false, null)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void totalOrder() {
        List<SourcePosition> ordered = List.of(
                new SourcePosition("mysql-bin.000009", 900, -1, false, null),
                new SourcePosition("mysql-bin.000010", 4, 0, false, null),
                new SourcePosition("mysql-bin.000010", 4, 1, false, null),
                new SourcePosition("mysql-bin.000010", 4, 2, false, null),
                new SourcePosition("mysql-bin.000010", 4, -1, true, null),
                new SourcePosition("mysql-bin.000010", 120, 0, false, null),
                new SourcePosition("mysql-bin.000100", 4, 0, false, null));
        List<SourcePosition> shuffled = new ArrayList<>(ordered);
        Collections.shuffle(shuffled, new java.util.Random(1));
        Collections.sort(shuffled);
        assertThat(shuffled).containsExactlyElementsOf(ordered);
        // the numeric suffix wins over text order: 000100 > 000099 and 1000000 > 999999
        assertThat(new SourcePosition("b.1000000", 0, -1, false, null)).isGreaterThan(new SourcePosition("b.999999", 0, -1, false, null));
    }

    @Test
    void rowsOfOneEventWithoutXoffsetCompareEqual() {
        SourcePosition a = new SourcePosition("f.1", 10, -1, false, null);
        SourcePosition b = new SourcePosition("f.1", 10, -1, false, null);
        assertThat(a.compareTo(b)).isZero();
        assertThat(new SourcePosition("f.1", 10, -1, true, null)).isGreaterThan(a);
    }
}
