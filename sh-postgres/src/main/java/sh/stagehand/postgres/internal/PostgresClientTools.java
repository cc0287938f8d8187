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
 * PostgreSQL's client programs ({@code pg_dump}, {@code pg_restore}) run against one server as
 * the platform's role: what no SQL statement does, a consistent copy of a database in use.
 */
public final class PostgresClientTools
{
    private static final Path DEBIAN_VERSIONS = Path.of("/usr/lib/postgresql");
    private static final int MAX_ERROR_CHARACTERS = 4000;

    private final Path binDirectory;
    private final int jobs;
    private final Path scratchDirectory;
    private final String host;
    private final int port;
    private final String user;
    private final String password;

    /**
     * @param jobs 1: stream the dump into the restore; more: dump in parallel to {@code scratchDirectory}, then restore in parallel
     */
    public PostgresClientTools(Optional<Path> binDirectory, int jobs, Optional<Path> scratchDirectory, String jdbcUrl, String user, String password)
    {
        this.binDirectory = requireNonNull(binDirectory, "binDirectory is null").orElseGet(PostgresClientTools::findBinDirectory);
        this.jobs = jobs;
        this.scratchDirectory = requireNonNull(scratchDirectory, "scratchDirectory is null").orElse(Path.of(System.getProperty("java.io.tmpdir")));
        URI uri = URI.create(jdbcUrl.substring("jdbc:".length()));
        this.host = uri.getHost();
        this.port = uri.getPort() == -1 ? 5432 : uri.getPort();
        this.user = requireNonNull(user, "user is null");
        this.password = requireNonNull(password, "password is null");
    }

    /**
     * Copies {@code source} into the empty database {@code target}, every object made as
     * {@code role}: consistent, as {@code pg_dump} dumps from one snapshot, while the source stays
     * in use. With one job, {@code pg_dump} streams into {@code pg_restore} (no compression, the
     * stream never touches a disk); with more, {@code pg_dump -Fd -j N} to a scratch directory,
     * then {@code pg_restore -j N}, which also builds the indexes in parallel.
     *
     * @throws StagehandException {@code PROVIDER_ERROR} with the programs' error output
     */
    public void copy(String source, String target, String role)
    {
        List<String> connection = List.of("--host=" + host, "--port=" + port, "--username=" + user);
        try {
            if (jobs == 1) {
                run(source, target,
                        command(List.of(program("pg_dump"), "--format=custom", "--compress=0", "--no-owner", "--no-acl"), connection, "--dbname=" + source),
                        command(List.of(program("pg_restore"), "--no-owner", "--no-acl", "--exit-on-error", "--role=" + role), connection, "--dbname=" + target),
                        null);
                return;
            }
            Files.createDirectories(scratchDirectory);
            Path dump = Files.createTempDirectory(scratchDirectory, "stagehand-copy-");
            try {
                // pg_dump wants to create the directory itself.
                Files.delete(dump);
                run(source, target,
                        command(List.of(program("pg_dump"), "--format=directory", "--jobs=" + jobs, "--compress=0", "--no-owner", "--no-acl", "--file=" + dump), connection, "--dbname=" + source),
                        command(List.of(program("pg_restore"), "--jobs=" + jobs, "--no-owner", "--no-acl", "--exit-on-error", "--role=" + role), connection, "--dbname=" + target),
                        dump);
            }
            finally {
                deleteTree(dump);
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
     * {@code pg_dump --no-owner} in plain SQL to {@code target}, as Odoo's database manager dumps.
     */
    public void dumpPlain(String source, Path target)
    {
        List<String> command = command(List.of(program("pg_dump"), "--format=plain", "--no-owner", "--file=" + target),
                List.of("--host=" + host, "--port=" + port, "--username=" + user), "--dbname=" + source);
        runOne(command, "dump database " + source + " to " + target, StandardErrorCode.PROVIDER_ERROR);
    }

    /**
     * Runs a dump into {@code target} as {@code role}, in one transaction, stopping at the first
     * error: a plain SQL dump with {@code psql}, a {@code pg_dump} custom-format archive with
     * {@code pg_restore --no-owner}, as Odoo's {@code restore_db} tells them apart.
     */
    public void restore(String target, String role, Path dump)
    {
        List<String> connection = List.of("--host=" + host, "--port=" + port, "--username=" + user);
        List<String> command = isCustomFormat(dump)
                ? command(List.of(program("pg_restore"), "--no-owner", "--no-acl", "--exit-on-error", "--single-transaction", "--role=" + role, "--dbname=" + target), connection, dump.toString())
                : command(List.of(program("psql"), "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", "--single-transaction",
                        "--command=SET ROLE \"" + role + "\"", "--file=" + dump), connection, "--dbname=" + target);
        runOne(command, "restore " + dump.getFileName() + " into database " + target, StandardErrorCode.CORRUPT_DATA);
    }

    /**
     * Whether the file is a {@code pg_dump} custom-format archive (its header starts "PGDMP").
     */
    public static boolean isCustomFormat(Path dump)
    {
        try (var in = Files.newInputStream(dump)) {
            return java.util.Arrays.equals(in.readNBytes(5), "PGDMP".getBytes(StandardCharsets.US_ASCII));
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "Cannot read the dump " + dump + ": " + e.getMessage(), e);
        }
    }

    private void runOne(List<String> command, String what, StandardErrorCode failure)
    {
        Path errors = null;
        try {
            errors = Files.createTempFile("stagehand-pg-", ".log");
            int exit = builder(command).redirectErrorStream(false).redirectError(errors.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
            if (exit != 0) {
                throw new StagehandException(failure, "Cannot " + what + ": " + Path.of(command.get(0)).getFileName() + " exited with " + exit + ": " + read(errors));
            }
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot run " + command.get(0) + " to " + what + ": " + e.getMessage()
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
    private void run(String source, String target, List<String> dump, List<String> restore, Path dumpDirectory)
            throws IOException, InterruptedException
    {
        Path dumpErrors = Files.createTempFile("stagehand-pg_dump-", ".log");
        Path restoreErrors = Files.createTempFile("stagehand-pg_restore-", ".log");
        try {
            int dumpExit;
            int restoreExit = -1;
            if (dumpDirectory == null) {
                List<Process> processes = ProcessBuilder.startPipeline(List.of(
                        builder(dump).redirectError(dumpErrors.toFile()),
                        builder(restore).redirectError(restoreErrors.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD)));
                dumpExit = processes.get(0).waitFor();
                restoreExit = processes.get(1).waitFor();
            }
            else {
                dumpExit = builder(dump).redirectError(dumpErrors.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
                if (dumpExit == 0) {
                    List<String> fromDirectory = new ArrayList<>(restore);
                    fromDirectory.add(dumpDirectory.toString());
                    restoreExit = builder(fromDirectory).redirectError(restoreErrors.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
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

    private static List<String> command(List<String> program, List<String> connection, String last)
    {
        List<String> command = new ArrayList<>(program);
        command.addAll(connection);
        command.add(last);
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
        return "PostgresClientTools[" + binDirectory + ", " + host + ":" + port + ", " + jobs + " job(s)]";
    }
}
