package sh.stagehand.core.backup;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import sh.stagehand.core.config.PlatformSettings;
import sh.stagehand.core.files.ContainerUser;
import sh.stagehand.core.workspace.Labels;
import sh.stagehand.spi.RandomSecrets;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.database.DatabaseConnection;
import sh.stagehand.spi.database.DumpLoader;
import sh.stagehand.spi.runtime.ContainerFile;
import sh.stagehand.spi.runtime.ContainerInfo;
import sh.stagehand.spi.runtime.ContainerSpec;
import sh.stagehand.spi.runtime.LogFollow;
import sh.stagehand.spi.runtime.Mount;
import sh.stagehand.spi.runtime.RuntimeProvider;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * Loads dumps the way a tenant's content must be: {@code psql} (plain SQL) or {@code pg_restore}
 * (pg_dump's custom format, as Odoo's own restore tells them apart) run in a throw-away container
 * of the platform's Odoo image, which has PostgreSQL's client programs, with nothing of the host but
 * the dump, read-only; connected as the login the database provider gives (a role of the target
 * database alone), its password in a file of the container's, never in its environment or command
 * line. A plain dump is first checked for psql's meta-commands ({@link PlainDumpCheck}), so that
 * one is refused with its line named before anything is changed. Thread-safe.
 */
@Singleton
public final class ContainerDumpLoader
{
    private static final String DUMP_DIRECTORY = "/var/lib/stagehand-dump";
    private static final String PASSWORD_FILE = "/tmp/stagehand-restore/pgpass";
    private static final int ERROR_LINES = 30;
    // pg_dump writes its key line after a header of a few comment lines.
    private static final int HEADER_LINES = 50;
    private static final Pattern RESTRICT_LINE = Pattern.compile("\\\\restrict ([A-Za-z0-9]{1,200})\r?");

    private final RuntimeProvider runtime;
    private final PlatformSettings settings;
    private final ContainerUser user;

