package sh.stagehand.postgres.internal;

import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static java.util.Objects.requireNonNull;

/**
 * PostgreSQL's client programs ({@code pg_dump}, {@code pg_restore}) run against one server as
 * the platform's role: what no SQL statement does, a consistent copy of a database in use.
 */
public final class PostgresClientTools
{
    private static final Path DEBIAN_VERSIONS = Path.of("/usr/lib/postgresql");
    private static final int MAX_ERROR_CHARACTERS = 4000;

    private final Path binDirectory;
    private final String host;
    private final int port;
    private final String user;
    private final String password;

    public PostgresClientTools(Optional<Path> binDirectory, String jdbcUrl, String user, String password)
    {
        this.binDirectory = requireNonNull(binDirectory, "binDirectory is null").orElseGet(PostgresClientTools::findBinDirectory);
        URI uri = URI.create(jdbcUrl.substring("jdbc:".length()));
        this.host = uri.getHost();
        this.port = uri.getPort() == -1 ? 5432 : uri.getPort();
        this.user = requireNonNull(user, "user is null");
        this.password = requireNonNull(password, "password is null");
    }

    /**
     * Streams {@code source} into the empty database {@code target}: {@code pg_dump} (one
     * snapshot, so a consistent copy while the source is in use; no compression, the stream never
     * touches a disk) piped into {@code pg_restore}, which makes every object as {@code role}.
     *
     * @throws StagehandException {@code PROVIDER_ERROR} with the programs' error output
     */
    public void copy(String source, String target, String role)
    {
        List<String> dump = List.of(program("pg_dump"), "--format=custom", "--compress=0", "--no-owner", "--no-acl",
                "--host=" + host, "--port=" + port, "--username=" + user, "--dbname=" + source);
        List<String> restore = List.of(program("pg_restore"), "--no-owner", "--no-acl", "--exit-on-error", "--role=" + role,
                "--host=" + host, "--port=" + port, "--username=" + user, "--dbname=" + target);
        Path dumpErrors = null;
        Path restoreErrors = null;
        try {
            dumpErrors = Files.createTempFile("stagehand-pg_dump-", ".log");
            restoreErrors = Files.createTempFile("stagehand-pg_restore-", ".log");
            List<Process> processes = ProcessBuilder.startPipeline(List.of(
                    builder(dump).redirectError(dumpErrors.toFile()),
                    builder(restore).redirectError(restoreErrors.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD)));
            int dumpExit = processes.get(0).waitFor();
            int restoreExit = processes.get(1).waitFor();
            if (dumpExit != 0 || restoreExit != 0) {
                throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot copy database %s to %s: pg_dump exited with %d, pg_restore with %d: %s"
                        .formatted(source, target, dumpExit, restoreExit, (read(dumpErrors) + " " + read(restoreErrors)).strip()));
            }
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot run pg_dump and pg_restore from " + binDirectory + ": " + e.getMessage()
                    + "; install PostgreSQL's client programs of the server's version or newer, or set postgres.client-bin-directory", e);
        }
        catch (InterruptedException e) {
            throw StagehandException.interrupted("copying database " + source + " to " + target, e);
        }
        finally {
            deleteQuietly(dumpErrors);
            deleteQuietly(restoreErrors);
        }
    }

    private ProcessBuilder builder(List<String> command)
    {
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> environment = builder.environment();
        // Through the environment, never the command line, where other users of the host could read it.
        environment.put("PGPASSWORD", password);
        environment.put("PGCONNECT_TIMEOUT", "10");
        environment.put("PGAPPNAME", "stagehand");
        return builder;
    }

    private String program(String name)
    {
        Path program = binDirectory.resolve(name);
        return Files.isExecutable(program) ? program.toString() : name;
    }

    private static Path findBinDirectory()
    {
        try (Stream<Path> versions = Files.isDirectory(DEBIAN_VERSIONS) ? Files.list(DEBIAN_VERSIONS) : Stream.empty()) {
            return versions
                    .filter(version -> version.getFileName().toString().matches("\\d+"))
                    .filter(version -> Files.isExecutable(version.resolve("bin/pg_dump")))
                    .max(Comparator.comparingInt(version -> Integer.parseInt(version.getFileName().toString())))
                    .map(version -> version.resolve("bin"))
                    .orElse(Path.of(""));
        }
        catch (IOException e) {
            return Path.of("");
        }
    }

    private static String read(Path file)
            throws IOException
    {
        String text = Files.readString(file, StandardCharsets.UTF_8).strip();
        return text.length() > MAX_ERROR_CHARACTERS ? text.substring(0, MAX_ERROR_CHARACTERS) + "…" : text;
    }

    private static void deleteQuietly(Path file)
    {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            }
            catch (IOException ignored) {
                // a temporary file; the system cleans its temporary directory
            }
        }
    }

    @Override
    public String toString()
    {
        return "PostgresClientTools[" + binDirectory + ", " + host + ":" + port + "]";
    }
}
