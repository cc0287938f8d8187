package sh.stagehand.testkit;

import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.database.DatabaseConnection;
import sh.stagehand.spi.database.DumpLoader;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * Loads a dump the test itself wrote with {@code psql} or {@code pg_restore} on the test's host, as
 * the login it is given: for the {@link BaseDatabaseProviderContractTest}, which is about the
 * provider, not the loader. Never for a dump a tenant could have written: the platform loads those
 * in a throw-away container (sh-core's {@code ContainerDumpLoader}).
 */
public final class TestingDumpLoader
        implements DumpLoader
{
    private final Path dump;

    private TestingDumpLoader(Path dump)
    {
        this.dump = requireNonNull(dump, "dump is null");
    }

    public static TestingDumpLoader of(Path dump)
    {
        return new TestingDumpLoader(dump);
    }

    @Override
    public void load(String database, DatabaseConnection login)
    {
        List<String> connection = List.of("--host=" + login.host(), "--port=" + login.port(), "--username=" + login.user(), "--no-password");
        List<String> command = new ArrayList<>();
        if (isCustomFormat()) {
            command.addAll(List.of("pg_restore", "--no-owner", "--no-acl", "--exit-on-error", "--single-transaction", "--dbname=" + database));
            command.addAll(connection);
            command.add(dump.toString());
        }
        else {
            command.addAll(List.of("psql", "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", "--single-transaction", "--dbname=" + database, "--file=" + dump));
            command.addAll(connection);
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("PGPASSWORD", login.password());
        try {
            Process process = builder.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int exit = process.waitFor();
            if (exit != 0) {
                throw new StagehandException(StandardErrorCode.CORRUPT_DATA, "Cannot restore " + dump.getFileName() + " into database " + database + ": " + command.get(0) + " exited with "
                        + exit + ": " + output.strip());
            }
        }
        catch (IOException e) {
            throw new IllegalStateException("Cannot run " + command.get(0) + ": " + e, e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted loading " + dump, e);
        }
    }

    private boolean isCustomFormat()
    {
        try (InputStream in = Files.newInputStream(dump)) {
            return Arrays.equals(in.readNBytes(5), "PGDMP".getBytes(StandardCharsets.US_ASCII));
        }
        catch (IOException e) {
            throw new IllegalStateException("Cannot read " + dump + ": " + e, e);
        }
    }
}
