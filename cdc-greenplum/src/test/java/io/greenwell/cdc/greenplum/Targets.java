package io.greenwell.cdc.greenplum;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;
import org.postgresql.PGConnection;

/** What tests read of a target's batch session. */
final class Targets {

    private Targets() {}

    /** @return the streams whose locks the target's current session holds */
    static Set<String> heldStreamLocks(GreenplumTarget t) {
        TargetSession s = t.session();
        return s.parts() == null ? Set.of() : s.parts().locks().held();
    }

    /** @return the session's connection, opening one if needed */
    static Connection connection(GreenplumTarget t) throws SQLException {
        return t.session().connection();
    }

    /** @return the backend process id of the session's connection, opening one if needed */
    static int backendPid(GreenplumTarget t) throws SQLException {
        return connection(t).unwrap(PGConnection.class).getBackendPID();
    }
}
