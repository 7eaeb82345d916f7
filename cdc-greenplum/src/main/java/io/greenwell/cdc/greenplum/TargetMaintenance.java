package io.greenwell.cdc.greenplum;

import io.greenwell.cdc.compact.NetBatch;
import io.greenwell.cdc.compact.TableChanges;
import io.greenwell.cdc.event.TableId;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A target's maintenance: {@link #maintain} once on demand and, when a schedule is given, a daemon
 * thread, started with the first committed batch, that wakes every {@link Maintenance#interval}
 * and has the {@link Maintainer} look at the tables this target changed since it started, and
 * Greenwell's own tables in the control schema. Both work on the maintainer's session.
 *
 * <p>Invariants:
 * <ul>
 *   <li>{@link #changed} runs on the applier thread after a batch committed and only records
 *       names (the tables of its change sets and completed bootstraps; whether DDL ran or staging
 *       tables were created, which makes the Greenplum catalog due): it never waits for the
 *       maintenance thread, so maintenance never delays a batch in this process.</li>
 *   <li>A failed run (figures unreadable, connection lost for good) is logged and counted, and
 *       the next run tries again; it never reaches the pipeline. A table that no longer exists
 *       drops out of the set when a run does not find it.</li>
 *   <li>{@link #close} stops the thread: it cancels the command running, waits for the thread a
 *       bounded time, and closes the maintainer's session.</li>
 * </ul>
 */
final class TargetMaintenance implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TargetMaintenance.class);

    private final boolean scheduled;
    private final Maintenance options;
    private final Maintainer maintainer;
    private final SchemaMapping mapping;
    private final String control;
    private final Set<List<String>> tables = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean catalogDue = new AtomicBoolean(true);
    private final AtomicLong runs = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final Object wake = new Object();
    private volatile boolean stopping;
    private volatile MaintenanceReport last;
    private volatile Thread thread;
    private int stagingsSeen;

    /**
     * @param schedule the schedule and thresholds, or null for no schedule ({@link #maintain} then uses the defaults)
     * @param session a session of the maintainer's own
     */
    TargetMaintenance(Maintenance schedule, TargetSession session, SchemaMapping mapping, String controlSchema) {
        this.scheduled = schedule != null;
        this.options = schedule != null ? schedule : Maintenance.every(Duration.ofHours(1));
        this.maintainer = new Maintainer(session, controlSchema);
        this.mapping = mapping;
        this.control = Names.target(controlSchema);
    }

    /**
     * Records what a committed batch changed, and starts the thread on the first call; on the applier thread.
     *
     * @param stagingsCreated how many staging tables the batch session has created so far
     */
    void changed(NetBatch batch, long ddl, int stagingsCreated) {
        if (!scheduled) {
            return;
        }
        for (NetBatch.Step step : batch.steps()) {
            if (step instanceof NetBatch.Changes) {
                for (TableChanges tc : ((NetBatch.Changes) step).tables()) {
                    if (!tc.isEmpty() && !tc.snapshot()) {
                        add(tc.table());
                    }
                }
            } else if (step instanceof NetBatch.BootstrapComplete) {
                add(((NetBatch.BootstrapComplete) step).table());
            }
        }
        if (ddl > 0 || stagingsCreated != stagingsSeen) {
            stagingsSeen = stagingsCreated;
            catalogDue.set(true);
        }
        if (thread == null && !stopping) {
            thread = new Thread(this::loop, "greenwell-maintenance");
            thread.setDaemon(true);
            thread.start();
        }
    }

    private void add(TableId t) {
        if (mapping.includes(t)) {
            tables.add(List.of(mapping.schemaOf(t.database()), Names.target(t.table())));
        }
    }

    private void loop() {
        try {
            waitAndRun();
        } finally {
            maintainer.close();
        }
    }

    private void waitAndRun() {
        long interval = options.interval().toMillis();
        while (!stopping) {
            synchronized (wake) {
                long until = System.currentTimeMillis() + interval;
                for (long left = interval; left > 0 && !stopping; left = until - System.currentTimeMillis()) {
                    try {
                        wake.wait(left);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
            if (!stopping) {
                runOnce();
            }
        }
    }

    /** See {@link GreenplumTarget#maintain}. */
    MaintenanceReport maintain(boolean dryRun) {
        return maintainer.run(options, (schema, table) -> schema.equals(control) || mapping.includesTarget(schema, table), true, dryRun);
    }

    /** One scheduled run; never throws. */
    void runOnce() {
        boolean catalog = catalogDue.getAndSet(false);
        try {
            MaintenanceReport r = maintainer.run(options, (schema, table) -> schema.equals(control) || tables.contains(List.of(schema, table)),
                    catalog, false);
            Set<List<String>> seen = ConcurrentHashMap.newKeySet();
            for (MaintenanceReport.Table t : r.tables()) {
                seen.add(List.of(t.schema(), t.table()));
                if (t.outcome() == MaintenanceReport.Outcome.FAILED) {
                    failures.incrementAndGet();
                }
            }
            // dropped tables drop out; a table changed again after the run's figures were read stays
            tables.removeIf(k -> !seen.contains(k) && !k.get(0).equals(control));
            last = r;
            runs.incrementAndGet();
        } catch (RuntimeException e) {
            if (catalog) {
                catalogDue.set(true);
            }
            if (!stopping) {
                failures.incrementAndGet();
                log.warn("maintenance failed; the next run in {} tries again: {}", options.interval(), e.getMessage());
            }
        }
    }

    /** @return the runs completed; for tests */
    long runs() {
        return runs.get();
    }

    /** @return the failed runs and the failed commands of completed runs */
    long failures() {
        return failures.get();
    }

    /** @return the report of the last completed run, or null before the first; for tests */
    MaintenanceReport last() {
        return last;
    }

    @Override
    public void close() {
        stopping = true;
        synchronized (wake) {
            wake.notifyAll();
        }
        maintainer.cancel();
        Thread t = thread;
        if (t != null) {
            t.interrupt();
            try {
                t.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive()) {
                log.warn("the maintenance thread did not stop within 30 s; its connection closes when its command ends");
            }
            return; // the thread closed the maintainer's session, or will when its command ends
        }
        maintainer.close();
    }
}
