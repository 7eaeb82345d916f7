package io.greenwell.cdc.greenplum;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenwell.cdc.ApplyException;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/**
 * How {@link ApplyException} classifies the SQLSTATEs the target sees: which failures are retried,
 * and which of those end the session (so that the target opens a new one and settles a commit in
 * doubt). Greenplum's 58M01 (a segment did not answer) is both, while the rest of class 58
 * (PostgreSQL's system errors) is neither.
 */
class TransientFailureTest {

    @Test
    void aSegmentThatDoesNotAnswerIsTransientAndEndsTheSession() {
        assertThat(ApplyException.isTransient("58M01")).isTrue();
        assertThat(ApplyException.isSessionLost("58M01")).isTrue();
        SQLException cause = new SQLException("ERROR: Error on receive from seg0 slice1 127.0.0.1:6532 pid=4242: server closed the"
                + " connection unexpectedly", "58M01");
        ApplyException e = new ApplyException("applying a batch failed: " + cause.getMessage(), null, null, cause.getSQLState(), null,
                cause);
        assertThat(e.isTransient()).as("an ApplyException carrying 58M01").isTrue();
        assertThat(e.sqlState()).isEqualTo("58M01");
    }

    @Test
    void aLostConnectionIsTransientAndEndsTheSession() {
        for (String state : new String[] {"08000", "08001", "08003", "08006", "08P01"}) {
            assertThat(ApplyException.isTransient(state)).as(state).isTrue();
            assertThat(ApplyException.isSessionLost(state)).as(state).isTrue();
        }
    }

    @Test
    void serializationDeadlockAndShutdownAreTransientButKeepTheSession() {
        for (String state : new String[] {"40001", "40P01", "57P01", "57P02", "57P03"}) {
            assertThat(ApplyException.isTransient(state)).as(state).isTrue();
            assertThat(ApplyException.isSessionLost(state)).as(state).isFalse();
        }
    }

    @Test
    void otherFailuresAreNeither() {
        for (String state : new String[] {"58000", "58030", "58P01", "58M0", "23505", "22001", "42P01", "55P03", "57014", "XX000"}) {
            assertThat(ApplyException.isTransient(state)).as(state).isFalse();
            assertThat(ApplyException.isSessionLost(state)).as(state).isFalse();
        }
        assertThat(ApplyException.isTransient(null)).isFalse();
        assertThat(ApplyException.isSessionLost(null)).isFalse();
        assertThat(new ApplyException("no SQLSTATE", null, null, (String) null, null, null).isTransient()).isFalse();
    }
}
