package sh.stagehand.core.odoo;

import sh.stagehand.spi.RandomSecrets;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.util.Optional;

/**
 * What an {@link OdooCommandLine} puts into Odoo's configuration file rather than onto the command
 * line: where to connect (the database server, the SMTP server) and with which passwords, and a
 * random master password. Each value is checked as it is given. Not thread-safe.
 */
final class OdooConfigFile
{

    private Optional<String> databaseHost = Optional.empty();
    private int databasePort;
    private Optional<String> databaseUser = Optional.empty();
    private Optional<String> databasePassword = Optional.empty();
    private Optional<String> smtpHost = Optional.empty();
    private int smtpPort;
    private Optional<String> smtpUser = Optional.empty();
    private Optional<String> smtpPassword = Optional.empty();

    void databaseServer(String host, int port, String user)
    {
        this.databaseHost = Optional.of(OdooOptionValues.requireWord("database host", host));
        this.databasePort = OdooOptionValues.requirePort("database port", port);
        this.databaseUser = Optional.of(OdooOptionValues.requireWord("database user", user));
    }

    void databasePassword(String password)
    {
        this.databasePassword = Optional.of(OdooOptionValues.requireSecret("database password", password));
    }

    void smtp(String host, int port)
    {
        this.smtpHost = Optional.of(OdooOptionValues.requireWord("SMTP host", host));
        this.smtpPort = OdooOptionValues.requirePort("SMTP port", port);
    }

    void smtpCredentials(String user, String password)
    {
        this.smtpUser = Optional.of(OdooOptionValues.requireWord("SMTP user", user));
        this.smtpPassword = Optional.of(OdooOptionValues.requireSecret("SMTP password", password));
    }

    /**
     * @throws StagehandException {@code INVALID_ARGUMENT} for a database password without a database server
     */
    void requireComplete()
    {
        if (databasePassword.isPresent() && databaseHost.isEmpty()) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "A database password without a database server: call withDatabaseServer");
        }
    }

    /**
     * The file's text, each time with a master password of its own; empty when it was given none
     * of the servers. Odoo reads it with RawConfigParser ({@code odoo/tools/config.py}): no
     * interpolation; every value was checked to hold no line break.
     */
    Optional<String> render()
    {
        if (databaseHost.isEmpty() && smtpHost.isEmpty() && smtpUser.isEmpty()) {
            return Optional.empty();
        }
        StringBuilder config = new StringBuilder("[options]\n");
        databaseHost.ifPresent(host -> config.append("db_host = ").append(host).append("\n")
                .append("db_port = ").append(databasePort).append("\n")
                .append("db_user = ").append(databaseUser.orElseThrow()).append("\n"));
        databasePassword.ifPresent(password -> config.append("db_password = ").append(password).append("\n"));
        smtpHost.ifPresent(host -> config.append("smtp_server = ").append(host).append("\n")
                .append("smtp_port = ").append(smtpPort).append("\n"));
        smtpUser.ifPresent(user -> config.append("smtp_user = ").append(user).append("\n"));
        smtpPassword.ifPresent(password -> config.append("smtp_password = ").append(password).append("\n"));
        config.append("admin_passwd = ").append(RandomSecrets.randomHex(24)).append("\n");
        return Optional.of(config.toString());
    }
}
