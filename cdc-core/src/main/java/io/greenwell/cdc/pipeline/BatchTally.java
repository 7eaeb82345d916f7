package io.greenwell.cdc.pipeline;

import io.greenwell.cdc.event.TableId;
import java.util.HashMap;
import java.util.Map;

/**
 * What the reader saw of one batch's records, per stream and per table, for the metrics: counted
 * on the reader thread while the batch is read, read on the applier thread once it committed.
 * Made only when the pipeline has a meter registry. The last stream and table are kept, so that a
 * run of records of one stream costs one comparison each, not a map lookup.
 */
final class BatchTally {

    /** One stream's records in the batch. */
    static final class Stream {
        long records;
        long duplicates;
        long skipped;
        /** The newest MySQL commit time of the stream's events in the batch; -1 when none had one. */
        long newestMillis = -1;
    }

    final Map<String, Stream> streams = new HashMap<>();
    /** The newest MySQL commit time of each table's row events in the batch. */
    final Map<TableId, long[]> tables = new HashMap<>();
    private String lastStreamId;
    private Stream lastStream;
    private TableId lastTableId;
    private long[] lastTable;

    Stream stream(String id) {
        if (id != lastStreamId) {
            lastStream = streams.computeIfAbsent(id, k -> new Stream());
            lastStreamId = id;
        }
        return lastStream;
    }

    /** Records a row event's commit time for its table. */
    void table(TableId table, long millis) {
        if (table != lastTableId) {
            lastTable = tables.computeIfAbsent(table, k -> new long[] {-1});
            lastTableId = table;
        }
        if (millis > lastTable[0]) {
            lastTable[0] = millis;
        }
    }
}
