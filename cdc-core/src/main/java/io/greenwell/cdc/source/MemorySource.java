package io.greenwell.cdc.source;

import io.greenwell.cdc.spi.ChangeSource;
import io.greenwell.cdc.spi.SourceRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Records held in memory, for tests and for embedding: given once, returned in order; seeking
 * skips every record at or before a stream's checkpointed offset. Single-threaded.
 */
public final class MemorySource implements ChangeSource {

    private static final int POLL_RECORDS = 2048;

    private final List<SourceRecord> records;
    private final Map<String, Long> skipThrough = new HashMap<>();
    private int next;
    private boolean paused;

    private MemorySource(List<SourceRecord> records) {
        this.records = List.copyOf(records);
    }

    /**
     * @param records the records, in order, never null
     * @return the source
     */
    public static MemorySource of(List<SourceRecord> records) {
        return new MemorySource(records);
    }

    /**
     * @param stream the stream id of every record, never null
     * @param records the records' bytes in order; the offset of each is its index
     * @return the source
     */
    public static MemorySource ofBytes(String stream, List<byte[]> records) {
        List<SourceRecord> out = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            out.add(new SourceRecord(stream, i, records.get(i)));
        }
        return new MemorySource(out);
    }

    @Override
    public void open(Listener listener) {
        // every stream is always assigned
    }

    @Override
    public void seek(Map<String, Long> lastApplied) {
        skipThrough.putAll(lastApplied);
    }

    @Override
    public List<SourceRecord> poll(Duration timeout) {
        List<SourceRecord> out = new ArrayList<>();
        while (!paused && next < records.size() && out.size() < POLL_RECORDS) {
            SourceRecord r = records.get(next++);
            Long skip = skipThrough.get(r.stream());
            if (skip == null || r.offset() > skip) {
                out.add(r);
            }
        }
        return out;
    }

    @Override
    public boolean isFinished() {
        return next >= records.size();
    }

    @Override
    public void pause() {
        paused = true;
    }

    @Override
    public void resume() {
        paused = false;
    }

    @Override
    public void close() {
        // nothing held
    }
}
