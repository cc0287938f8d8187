package sh.stagehand.postgres.internal;

import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static java.util.Objects.requireNonNull;

/**
 * PostgreSQL's client programs ({@code pg_dump}, {@code pg_restore}) run against one server, each
 * as the login it is given (a database's own role, never the platform's): what no SQL statement
 * does, a consistent copy of a database in use. They run on the platform's host, so they are only
 * ever given what {@code pg_dump} itself wrote: a tenant's file (an import) is loaded elsewhere.
 */
public final class PostgresClientTools
{
    private static final Path DEBIAN_VERSIONS = Path.of("/usr/lib/postgresql");
    private static final int MAX_ERROR_CHARACTERS = 4000;

    /**
     * A role and its password, as a client program logs in.
     */
    public record Login(String user, String password)
    {
        public Login
        {
            requireNonNull(user, "user is null");
            requireNonNull(password, "password is null");
        }

        @Override
        public String toString()
        {
            return "Login[user=" + user + ", password=***]";
        }
    }

    private final Path binDirectory;
    private final int jobs;
    private final Path scratchDirectory;
    private final String host;
    private final int port;

    /**
     * @param jobs 1: stream the dump into the restore; more: dump in parallel to {@code scratchDirectory}, then restore in parallel
     */
    public PostgresClientTools(Optional<Path> binDirectory, int jobs, Optional<Path> scratchDirectory, String jdbcUrl)
    {
        this.binDirectory = requireNonNull(binDirectory, "binDirectory is null").orElseGet(PostgresClientTools::findBinDirectory);
        this.jobs = jobs;
        this.scratchDirectory = requireNonNull(scratchDirectory, "scratchDirectory is null").orElse(Path.of(System.getProperty("java.io.tmpdir")));
        URI uri = URI.create(jdbcUrl.substring("jdbc:".length()));
        this.host = uri.getHost();
        this.port = uri.getPort() == -1 ? 5432 : uri.getPort();
    }

