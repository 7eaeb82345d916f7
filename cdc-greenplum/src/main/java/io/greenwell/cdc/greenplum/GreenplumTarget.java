package io.greenwell.cdc.greenplum;

import io.greenwell.cdc.ApplyException;
import io.greenwell.cdc.CdcException;
import io.greenwell.cdc.compact.NetBatch;
import io.greenwell.cdc.event.SchemaChange;
import io.greenwell.cdc.event.TableId;
import io.greenwell.cdc.maxwell.MaxwellDecoder;
import io.greenwell.cdc.spi.ApplyResult;
import io.greenwell.cdc.spi.ChangeTarget;
import io.greenwell.cdc.spi.Checkpoint;
import io.greenwell.cdc.spi.Instrumented;
import io.greenwell.cdc.spi.KeyResolver;
import io.greenwell.cdc.spi.RecordDecoder;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * The Greenplum and PostgreSQL target: applies each net batch with a handful of set-based
 * statements (COPY into session staging tables, {@code DELETE … USING}, {@code INSERT … SELECT},
 * {@code UPDATE … FROM}), its DDL at its place, and the checkpoints reached, in one transaction.
 *
 * <p>Built with {@link #builder()} from a {@link DataSource} or a JDBC URL. It holds one
 * connection (staging tables are per session), opens a new one after the old one is lost, and
 * settles a COMMIT in doubt by reading the checkpoint back before anything else is written. Not
 * thread-safe, apart from {@link #includes}; see {@link ChangeTarget} for the lifecycle. One
 * instance per (pipeline, stream): the session holds an advisory lock per stream of its batches
 * (see {@link Builder#streamLockWait}). {@link #retryDeadLetters} applies dead letters again.
 */
public final class GreenplumTarget implements ChangeTarget, Instrumented {

    /** What to do with a MySQL zero date ({@code 0000-00-00}, or a zero month or day). */
    public enum ZeroDates {
        /** Write NULL (the default). */ NULL,
        /** Refuse the row, so that it ends in the dead letters. */ REJECT
    }

    /** What to do with U+0000 in text, which PostgreSQL cannot store. */
    public enum NulCharacters {
        /** Remove the character (the default). */ STRIP,
        /** Refuse the row, so that it ends in the dead letters. */ REJECT
    }

    private final SchemaMapping mapping;
    private final TargetSession session;
    private final TableShapes shapes;
    private final BatchTransaction batches;
    private final DeadLetterRetry retry;
    final TargetMaintenance maintenance; // package-private for tests

    private GreenplumTarget(Builder b) {
        this.mapping = b.mapping;
        ValueWriter.Policies policies = new ValueWriter.Policies(
                b.nul == NulCharacters.STRIP ? CopyBuffer.Nul.STRIP : CopyBuffer.Nul.REJECT, b.zeroDates == ZeroDates.NULL);
        TargetSession.Opener opener = b.connections.opener("GreenplumTarget");
        this.session = new TargetSession(opener, new TargetSession.Settings(b.dialect, b.mapping, b.controlSchema, policies,
                new TypeMap.Options(b.tinyint1AsBoolean, b.bit1AsBoolean, b.jsonb), Map.copyOf(b.ddlPolicies), b.synchronousCommit,
                b.streamLockWait, b.retries, b.retryBackoff, b.maxRetryBackoff, b.archive, b.archiveRetention));
        this.shapes = new TableShapes(opener, b.mapping, policies);
        this.batches = new BatchTransaction(session, b.mapping, b.deadLetters, b.hook);
        this.retry = new DeadLetterRetry(session, batches, shapes, b.mapping);
        this.maintenance = new TargetMaintenance(b.maintenance, new TargetSession(opener, session.settings()), b.mapping, b.controlSchema);
    }

    /** @return a new builder, never null; methods can be chained */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the dialect: the configured one, else the one detected on the first connection (null before it) */
    public Dialect dialect() {
        return session.dialect();
    }

    @Override
    public boolean includes(TableId table) {
        return mapping.includes(table);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Transient failures are retried as in {@link #apply}. Releases the streams' locks this
     * instance holds: the next {@link #apply} takes those of its batch again.
     */
    @Override
    public Map<String, Checkpoint> loadCheckpoints(String pipeline) {
        return batches.loadCheckpoints(Objects.requireNonNull(pipeline, "pipeline"));
    }

    /**
     * {@inheritDoc}
     *
     * <p>Transient failures ({@link ApplyException#isTransient()}) are retried up to {@link Builder#retries} times with
     * a doubling pause, on a new connection when the old one is gone, after settling whether the failed attempt
     * committed. First the session takes the lock of every stream of the batch it does not hold yet, waiting up to
     * {@link Builder#streamLockWait}; SQLSTATE 55P03 (not transient) when another instance holds one, naming it.
     */
    @Override
    public ApplyResult apply(NetBatch batch) {
        ApplyResult r = batches.applyRetrying(Objects.requireNonNull(batch, "batch"));
        maintenance.changed(batch, r.schemaChanges(), session.parts().changes().stagingsCreated());
        return r;
    }

    /**
     * What {@link #retryDeadLetters} did; {@code retried = applied + stillFailing}.
     *
     * @param retried the dead letters read
     * @param applied the letters whose events applied now; they were deleted
     * @param stillFailing the letters that stay: refused again, undecodable, without their raw
     *     record, DDL and bootstrap records, or of tables the mapping now excludes
     */
    public record RetryResult(long retried, long applied, long stillFailing) {}

    /** {@link #retryDeadLetters(String, RecordDecoder)} with Maxwell's decoder (without a secret key). */
    public RetryResult retryDeadLetters(String pipeline) {
        return retryDeadLetters(pipeline, MaxwellDecoder.create());
    }

    /**
     * Applies dead letters again, after their cause was fixed (a column widened, a missing table created, a policy
     * changed), in stream and offset order and set-based, with the refused net changes bisected out as in
     * {@link #apply}, and deletes exactly the letters whose events applied, in one transaction. A letter refused again
     * stays with the new error, SQLSTATE and {@code failed_at}; letters that do not decode, have no raw record, hold
     * DDL or bootstrap records (never applied out of their place in the stream), or belong to tables the mapping
     * excludes stay unchanged. No checkpoint moves and no stream lock is taken, so a retry may run while the pipeline
     * runs (its batches wait for the tables the retry writes). The row images apply as they were: a row that later
     * events changed gets the older image back, so retry right after fixing the cause (or reload the table with a
     * bootstrap). Transient failures are retried as in {@link #apply}. Not while {@link #apply} runs on this target.
     *
     * @param pipeline the pipeline whose dead letters to retry, or null for every pipeline's
     * @param decoder turns the raw records into events, never null
     * @return the counts, never null; all zero when there is no {@code dead_letter} table
     * @throws ApplyException when the retry could not be done; nothing of it was committed
     */
    public RetryResult retryDeadLetters(String pipeline, RecordDecoder decoder) {
        Objects.requireNonNull(decoder, "decoder");
        return session.run("retrying the dead letters failed", c -> retry.retry(c, pipeline, decoder));
    }

    /**
     * Runs maintenance once, on a connection of its own, by the thresholds of {@link Builder#maintenance} (else
     * {@link Maintenance#every}'s): the tables the mapping includes in the schemas it maps to (with a renaming
     * {@link SchemaMapping.Builder#mapper}, those {@link SchemaMapping.Builder#map} names), the control schema's
     * and, on Greenplum, the catalog tables Greenwell churns. Safe while {@link #apply} runs.
     *
     * @param dryRun true: only decide, and run nothing
     * @return per table, the figures, the action decided and how it ended; never null
     * @throws ApplyException when the figures could not be read; a refused command only marks its table
     */
    public MaintenanceReport maintain(boolean dryRun) {
        return maintenance.maintain(dryRun);
    }

    /** @return the scheduled maintenance runs that failed and the commands the server refused, since the target was built */
    public long maintenanceFailures() {
        return maintenance.failures();
    }

    /** The target's tables, read on a connection of their own; a table that does not exist or the mapping excludes is unknown. */
    @Override
    public KeyResolver keyResolver() {
        return shapes.resolver();
    }

    /** Registers the target's own meters: sessions lost, stream-lock waits, dead letters stored, maintenance failures. */
    @Override
    public void bindMetrics(MeterRegistry registry, Tags tags) {
        TargetMeters.bind(registry, tags, session.stats(), maintenance);
    }

    /** @return the session; for tests that look into it between batches */
    TargetSession sessionForTests() {
        return session;
    }

    /** Stops maintenance; makes every batch committed so far durable, releases the stream locks, resets the session and closes it. */
    @Override
    public void close() {
        maintenance.close();
        shapes.close();
        session.close();
    }

    /**
     * Builds a {@link GreenplumTarget}. Either {@link #dataSource} or {@link #jdbcUrl} is
     * required. Not thread-safe.
     */
    public static final class Builder {
        private final Connections connections = new Connections();
        private Dialect dialect;
        private SchemaMapping mapping = SchemaMapping.DEFAULT;
        private String controlSchema = "greenwell";
        private ZeroDates zeroDates = ZeroDates.NULL;
        private NulCharacters nul = NulCharacters.STRIP;
        private boolean tinyint1AsBoolean;
        private boolean bit1AsBoolean;
        private boolean jsonb = true;
        private BatchTransaction.Hook hook = p -> {};
        private final Map<SchemaChange.Kind, DdlPolicy> ddlPolicies = new EnumMap<>(SchemaChange.Kind.class);
        private boolean deadLetters = true;
        private int retries = 8;
        private Duration retryBackoff = Duration.ofMillis(200);
        private Duration maxRetryBackoff = Duration.ofSeconds(10);
        private boolean synchronousCommit;
        private Duration streamLockWait = Duration.ofSeconds(60);
        private Maintenance maintenance;
        private boolean archive;
        private Duration archiveRetention;

        private Builder() {}

        /**
         * @param dataSource where connections come from, never null
         * @return this builder
         */
        public Builder dataSource(DataSource dataSource) {
            connections.dataSource(dataSource);
            return this;
        }

        /**
         * @param url a {@code jdbc:postgresql:} URL (it may carry the user and password), never null
         * @return this builder
         */
        public Builder jdbcUrl(String url) {
            connections.url(url, null, null);
            return this;
        }

        /**
         * @param url a {@code jdbc:postgresql:} URL, never null
         * @param user the user, or null to take it from the URL
         * @param password the password, or null for none
         * @return this builder
         */
        public Builder jdbcUrl(String url, String user, String password) {
            connections.url(url, user, password);
            return this;
        }

        /**
         * @param dialect the dialect; null (the default) detects it from {@code SELECT version()}
         * @return this builder
         */
        public Builder dialect(Dialect dialect) {
            this.dialect = dialect;
            return this;
        }

        /**
         * @param mapping databases to schemas and the table filters, never null; default {@link SchemaMapping#DEFAULT}
         * @return this builder
         */
        public Builder schemaMapping(SchemaMapping mapping) {
            this.mapping = Objects.requireNonNull(mapping, "mapping");
            return this;
        }

        /**
         * @param schema the schema of Greenwell's own tables (checkpoints), never null; default {@code greenwell}
         * @return this builder
         */
        public Builder controlSchema(String schema) {
            this.controlSchema = Objects.requireNonNull(schema, "schema");
            return this;
        }

        /**
         * @param policy what zero dates become, never null; default {@link ZeroDates#NULL}
         * @return this builder
         */
        public Builder zeroDates(ZeroDates policy) {
            this.zeroDates = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * @param policy what NUL characters in text become, never null; default {@link NulCharacters#STRIP}
         * @return this builder
         */
        public Builder nulCharacters(NulCharacters policy) {
            this.nul = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * @param on create {@code tinyint(1)} and {@code boolean} columns as {@code boolean}; default false ({@code smallint})
         * @return this builder
         */
        public Builder tinyint1AsBoolean(boolean on) {
            this.tinyint1AsBoolean = on;
            return this;
        }

        /**
         * @param on create {@code bit(1)} columns as {@code boolean}; default false ({@code bit(1)})
         * @return this builder
         */
        public Builder bit1AsBoolean(boolean on) {
            this.bit1AsBoolean = on;
            return this;
        }

        /**
         * @param on create JSON columns as {@code jsonb} (true, the default) or as {@code json}, which keeps the text verbatim
         * @return this builder
         */
        public Builder jsonb(boolean on) {
            this.jsonb = on;
            return this;
        }

        /**
         * @param kind a kind of DDL record, never null
         * @param policy what to do with it, never null; default {@link DdlPolicy#APPLY} for every kind
         * @return this builder
         */
        public Builder ddlPolicy(SchemaChange.Kind kind, DdlPolicy policy) {
            ddlPolicies.put(Objects.requireNonNull(kind, "kind"), Objects.requireNonNull(policy, "policy"));
            return this;
        }

        /**
         * @param on true (the default): events the target cannot apply (rows the compactor rejects,
         *     rows of tables the target does not have, values the database refuses) go to the
         *     {@code dead_letter} table in the batch's transaction and the rest applies; false: the
         *     batch fails instead
         * @return this builder
         */
        public Builder deadLetters(boolean on) {
            this.deadLetters = on;
            return this;
        }

        /**
         * @param retries how often a batch that failed transiently is tried again before the
         *     failure is thrown; 0 for never; default 8
         * @return this builder
         */
        public Builder retries(int retries) {
            if (retries < 0) {
                throw new IllegalArgumentException("retries must not be negative: " + retries);
            }
            this.retries = retries;
            return this;
        }

        /**
         * @param first the pause before the first retry, doubled for each next one; default 200 ms
         * @param max the longest pause; default 10 s
         * @return this builder
         */
        public Builder retryBackoff(Duration first, Duration max) {
            if (first.isNegative() || max.compareTo(first) < 0) {
                throw new IllegalArgumentException("need 0 <= first <= max: " + first + ", " + max);
            }
            this.retryBackoff = first;
            this.maxRetryBackoff = max;
            return this;
        }

        /**
         * @param on true: each COMMIT waits for its WAL flush ({@code synchronous_commit} as the server
         *     has it); false (the default): {@code synchronous_commit = off}, but for a stream's first
         *     checkpoint and a last synchronous COMMIT on close that flushes every batch before it. Safe
         *     for exactly once: a server crash loses only whole last batches with their checkpoints,
         *     which are read again from the source. Set true when the source may not hold the last
         *     records a moment after they applied (a Kafka topic with a retention of seconds)
         * @return this builder
         */
        public Builder synchronousCommit(boolean on) {
            this.synchronousCommit = on;
            return this;
        }

        /**
         * @param wait how long {@link GreenplumTarget#apply} waits, with a doubling pause, for another
         *     session to release a stream's lock (an owner that has not seen its stream move away, or a
         *     dead session: the server notices a vanished client within about 45 s) before it refuses
         *     the batch; zero tries once; default 60 s
         * @return this builder
         */
        public Builder streamLockWait(Duration wait) {
            if (wait.isNegative()) {
                throw new IllegalArgumentException("negative wait: " + wait);
            }
            this.streamLockWait = wait;
            return this;
        }

        /**
         * @param maintenance {@code VACUUM} and {@code ANALYZE} of the tables the target changes, on a
         *     schedule, on a connection of its own, from the first batch until {@link GreenplumTarget#close}
         *     (see {@link Maintenance}, and why it is off by default); null (the default) for none
         * @return this builder
         */
        public Builder maintenance(Maintenance maintenance) {
            this.maintenance = maintenance;
            return this;
        }

        /**
         * @param on true: every event of a batch that applies (not the dead letters) is kept in the control schema's
         *     {@code event_archive}, in the batch's transaction, for {@link ChangeArchive}; default false
         * @return this builder
         */
        public Builder archive(boolean on) {
            this.archive = on;
            return this;
        }

        /**
         * @param retention how long the archive keeps an event (whole days); null (the default) keeps everything
         * @return this builder
         */
        public Builder archiveRetention(Duration retention) {
            Maintenance.positive(retention, "the archive's retention");
            this.archiveRetention = retention;
            return this;
        }

        /** For crash tests: called at each {@link BatchTransaction.Phase}. */
        Builder hook(BatchTransaction.Hook hook) {
            this.hook = Objects.requireNonNull(hook, "hook");
            return this;
        }

        /**
         * @return the target; it connects on first use
         * @throws CdcException when neither a data source nor a URL was given
         */
        public GreenplumTarget build() {
            connections.opener("GreenplumTarget");
            return new GreenplumTarget(this);
        }
    }
}
