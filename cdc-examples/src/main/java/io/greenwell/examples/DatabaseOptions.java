package io.greenwell.examples;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** How the operations commands reach the target database. */
final class DatabaseOptions {

    // required by every command that reads the database; checked in url() rather than by picocli, because the
    // pipeline commands do without it when they write to a search index (--target opensearch)
    @Option(names = "--jdbc-url", paramLabel = "URL", description = "jdbc:postgresql://host:port/database (may carry user and password)")
    String jdbcUrl;

    @Option(names = "--user", paramLabel = "U", description = "the database user (else from the URL)")
    String user;

    @Option(names = "--password-env", paramLabel = "VAR", description = "the environment variable holding the password")
    String passwordEnv;

    /**
     * @return the JDBC URL
     * @throws CommandLine.ParameterException when it was not given (status 2), as picocli says of a missing required option
     */
    String url(CommandLine cl) {
        if (jdbcUrl == null || jdbcUrl.isBlank()) {
            throw new CommandLine.ParameterException(cl, "Missing required option: '--jdbc-url=URL'");
        }
        return jdbcUrl;
    }

    Connection connect(CommandLine cl) throws SQLException {
        Properties p = new Properties();
        if (user != null) {
            p.setProperty("user", user);
        }
        String password = password(cl);
        if (password != null) {
            p.setProperty("password", password);
        }
        p.setProperty("ApplicationName", "greenwell");
        return DriverManager.getConnection(url(cl), p);
    }

    /** @return the password from --password-env, or null when not given */
    String password(CommandLine cl) {
        if (passwordEnv == null) {
            return null;
        }
        String password = System.getenv(passwordEnv);
        if (password == null) {
            throw ConfigFile.badValue(cl, "--password-env", passwordEnv, "environment variable " + passwordEnv + " is not set");
        }
        return password;
    }
}
