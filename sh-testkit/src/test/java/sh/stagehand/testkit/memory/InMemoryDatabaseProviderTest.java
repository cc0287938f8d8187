package sh.stagehand.testkit.memory;

import sh.stagehand.spi.database.DatabaseConnection;
import sh.stagehand.spi.database.DatabaseProvider;
import sh.stagehand.testkit.BaseDatabaseProviderContractTest;

import java.util.List;
import java.util.Map;

class InMemoryDatabaseProviderTest
        extends BaseDatabaseProviderContractTest
{
    private final InMemoryDatabaseProvider provider = new InMemoryDatabaseProvider((database, sql, parameters) -> {
        throw new UnsupportedOperationException("No statement is known here: " + sql);
    });

    @Override
    protected DatabaseProvider provider()
    {
        return provider;
    }

    @Override
    protected void writeMarker(String database, DatabaseConnection credentials, String value)
    {
        InMemoryDatabase found = connect(database, credentials);
        if (provider.access(database, credentials) != InMemoryDatabaseProvider.Access.WRITE) {
            throw new AssertionError("Database " + database + " does not let " + credentials.user() + " write");
        }
        found.delete("contract_marker", row -> true);
        found.insert("contract_marker", Map.of("value", value));
    }

    @Override
    protected String readMarker(String database, DatabaseConnection credentials)
    {
        List<Map<String, Object>> rows = connect(database, credentials).select("contract_marker", row -> true);
        return (String) rows.get(0).get("value");
    }

    // As a tenant connects: with the database's current credentials only.
    private InMemoryDatabase connect(String database, DatabaseConnection credentials)
    {
        InMemoryDatabase found = provider.database(database);
        if (provider.access(database, credentials) == InMemoryDatabaseProvider.Access.NONE) {
            throw new AssertionError("Database " + database + " refuses " + credentials.user() + " with that password");
        }
        return found;
    }
}
