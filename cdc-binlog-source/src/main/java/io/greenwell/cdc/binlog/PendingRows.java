package io.greenwell.cdc.binlog;

import io.greenwell.cdc.CdcException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The rows of the open transaction, held until its XID tells their {@code xid} and which is last
 * (as Maxwell holds them). In memory up to a limit, then in a temporary file, so that a
 * transaction of any size fits.
 */
final class PendingRows {

    /** Told of every row when the transaction commits, in order. */
    @FunctionalInterface
    interface Sink {
        void row(RowJson.Halves row, int index, boolean last) throws InterruptedException;
    }

    private final long memoryBytes;
    private final List<RowJson.Halves> rows = new ArrayList<>();
    private long bytes;
    private Path file;
    private DataOutputStream spill;
    private int spilled;

    PendingRows(long memoryBytes) {
        this.memoryBytes = memoryBytes;
    }

    int size() {
        return spilled + rows.size();
    }

    void add(RowJson.Halves row) {
        try {
            if (spill == null && bytes + row.bytes() > memoryBytes) {
                file = Files.createTempFile("greenwell-binlog-tx", ".rows");
                spill = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16));
                for (RowJson.Halves r : rows) {
                    write(r);
                }
                rows.clear();
                bytes = 0;
            }
            if (spill != null) {
                write(row);
            } else {
                rows.add(row);
                bytes += row.bytes();
            }
        } catch (IOException e) {
            clear();
            throw new CdcException("cannot hold a large transaction's rows in a temporary file: " + e.getMessage(), e);
        }
    }

    private void write(RowJson.Halves r) throws IOException {
        spill.writeInt(r.head().length);
        spill.write(r.head());
        spill.writeInt(r.tail().length);
        spill.write(r.tail());
        spilled++;
    }

    /** Hands every row to the sink in order, then forgets them. */
    void release(Sink sink) throws InterruptedException {
        int n = size();
        int i = 0;
        try {
            if (spill != null) {
                spill.close();
                try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
                    for (int k = 0; k < spilled; k++) {
                        byte[] head = new byte[in.readInt()];
                        in.readFully(head);
                        byte[] tail = new byte[in.readInt()];
                        in.readFully(tail);
                        sink.row(new RowJson.Halves(head, tail), i, ++i == n);
                    }
                }
            }
            for (RowJson.Halves r : rows) {
                sink.row(r, i, ++i == n);
            }
        } catch (IOException e) {
            throw new CdcException("cannot read a large transaction's rows back from " + file + ": " + e.getMessage(), e);
        } finally {
            clear();
        }
    }

    /** Forgets the rows (a rollback, a lost connection). */
    void clear() {
        rows.clear();
        bytes = 0;
        spilled = 0;
        if (spill != null) {
            try {
                spill.close();
            } catch (IOException e) {
                // the file goes anyway
            }
            spill = null;
        }
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // a temporary file
            }
            file = null;
        }
    }
}
