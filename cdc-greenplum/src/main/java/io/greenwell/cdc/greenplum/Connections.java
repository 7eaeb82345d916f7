package io.greenwell.cdc.greenplum;

import io.greenwell.cdc.CdcException;
import java.util.Objects;
import java.util.Properties;
import javax.sql.DataSource;

/**
 * Where a builder's connections come from: a data source, or a JDBC URL with its properties;
 * exactly one. Shared by the builders of {@link GreenplumTarget} and {@link ChangeArchive}.
 */
final class Connections {

    private DataSource dataSource;
    private String url;
    private final Properties properties = new Properties();

    void dataSource(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    void url(String url, String user, String password) {
        this.url = Objects.requireNonNull(url, "url");
        if (user != null) {
            properties.setProperty("user", user);
        }
        if (password != null) {
            properties.setProperty("password", password);
        }
    }

    /**
     * @param what what is built, for the message
     * @return how to open a connection
     * @throws CdcException when neither or both were given
     */
    TargetSession.Opener opener(String what) {
        if (dataSource == null && url == null) {
            throw new CdcException("a " + what + " needs a DataSource or a JDBC URL");
        }
        if (dataSource != null && url != null) {
            throw new CdcException("a " + what + " takes a DataSource or a JDBC URL, not both");
        }
        return TargetSession.opener(dataSource, url, properties);
    }
}