    /**
     * Copies {@code source}, read as {@code sourceLogin} acting as {@code sourceRole}, into the empty
     * database {@code target}, every object made by {@code targetLogin}, its owner: consistent, as
     * {@code pg_dump} dumps from one snapshot, while the source stays in use. With one job,
     * {@code pg_dump} streams into {@code pg_restore} (no compression, the stream never touches a
     * disk); with more, {@code pg_dump -Fd -j N} to a scratch directory, then {@code pg_restore -j N},
     * which also builds the indexes in parallel.
     *
     * @throws StagehandException {@code PROVIDER_ERROR} with the programs' error output
     */
    public void copy(String source, Login sourceLogin, String sourceRole, String target, Login targetLogin)
    {
        List<String> dumpConnection = connection(sourceLogin, "--dbname=" + source, "--role=" + sourceRole);
        List<String> restoreConnection = connection(targetLogin, "--dbname=" + target);
        try {
            if (jobs == 1) {
                run(source, target,
                        builder(command(List.of(program("pg_dump"), "--format=custom", "--compress=0", "--no-owner", "--no-acl"), dumpConnection), sourceLogin),
                        command(List.of(program("pg_restore"), "--no-owner", "--no-acl", "--exit-on-error"), restoreConnection), targetLogin,
                        null);
                return;
            }
            Files.createDirectories(scratchDirectory);
            // A directory of the platform's alone (0700), in which pg_dump makes its own: never a
            // name another user of the host could take first.
            Path scratch = Files.createTempDirectory(scratchDirectory, "stagehand-copy-");
            Path dump = scratch.resolve("dump");
            try {
                run(source, target,
                        builder(command(List.of(program("pg_dump"), "--format=directory", "--jobs=" + jobs, "--compress=0", "--no-owner", "--no-acl", "--file=" + dump), dumpConnection), sourceLogin),
                        command(List.of(program("pg_restore"), "--jobs=" + jobs, "--no-owner", "--no-acl", "--exit-on-error"), restoreConnection), targetLogin,
                        dump);
            }
            finally {
                deleteTree(scratch);
            }
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot run pg_dump and pg_restore from " + binDirectory + " (scratch directory " + scratchDirectory + "): "
                    + e.getMessage() + "; install PostgreSQL's client programs of the server's version or newer, or set postgres.client-bin-directory", e);
        }
        catch (InterruptedException e) {
            throw StagehandException.interrupted("copying database " + source + " to " + target, e);
        }
    }

    /**
     * {@code pg_dump --no-owner} in plain SQL to {@code target}, as Odoo's database manager dumps,
     * read as {@code login} acting as {@code role}.
     */
    public void dumpPlain(String source, Login login, String role, Path target)
    {
        List<String> command = command(List.of(program("pg_dump"), "--format=plain", "--no-owner", "--file=" + target), connection(login, "--dbname=" + source, "--role=" + role));
        runOne(builder(command, login), "dump database " + source + " to " + target, StandardErrorCode.PROVIDER_ERROR);
    }

    private List<String> connection(Login login, String... more)
    {
        List<String> connection = new ArrayList<>(List.of("--host=" + host, "--port=" + port, "--username=" + login.user(), "--no-password"));
        connection.addAll(List.of(more));
        return connection;
    }

    private void runOne(ProcessBuilder builder, String what, StandardErrorCode failure)
    {
        String program = builder.command().get(0);
        Path errors = null;
        try {
            errors = Files.createTempFile("stagehand-pg-", ".log");
            int exit = builder.redirectErrorStream(false).redirectError(errors.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
            if (exit != 0) {
                throw new StagehandException(failure, "Cannot " + what + ": " + Path.of(program).getFileName() + " exited with " + exit + ": " + read(errors));
            }
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot run " + program + " to " + what + ": " + e.getMessage()
                    + "; install PostgreSQL's client programs of the server's version or newer, or set postgres.client-bin-directory", e);
        }
        catch (InterruptedException e) {
            throw StagehandException.interrupted(what, e);
        }
        finally {
            deleteQuietly(errors);
        }
    }

    // Streams the dump into the restore when there is no dump directory, else runs one after the other.
    private void run(String source, String target, ProcessBuilder dump, List<String> restore, Login restoreLogin, Path dumpDirectory)
            throws IOException, InterruptedException
    {
        Path dumpErrors = Files.createTempFile("stagehand-pg_dump-", ".log");
        Path restoreErrors = Files.createTempFile("stagehand-pg_restore-", ".log");
        try {
            int dumpExit;
            int restoreExit = -1;
            if (dumpDirectory == null) {
                List<Process> processes = ProcessBuilder.startPipeline(List.of(
                        dump.redirectError(dumpErrors.toFile()),
                        builder(restore, restoreLogin).redirectError(restoreErrors.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD)));
                dumpExit = processes.get(0).waitFor();
                restoreExit = processes.get(1).waitFor();
            }
            else {
                dumpExit = dump.redirectError(dumpErrors.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
                if (dumpExit == 0) {
                    List<String> fromDirectory = new ArrayList<>(restore);
                    fromDirectory.add(dumpDirectory.toString());
                    restoreExit = builder(fromDirectory, restoreLogin).redirectError(restoreErrors.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
                }
            }
            if (dumpExit != 0 || restoreExit != 0) {
                throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot copy database %s to %s: pg_dump exited with %d, pg_restore with %d: %s"
                        .formatted(source, target, dumpExit, restoreExit, (read(dumpErrors) + " " + read(restoreErrors)).strip()));
            }
        }
        finally {
            deleteQuietly(dumpErrors);
            deleteQuietly(restoreErrors);
        }
    }

    private static List<String> command(List<String> program, List<String> connection)
    {
        List<String> command = new ArrayList<>(program);
        command.addAll(connection);
        return command;
    }

    private static void deleteTree(Path directory)
            throws IOException
    {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> tree = Files.walk(directory)) {
            for (Path path : tree.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    private static ProcessBuilder builder(List<String> command, Login login)
    {
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> environment = builder.environment();
        // Through the environment, which only this user and root can read (/proc/<pid>/environ),
        // never the command line, which every user of the host can.
        environment.put("PGPASSWORD", login.password());
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
        return "PostgresClientTools[" + binDirectory + ", " + host + ":" + port + ", " + jobs + " job(s)]";
    }
}
