package sh.stagehand.testkit;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The PostgreSQL cluster {@code bin/env-up} runs, as a JUnit 5 extension:
 * <pre>{@code @RegisterExtension static final TestingPostgres postgres = new TestingPostgres();}</pre>
 * Before the tests it checks the server answers (failing under CI, aborting elsewhere, if not);
 * databases made with {@link #createDatabase()} are dropped after them. Thread-safe.
 */
public final class TestingPostgres
        implements BeforeAllCallback, AfterAllCallback, AutoCloseable
{
    private static final AtomicInteger DATABASE_SEQUENCE = new AtomicInteger();

    private final String host;
    private final int port;
    private final String adminUser;
    private final String adminPassword;
    private final String user;
    private final String password;
    private final String metadataUser;
    private final String metadataPassword;
    private final String odooUser;
    private final String odooPassword;
    private final String containerHost;
    private final List<String> createdDatabases = new ArrayList<>();

    public TestingPostgres()
    {
        TestingEnvironment environment = TestingEnvironment.get();
        this.host = environment.get("postgres.host", "127.0.0.1");
        this.port = Integer.parseInt(environment.get("postgres.port", "55432"));
        this.adminUser = environment.get("postgres.admin-user", "postgres");
        this.adminPassword = environment.get("postgres.admin-password", "");
        this.user = environment.get("postgres.user", "stagehand");
        this.password = environment.get("postgres.password", "stagehand");
        this.metadataUser = environment.get("postgres.metadata-user", user);
        this.metadataPassword = environment.get("postgres.metadata-password", password);
        this.odooUser = environment.get("postgres.odoo-test-user", user);
        this.odooPassword = environment.get("postgres.odoo-test-password", password);
        this.containerHost = environment.get("postgres.container-host", host);
    }

    @Override
    public void beforeAll(ExtensionContext context)
    {
        requireAvailable();
    }

    @Override
    public void afterAll(ExtensionContext context)
    {
        close();
    }

    /**
     * @throws AssertionError under CI, {@link org.opentest4j.TestAbortedException} elsewhere, if the
     *         server does not answer
     */
    public void requireAvailable()
    {
        try (Connection connection = openAdminConnection("postgres");
                Statement statement = connection.createStatement()) {
            statement.execute("SELECT 1");
        }
        catch (SQLException e) {
            throw TestingEnvironment.unavailable("PostgreSQL does not answer at " + host + ":" + port + " (" + e.getMessage() + ")", e);
        }
    }

    public String host()
    {
        return host;
    }

    public int port()
    {
        return port;
    }

    /** The superuser, for set-up and checks. */
    public String adminUser()
    {
        return adminUser;
    }

    /** The superuser's password, for tools a test runs as it (never in a command line). */
    public String adminPassword()
    {
        return adminPassword;
    }

    /** The CREATEDB role the platform uses. */
    public String user()
    {
        return user;
    }

    public String password()
    {
        return password;
    }

    /**
     * The role the test server runs as in its own tests, as an official image's {@code odoo} user
     * would (CREATEDB, no membership): containers may not log in as the platform's role.
     */
    public String odooUser()
    {
        return odooUser;
    }

    public String odooPassword()
    {
        return odooPassword;
    }

    /** The role of the platform's own metadata database, apart from the platform's. */
    public String metadataUser()
    {
        return metadataUser;
    }

    public String metadataPassword()
    {
        return metadataPassword;
    }

    /**
     * Creates a metadata database owned by {@link #metadataUser()}, as an operator would for a
     * role without CREATEDB; dropped by {@link #close()}.
     */
    public void createMetadataDatabase(String name)
    {
        execute("CREATE DATABASE \"" + name + "\" OWNER \"" + metadataUser + "\" ENCODING 'UTF8' TEMPLATE template0");
        execute("REVOKE CONNECT, TEMPORARY ON DATABASE \"" + name + "\" FROM PUBLIC");
        synchronized (createdDatabases) {
            createdDatabases.add(name);
        }
    }

    /** The address containers on the test network reach the server at. */
    public String containerHost()
    {
        return containerHost;
    }

    public String jdbcUrl(String database)
    {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    public Connection openAdminConnection(String database)
            throws SQLException
    {
        Properties properties = new Properties();
        properties.setProperty("user", adminUser);
        properties.setProperty("password", adminPassword);
        properties.setProperty("connectTimeout", "5");
        return DriverManager.getConnection(jdbcUrl(database), properties);
    }

    /**
     * A PostgreSQL client program ({@code pg_dump}, {@code psql}) of the newest version installed,
     * run as the superuser against this server: its arguments then the connection's.
     */
    public ProcessBuilder adminProgram(String program, String... arguments)
    {
        List<String> command = new ArrayList<>();
        command.add(clientProgram(program));
        command.addAll(List.of(arguments));
        command.addAll(List.of("--host=" + host, "--port=" + port, "--username=" + adminUser, "--no-password"));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("PGPASSWORD", adminPassword);
        return builder;
    }

    /**
     * {@code pg_dump} of a database, as the superuser: what a customer's own pg_dump would write.
     */
    public byte[] pgDump(String database, String... options)
    {
        List<String> arguments = new ArrayList<>(List.of(options));
        arguments.add("--dbname=" + database);
        try {
            Process process = adminProgram("pg_dump", arguments.toArray(String[]::new)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            process.getOutputStream().close();
            byte[] dump = process.getInputStream().readAllBytes();
            if (process.waitFor() != 0) {
                throw new IllegalStateException("pg_dump of " + database + " failed");
            }
            return dump;
        }
        catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String clientProgram(String program)
    {
        try (java.util.stream.Stream<java.nio.file.Path> versions = java.nio.file.Files.list(java.nio.file.Path.of("/usr/lib/postgresql"))) {
            return versions.map(version -> version.resolve("bin").resolve(program)).filter(java.nio.file.Files::isExecutable).sorted().reduce((a, b) -> b)
                    .map(java.nio.file.Path::toString).orElse(program);
        }
        catch (java.io.IOException e) {
            return program;
        }
    }

    /**
     * Creates a database with a fresh name owned by {@link #odooUser()}, for the test server;
     * dropped by {@link #close()}.
     */
    public String createDatabase()
    {
        String name = "test_%d_%d".formatted(ProcessHandle.current().pid(), DATABASE_SEQUENCE.incrementAndGet()).toLowerCase(Locale.ROOT);
        execute("CREATE DATABASE \"" + name + "\" OWNER \"" + odooUser + "\" ENCODING 'UTF8' TEMPLATE template0");
        synchronized (createdDatabases) {
            createdDatabases.add(name);
        }
        return name;
    }

    /**
     * Runs one statement as the superuser on the {@code postgres} database.
     */
    public void execute(String sql)
    {
        try (Connection connection = openAdminConnection("postgres");
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
        catch (SQLException e) {
            throw new IllegalStateException("Failed: " + sql, e);
        }
    }

    /**
     * Runs one statement on a database as the platform's role (as {@link #queryForString} does):
     * what a build's users would write into it.
     */
    public void execute(String database, String sql)
    {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        properties.setProperty("password", password);
        properties.setProperty("connectTimeout", "5");
        try (Connection connection = DriverManager.getConnection(jdbcUrl(database), properties);
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
        catch (SQLException e) {
            throw new IllegalStateException("Failed on " + database + ": " + sql, e);
        }
    }

    /**
     * Runs a query as the platform's role ({@link #user()}), as the platform would, and returns the
     * first column of the first row, or null. (Not as the superuser: a superuser's session on a
     * build database would keep the platform's role from dropping it.)
     */
    public String queryForString(String database, String sql)
    {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        properties.setProperty("password", password);
        properties.setProperty("connectTimeout", "5");
        try (Connection connection = DriverManager.getConnection(jdbcUrl(database), properties);
                Statement statement = connection.createStatement();
                ResultSet resultSet = statement.executeQuery(sql)) {
            return resultSet.next() ? resultSet.getString(1) : null;
        }
        catch (SQLException e) {
            throw new IllegalStateException("Failed on " + database + ": " + sql, e);
        }
    }

    @Override
    public void close()
    {
        List<String> toDrop;
        synchronized (createdDatabases) {
            toDrop = List.copyOf(createdDatabases);
            createdDatabases.clear();
        }
        for (String database : toDrop) {
            execute("DROP DATABASE IF EXISTS \"" + database + "\" WITH (FORCE)");
        }
    }
}
