package io.greenwell.cdc.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RecordArenaTest {

    @Test
    void recordsAreCopiedSideBySideUntilABufferIsFull() {
        RecordArena arena = new RecordArena();
        arena.add(new byte[] {1, 2, 3});
        byte[] first = arena.buffer;
        assertThat(first).hasSize(RecordArena.CHUNK);
        assertThat(arena.offset).isZero();
        arena.add(new byte[] {4, 5});
        assertThat(arena.buffer).isSameAs(first);
        assertThat(arena.offset).isEqualTo(3);
        assertThat(Arrays.copyOfRange(first, 0, 5)).containsExactly(1, 2, 3, 4, 5);

        byte[] big = new byte[RecordArena.CHUNK / 8 - 1];
        int fit = (RecordArena.CHUNK - 5) / big.length;
        for (int i = 0; i < fit; i++) {
            arena.add(big);
            assertThat(arena.buffer).isSameAs(first);
        }
        arena.add(big); // does not fit: a new buffer, the old one is left as it is
        assertThat(arena.buffer).isNotSameAs(first).hasSize(RecordArena.CHUNK);
        assertThat(arena.offset).isZero();
        assertThat(Arrays.copyOfRange(first, 0, 5)).containsExactly(1, 2, 3, 4, 5);
    }

    @Test
    void theSpaceOfARecordNothingKeepsIsGivenBack() {
        RecordArena arena = new RecordArena();
        arena.add(new byte[] {1, 2});
        byte[] chunk = arena.buffer;
        arena.add(new byte[] {3, 4, 5});
        arena.dropLast();
        arena.add(new byte[] {6});
        assertThat(arena.buffer).isSameAs(chunk);
        assertThat(arena.offset).isEqualTo(2);
        arena.dropLast();
        arena.dropLast(); // only the last record can be given back, and only once
        arena.add(new byte[] {7});
        assertThat(arena.offset).isEqualTo(2);
        assertThat(Arrays.copyOfRange(chunk, 0, 3)).containsExactly(1, 2, 7);
        byte[] huge = new byte[RecordArena.CHUNK / 8 + 1];
        arena.add(huge);
        arena.dropLast(); // a record in its own array: nothing to give back
        arena.add(new byte[] {8});
        assertThat(arena.buffer).isSameAs(chunk);
        assertThat(arena.offset).isEqualTo(3);
    }

    @Test
    void aLargeRecordKeepsItsOwnArray() {
        RecordArena arena = new RecordArena();
        byte[] huge = new byte[RecordArena.CHUNK / 8 + 1];
        arena.add(huge);
        assertThat(arena.buffer).isSameAs(huge);
        assertThat(arena.offset).isZero();
    }
}
