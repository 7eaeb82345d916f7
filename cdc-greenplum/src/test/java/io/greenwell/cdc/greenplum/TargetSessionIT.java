package io.greenwell.cdc.greenplum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.greenwell.cdc.ApplyException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

/** {@link TargetSession#run}: which failures are retried, and what each leaves of the session. */
class TargetSessionIT {

    private static TestDatabase db;

    @BeforeAll
    static void createDatabase() throws SQLException {
        db = TestDatabase.create("session_run");
    }

    @AfterAll
    static void dropDatabase() throws SQLException {
        db.close();
    }

    @BeforeEach
    void emptyTable() throws SQLException {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS public.written");
            st.execute("CREATE TABLE public.written (attempt int)");
        }
    }

    private static TargetSession session(int retries) {
        TargetSession.Settings settings = new TargetSession.Settings(null, SchemaMapping.DEFAULT, "greenwell",
                new ValueWriter.Policies(CopyBuffer.Nul.STRIP, true), new TypeMap.Options(false, false, true), Map.of(), false,
                Duration.ofSeconds(1), retries, Duration.ofMillis(1), Duration.ofMillis(4), false, null);
        return new TargetSession(() -> DriverManager.getConnection(db.url()), settings);
    }

    private static void write(Connection c, int attempt) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("INSERT INTO public.written VALUES (" + attempt + ")");
        }
    }

    private static long count(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM public.written")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static int pid(Connection c) throws SQLException {
        return c.unwrap(PGConnection.class).getBackendPID();
    }

    @Test
    void aTransientFailureIsRetriedOnTheSameSessionRolledBack() throws SQLException {
        TargetSession session = session(3);
        AtomicInteger calls = new AtomicInteger();
        int[] pids = new int[2];
        String result = session.run("writing", c -> {
            int attempt = calls.incrementAndGet();
            pids[attempt - 1] = pid(c);
            write(c, attempt);
            if (attempt == 1) {
                throw new SQLException("could not serialize access", "40001");
            }
            c.commit();
            return "done";
        });
        assertThat(result).isEqualTo("done");
        assertThat(calls).hasValue(2);
        assertThat(pids[1]).as("a rolled-back session is kept").isEqualTo(pids[0]);
        assertThat(db.rows("SELECT attempt FROM public.written")).as("the first attempt was rolled back").containsExactly("2");
        session.close();
    }

    @Test
    void aDataErrorIsNotRetriedAndNamesTheWork() throws SQLException {
        TargetSession session = session(3);
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> session.run("writing the batch", c -> {
            calls.incrementAndGet();
            write(c, 1);
            try (Statement st = c.createStatement()) {
                st.execute("SELECT 1/0");
            }
            return null;
        })).isInstanceOfSatisfying(ApplyException.class, e -> {
            assertThat(e.sqlState()).isEqualTo("22012");
            assertThat(e.isTransient()).isFalse();
            assertThat(e.getMessage()).startsWith("writing the batch: ");
        });
        assertThat(calls).hasValue(1);
        assertThat(session.run("counting", TargetSessionIT::count)).as("the session works again, rolled back").isZero();
        session.close();
    }

    @Test
    void aLostConnectionIsReplacedAndTheRetryRunsOnANewOne() throws SQLException {
        TargetSession session = session(3);
        int first = session.run("pid", TargetSessionIT::pid);
        AtomicInteger calls = new AtomicInteger();
        int second = session.run("writing", c -> {
            if (calls.incrementAndGet() == 1) {
                db.terminate(pid(c));
                write(c, 1);
            }
            write(c, 2);
            c.commit();
            return pid(c);
        });
        assertThat(calls).hasValue(2);
        assertThat(second).as("a new connection").isNotEqualTo(first);
        assertThat(db.rows("SELECT attempt FROM public.written")).containsExactly("2");
        session.close();
    }

    @Test
    void retriesEndAfterTheConfiguredNumber() {
        TargetSession session = session(2);
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> session.run("writing", c -> {
            calls.incrementAndGet();
            throw new SQLException("deadlock detected", "40P01");
        })).isInstanceOfSatisfying(ApplyException.class, e -> assertThat(e.sqlState()).isEqualTo("40P01"));
        assertThat(calls).as("the first attempt and two retries").hasValue(3);
        session.close();
    }

    @Test
    void aClosedSessionRefusesWorkAndReleasedItsLocks() throws SQLException {
        TargetSession session = session(0);
        int pid = session.run("locking", c -> {
            session.parts().locks().acquire(c, "p", List.of("s"));
            return pid(c);
        });
        assertThat(db.rows("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = " + pid)).containsExactly("1");
        session.close();
        assertThat(db.rows("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = " + pid)).containsExactly("0");
        assertThatThrownBy(() -> session.run("after close", c -> 1)).isInstanceOf(IllegalStateException.class);
    }
}
