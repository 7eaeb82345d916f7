package io.greenwell.cdc.greenplum;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;
import org.postgresql.PGConnection;

/** What tests read of a target's session between batches. */
final class Sessions {

    private Sessions() {}

    /** @return the session's connection, opening one if needed */
    static Connection connection(GreenplumTarget target) throws SQLException {
        return target.sessionForTests().connection();
    }

    /** @return the backend process id of the session's connection, opening one if needed */
    static int backendPid(GreenplumTarget target) throws SQLException {
        return connection(target).unwrap(PGConnection.class).getBackendPID();
    }

    /** @return the streams whose locks the session holds */
    static Set<String> heldStreamLocks(GreenplumTarget target) {
        TargetSession.Parts parts = target.sessionForTests().parts();
        return parts == null ? Set.of() : parts.locks().held();
    }
}
