package sh.stagehand.spi.database;

import static java.util.Objects.requireNonNull;

/**
 * How to reach a database server, from where the Odoo server runs.
 *
 * @param host host name or address
 * @param port TCP port
 * @param user role name
 * @param password the role's password; a secret, never in {@link #toString()}
 */
public record DatabaseConnection(String host, int port, String user, String password)
{
    public DatabaseConnection
    {
        requireNonNull(host, "host is null");
        requireNonNull(user, "user is null");
        requireNonNull(password, "password is null");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port is not between 1 and 65535: " + port);
        }
    }

    @Override
    public String toString()
    {
        return "DatabaseConnection[host=" + host + ", port=" + port + ", user=" + user + ", password=***]";
    }
}
