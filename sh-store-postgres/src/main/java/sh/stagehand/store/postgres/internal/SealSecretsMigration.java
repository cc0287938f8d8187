package sh.stagehand.store.postgres.internal;

import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.migration.Context;
import org.flywaydb.core.api.migration.JavaMigration;
import sh.stagehand.store.postgres.SecretBox;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static java.util.Objects.requireNonNull;

/**
 * Version 8 of the metadata database: the secrets written in the clear by earlier versions
 * (each project's repository token and webhook secret, each build's SMTP password) sealed with
 * the {@link SecretBox}, in one transaction with the rest of the migration. Later versions write
 * them sealed. Values already sealed are left as they are.
 */
public final class SealSecretsMigration
        implements JavaMigration
{
    private final SecretBox secrets;

    public SealSecretsMigration(SecretBox secrets)
    {
        this.secrets = requireNonNull(secrets, "secrets is null");
    }

    @Override
    public MigrationVersion getVersion()
    {
        return MigrationVersion.fromVersion("8");
    }

    @Override
    public String getDescription()
    {
        return "seal secrets";
    }

    @Override
    public Integer getChecksum()
    {
        return null;
    }

    @Override
    public boolean canExecuteInTransaction()
    {
        return true;
    }

    @Override
    public void migrate(Context context)
            throws SQLException
    {
        Connection connection = context.getConnection();
        seal(connection, "project", "id", "repository_token");
        seal(connection, "project", "id", "webhook_secret");
        seal(connection, "build", "id", "smtp_password");
    }

    // The names are this class's own constants, never input.
    private void seal(Connection connection, String table, String key, String column)
            throws SQLException
    {
        try (Statement select = connection.createStatement();
                ResultSet rows = select.executeQuery("SELECT " + key + ", " + column + " FROM " + table + " WHERE " + column + " IS NOT NULL");
                PreparedStatement update = connection.prepareStatement("UPDATE " + table + " SET " + column + " = ? WHERE " + key + " = ?")) {
            int pending = 0;
            while (rows.next()) {
                String value = rows.getString(2);
                if (SecretBox.isSealed(value)) {
                    continue;
                }
                Object id = rows.getObject(1);
                update.setString(1, secrets.seal(value, SecretBox.context(table, column, id)));
                update.setObject(2, id);
                update.addBatch();
                if (++pending == 1000) {
                    update.executeBatch();
                    pending = 0;
                }
            }
            if (pending > 0) {
                update.executeBatch();
            }
        }
    }
}