    @Inject
    public ContainerDumpLoader(RuntimeProvider runtime, PlatformSettings settings, ContainerUser user)
    {
        this.runtime = requireNonNull(runtime, "runtime is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.user = requireNonNull(user, "user is null");
    }

    /**
     * A loader of the dump at {@code dump}, checked now: a refused file changes nothing.
     *
     * @param displayName what the sender calls the file, for messages
     * @param projectId the project the dump is loaded for, to label the container
     * @throws StagehandException {@code INVALID_ARGUMENT} for a plain dump holding a command psql
     *         would run, naming its line
     */
    public DumpLoader loaderFor(Path dump, String displayName, String projectId)
    {
        requireNonNull(dump, "dump is null");
        requireNonNull(displayName, "displayName is null");
        requireNonNull(projectId, "projectId is null");
        boolean custom = isCustomFormat(dump);
        if (!custom) {
            PlainDumpCheck.requireNoMetaCommands(dump, displayName);
        }
        return (database, login) -> load(dump, custom, displayName, projectId, database, login);
    }

    private void load(Path dump, boolean custom, String displayName, String projectId, String database, DatabaseConnection login)
    {
        String inContainer = DUMP_DIRECTORY + "/" + (custom ? "dump.custom" : "dump.sql");
        List<String> connection = List.of("--host=" + login.host(), "--port=" + login.port(), "--username=" + login.user(), "--dbname=" + database, "--no-password");
        List<String> command = custom
                ? concat(List.of("pg_restore", "--no-owner", "--no-acl", "--exit-on-error", "--single-transaction"), connection, List.of(inContainer))
                : restricted(inContainer, restrictKey(dump), connection);
        ContainerSpec spec = ContainerSpec.builder("stagehand-restore-" + RandomSecrets.randomHex(6), settings.odooImage())
                .withCommand(command)
                .withEnv("PGPASSFILE", PASSWORD_FILE)
                .withEnv("PGAPPNAME", "stagehand-restore")
                .withEnv("PGCONNECT_TIMEOUT", "10")
                .withFile(ContainerFile.secret(PASSWORD_FILE, pgpass(login, database)))
                .withMount(Mount.readOnly(dump.toAbsolutePath(), inContainer))
                .withLabels(Map.of(Labels.PROJECT, projectId, Labels.ROLE, Labels.RESTORE_ROLE))
                .withUser(user.asDockerUser())
                .withTenant(projectId)
                .withMemoryLimit(settings.containerMemoryBytes())
                .withCpuLimit(settings.containerCpus())
                .withPidsLimit(settings.containerPids())
                .build();
        Deque<String> lastLines = new ArrayDeque<>();
        ContainerInfo container = runtime.start(spec);
        try (LogFollow follow = runtime.followLogs(container.id(), line -> {
            synchronized (lastLines) {
                if (lastLines.size() == ERROR_LINES) {
                    lastLines.removeFirst();
                }
                lastLines.addLast(line.text().replace("psql:<stdin>:", "line ").replace(inContainer + ":", "line "));
            }
        })) {
            int exit = runtime.awaitExit(container.id(), settings.installTimeout());
            follow.awaitCompletion(Duration.ofSeconds(10));
            if (exit != 0) {
                String output;
                synchronized (lastLines) {
                    output = String.join("\n", lastLines).strip();
                }
                throw new StagehandException(StandardErrorCode.CORRUPT_DATA, "Cannot restore " + displayName + " into database " + database + ": " + command.get(0) + " exited with " + exit
                        + (output.isEmpty() ? "" : ": " + output));
            }
        }
        finally {
            runtime.remove(container.id());
        }
    }

    /**
     * psql in its restricted mode, under a key of the platform's that the dump cannot know: it
     * refuses every meta-command but that key's unrestrict, whatever the check before missed
     * (psql's lexer has corners a check can only approach). pg_dump's own key lines, which psql
     * refuses while restricted, are taken out on the way: its first line, and its unrestrict of
     * that key; then an unrestrict of any other key fails the restore.
     */
    private static List<String> restricted(String dumpFile, Optional<String> dumpKey, List<String> connection)
    {
        String key = RandomSecrets.randomHex(16);
        // The dump's own key lines (a key of letters and digits alone, safe in the sed script).
        String filter = dumpKey.map(own -> "sed -e '/^\\\\restrict " + own + "\\r\\?$/d' -e '/^\\\\unrestrict " + own + "\\r\\?$/d' ")
                .orElse("cat ");
        String psql = String.join(" ", concat(List.of("psql", "--no-psqlrc", "--quiet", "--output=/dev/null", "--set=ON_ERROR_STOP=1", "--single-transaction"), connection,
                List.of("'--command=\\restrict " + key + "'", "--file=-")));
        return List.of("sh", "-c", filter + dumpFile + " | " + psql);
    }

    // The key of pg_dump's "\restrict KEY" line (pg_dump 15.14 and later), letters and digits: the
    // first line that is neither blank nor a comment (pg_dump writes a comment header before it).
    private static Optional<String> restrictKey(Path dump)
    {
        try (BufferedReader lines = Files.newBufferedReader(dump, StandardCharsets.ISO_8859_1)) {
            for (int read = 0; read < HEADER_LINES; read++) {
                String line = lines.readLine();
                if (line == null) {
                    return Optional.empty();
                }
                if (line.isBlank() || line.startsWith("--")) {
                    continue;
                }
                Matcher matcher = RESTRICT_LINE.matcher(line);
                return matcher.matches() ? Optional.of(matcher.group(1)) : Optional.empty();
            }
            return Optional.empty();
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "Cannot read the dump " + dump + ": " + e.getMessage(), e);
        }
    }

    // libpq's password file: host:port:database:user:password, ':' and '\' escaped.
    private static String pgpass(DatabaseConnection login, String database)
    {
        return String.join(":", escape(login.host()), Integer.toString(login.port()), escape(database), escape(login.user()), escape(login.password())) + "\n";
    }

    private static String escape(String field)
    {
        return field.replace("\\", "\\\\").replace(":", "\\:");
    }

    /**
     * Whether the file is a {@code pg_dump} custom-format archive (its header starts "PGDMP"), as
     * Odoo's {@code restore_db} tells it from plain SQL.
     */
    public static boolean isCustomFormat(Path dump)
    {
        try (InputStream in = Files.newInputStream(dump)) {
            return Arrays.equals(in.readNBytes(5), "PGDMP".getBytes(StandardCharsets.US_ASCII));
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "Cannot read the dump " + dump + ": " + e.getMessage(), e);
        }
    }

    @SafeVarargs
    private static List<String> concat(List<String>... parts)
    {
        return Arrays.stream(parts).flatMap(List::stream).toList();
    }
}
