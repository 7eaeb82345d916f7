package io.greenwell.cdc.compact;

import io.greenwell.cdc.event.ChangeEvent;
import io.greenwell.cdc.event.SourcePosition;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Drops Maxwell's replays. After a restart Maxwell sends whole transactions again, with the same
 * content and binlog positions but new transport offsets, so transport offsets cannot catch them.
 * The sequencer keeps, per {@link WatermarkKey} (stream, MySQL server), the last position
 * admitted and how many records carried exactly that position, and drops a record below it, or
 * at it within the count already admitted.
 *
 * <p>Algorithm: the state per key is {@code (P, n, seen)}. A record at a position above P is new:
 * {@code P := p, n := 1, seen := 1}. Below P it is a replay, and {@code seen := 0} because the
 * stream has gone back. At P, a commit row or a row with an {@code xoffset} is a replay (no other
 * record can have its position); any other record is the {@code seen + 1}-th record there: a
 * replay while {@code seen + 1 <= n}, else new ({@code n := seen}). A restored watermark starts
 * with {@code seen = n}, since the transport resumes after the records it counts.
 *
 * <p>Records without a position (bootstrap rows, streams without {@code output_binlog_position})
 * are always admitted: only their transport order is known. Without {@code xoffset}, rows of one
 * binlog event share a position, and a Maxwell restart in the middle of sending such an event
 * cannot be told from the rest of it when the replay starts exactly at that event; Maxwell writes
 * {@code xoffset} by default, which makes every row position distinct.
 *
 * <p>Not thread-safe: one sequencer belongs to one pipeline thread.
 */
public final class Sequencer {

    private final Map<String, StreamStates> streams = new HashMap<>();
    private String lastStream;
    private StreamStates lastStates;
    private long duplicates;

    /** A sequencer that has admitted nothing yet. */
    public Sequencer() {}

    /**
     * A sequencer that continues from stored watermarks.
     *
     * @param watermarks the watermarks the target stored with its last batch, never null
     */
    public Sequencer(Map<WatermarkKey, Watermark> watermarks) {
        watermarks.forEach((k, w) -> {
            State s = states(k.stream()).get(k.serverId());
            s.position = w.position();
            s.count = w.count();
            s.seen = w.count();
        });
    }

    /**
     * Admits or drops a record.
     *
     * @param stream the stream the record came from, never null
     * @param event the record, never null
     * @return true when the record is new; false when it is a replay (counted in {@link #duplicates()})
     */
    public boolean admit(String stream, ChangeEvent event) {
        SourcePosition p = event.meta().position();
        if (p == null) {
            return true;
        }
        Long server = event.meta().serverId();
        State s = states(stream).get(server == null ? -1 : server);
        int c = s.position == null ? 1 : p.compareTo(s.position);
        if (c > 0) {
            s.position = p;
            s.count = 1;
            s.seen = 1;
            return true;
        }
        if (c < 0) {
            s.seen = 0;
            duplicates++;
            return false;
        }
        if (p.commit() || p.xoffset() >= 0) {
            duplicates++; // a commit row or a row with an xoffset is the only record at its position
            return false;
        }
        s.seen++;
        if (s.seen <= s.count) {
            duplicates++;
            return false;
        }
        s.count = s.seen;
        return true;
    }

    /** @return how many records were dropped as replays so far */
    public long duplicates() {
        return duplicates;
    }

    /**
     * @return the watermark of every key that has one, as a new map; never null
     */
    public Map<WatermarkKey, Watermark> snapshot() {
        Map<WatermarkKey, Watermark> out = new HashMap<>();
        streams.forEach((stream, st) -> {
            for (int i = 0; i < st.n; i++) {
                State s = st.states[i];
                if (s.position != null) {
                    out.put(new WatermarkKey(stream, st.ids[i]), new Watermark(s.position, s.count));
                }
            }
        });
        return out;
    }

    private StreamStates states(String stream) {
        if (stream == lastStream) {
            return lastStates;
        }
        StreamStates st = streams.computeIfAbsent(stream, k -> new StreamStates());
        lastStream = stream;
        lastStates = st;
        return st;
    }

    private static final class State {
        SourcePosition position;
        long count;
        long seen;
    }

    /** The states of one stream by server id; a stream carries one server, or very few. */
    private static final class StreamStates {
        long[] ids = new long[2];
        State[] states = new State[2];
        int n;

        State get(long id) {
            for (int i = 0; i < n; i++) {
                if (ids[i] == id) {
                    return states[i];
                }
            }
            if (n == ids.length) {
                ids = Arrays.copyOf(ids, n * 2);
                states = Arrays.copyOf(states, n * 2);
            }
            ids[n] = id;
            states[n] = new State();
            return states[n++];
        }
    }
}
