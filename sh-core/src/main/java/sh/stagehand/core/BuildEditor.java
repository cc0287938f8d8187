package sh.stagehand.core;

import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildNames;
import sh.stagehand.core.config.PlatformSettings;
import sh.stagehand.core.logs.BuildLogs;
import sh.stagehand.core.logs.LogName;
import sh.stagehand.core.pipeline.BuildSteps;
import sh.stagehand.core.project.Stage;
import sh.stagehand.core.workspace.BuildWorkspaces;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.runtime.RuntimeProvider;
import sh.stagehand.spi.vcs.VcsProvider;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static java.util.Objects.requireNonNull;

/**
 * The online editor's work in a running build: the branch's sources listed, read and saved in the
 * build's container, as its own user (so nothing is read or written on the host, and a link in
 * the sources leads where the container's user could go, no further); the server restarted on the
 * new code (SIGHUP, as Odoo reloads: its process is replaced, same arguments); the files saved
 * committed by the person and pushed, which builds as any push. Development and staging builds'
 * sources are the container user's ({@code ImageSpec.sourceOwner}); production's, and Odoo's own
 * code (under {@value #ODOO} in the tree), are read-only.
 * Every change is a line of the build's {@code editor.log}. Who may do what is
 * {@link EditorActions}'s to check. Thread-safe.
 */
public final class BuildEditor
{
    /** The largest file the editor opens or saves. */
    public static final int MAX_FILE_BYTES = 512 * 1024;
    private static final int MAX_ENTRIES = 5000;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String ROOT = BuildSteps.ADDONS_DIRECTORY;
    /** Where the tree shows Odoo's own code, read-only, beside the branch's sources. */
    public static final String ODOO = "~odoo";

    private final BuildScripts scripts;
    private final BuildLogs logs;
    private final ProjectService projects;
    private final PlatformSettings settings;
    private final Clock clock;
    // The files saved in each build since it started or was last committed from.
    private final Map<Long, Set<String>> saved = new ConcurrentHashMap<>();
    // The editor's last commit from each build, which its sources now are.
    private final Map<Long, String> heads = new ConcurrentHashMap<>();
    // Where each build's image has Odoo's own code.
    private final Map<Long, String> odooRoots = new ConcurrentHashMap<>();

    public BuildEditor(RuntimeProvider runtime, BuildWorkspaces workspaces, BuildLogs logs, ProjectService projects, PlatformSettings settings, Clock clock)
    {
        this.scripts = new BuildScripts(runtime, workspaces);
        this.logs = requireNonNull(logs, "logs is null");
        this.projects = requireNonNull(projects, "projects is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /**
     * An entry of a directory of the sources.
     *
     * @param path relative to the sources' root
     */
    public record Entry(String path, boolean directory, long size) {}

    /**
     * @param directory relative to the sources' root; empty for the root
     * @return its entries, directories first, then by name
     */
    public List<Entry> list(Build build, String directory)
    {
        Place place = place(build, directory.isEmpty() ? "." : directory);
        // "./$2": a directory named like an option (-delete) is a path to find; entries end in a
        // NUL, as a name may hold a newline.
        BuildScripts.Result result = run(build, new byte[0], "cd \"$1\" && [ -d \"$2\" ] && find \"./$2\" -mindepth 1 -maxdepth 1 -printf '%y\\t%s\\t%f\\0' | head -z -n " + (MAX_ENTRIES + 1),
                place.root(), place.relative());
        if (result.exitCode() != 0) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "No directory '" + directory + "' in build " + build.id() + "'s sources");
        }
        List<Entry> entries = new ArrayList<>();
        for (String line : result.text().split("\0")) {
            String[] fields = line.split("\t", 3);
            if (fields.length == 3 && !fields[2].isEmpty() && fields[1].matches("[0-9]{1,18}")) {
                String path = directory.isEmpty() ? fields[2] : directory + "/" + fields[2];
                entries.add(new Entry(path, fields[0].equals("d"), Long.parseLong(fields[1])));
            }
        }
        if (directory.isEmpty()) {
            entries.add(new Entry(ODOO, true, 0));
        }
        entries.sort((a, b) -> a.directory() != b.directory() ? (a.directory() ? -1 : 1) : a.path().compareTo(b.path()));
        return entries.size() > MAX_ENTRIES ? entries.subList(0, MAX_ENTRIES) : entries;
    }

    /**
     * @return the file's text
     * @throws StagehandException {@code NOT_FOUND}; {@code INVALID_ARGUMENT} for a binary file, or
     *         one over {@link #MAX_FILE_BYTES}
     */
    public String read(Build build, String path)
    {
        Place place = place(build, path);
        BuildScripts.Result result = run(build, new byte[0], "cd \"$1\" && [ -f \"$2\" ] && head -c " + (MAX_FILE_BYTES + 1) + " -- \"$2\"", place.root(), place.relative());
        if (result.exitCode() != 0) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "No file '" + path + "' in build " + build.id() + "'s sources");
        }
        if (result.output().length > MAX_FILE_BYTES) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "'" + path + "' is larger than the editor opens (" + MAX_FILE_BYTES / 1024 + " KiB); change it in a shell");
        }
        return text(result.output()).orElseThrow(() -> new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "'" + path + "' is not text (UTF-8); the editor opens text files"));
    }

    /**
     * Saves a file (made, with its directories, if new), as the container's user.
     *
     * @throws StagehandException {@code CONFLICT} on production, whose sources are read-only
     */
    public void save(Build build, String who, String path, String content)
    {
        requireWritable(build);
        if (path.equals(ODOO) || path.startsWith(ODOO + "/")) {
            throw new StagehandException(StandardErrorCode.CONFLICT, "Odoo's own code is read-only: change the branch's addons (or inherit Odoo's models in them)");
        }
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_FILE_BYTES) {
            throw new StagehandException(StandardErrorCode.CONTENT_TOO_LARGE, "The editor saves files up to " + MAX_FILE_BYTES / 1024 + " KiB; '" + path + "' would be larger");
        }
        BuildScripts.Result result = run(build, bytes, "cd \"$1\" && mkdir -p -- \"$(dirname -- \"$2\")\" && cat > \"$2\"", ROOT, requirePath(path));
        if (result.exitCode() != 0) {
            throw new StagehandException(StandardErrorCode.CONFLICT, "Cannot save '" + path + "' in build " + build.id() + ": " + result.errors().strip());
        }
        saved.computeIfAbsent(build.id(), ignored -> ConcurrentHashMap.newKeySet()).add(path);
        keep(build, "%s saved %s (%d bytes)".formatted(who, path, bytes.length));
    }

    /**
     * @return the files saved in the build and not committed yet, sorted
     */
    public List<String> changed(Build build)
    {
        return saved.getOrDefault(build.id(), Set.of()).stream().sorted().toList();
    }

    /**
     * Restarts the build's server on the sources as they are now: SIGHUP to Odoo, which stops and
     * starts again in place with the same arguments ({@code odoo/service/server.py}).
     */
    public void restart(Build build, String who)
    {
        scripts.restart(build, "the editor");
        keep(build, who + " restarted the server");
    }

    /**
     * Updates a module of the sources in the build's database, as Odoo.sh's editor does: Odoo
     * itself, a second process beside the server ({@code odoo -u <module> --stop-after-init
     * --no-http}, with the server's own configuration), then the server restarted on the new code.
     *
     * @return the update's last lines
     * @throws StagehandException {@code NOT_FOUND} for a module the sources do not have;
     *         {@code CONFLICT} if the update fails (its last lines said), or on production
     */
    public List<String> updateModule(Build build, String who, String module)
    {
        requireWritable(build);
        if (module == null || !module.matches("[A-Za-z0-9_]{1,128}")) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "'" + module + "' is not a module's name (letters, digits and '_')");
        }
        if (run(build, new byte[0], "cd \"$1\" && [ -f \"$2/__manifest__.py\" ]", ROOT, module).exitCode() != 0) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "Build " + build.id() + "'s sources have no module " + module + " (no " + module + "/__manifest__.py)");
        }
        // The server's own addons path and data directory, as its command line (pid 1's, Odoo's)
        // has them: the configuration file has neither. In the build's own container, as its user.
        BuildScripts.Result result = scripts.odoo(build, "the editor", settings.installTimeout(), "-u", module);
        List<String> last = result.lastLines(40);
        if (result.exitCode() != 0) {
            keep(build, "%s updated %s: failed (exit %d)".formatted(who, module, result.exitCode()));
            throw new StagehandException(StandardErrorCode.CONFLICT, "Updating " + module + " in build " + build.id() + " failed (exit " + result.exitCode() + "): "
                    + String.join("\n", last.subList(Math.max(0, last.size() - 10), last.size())));
        }
        keep(build, "%s updated %s".formatted(who, module));
        restart(build, who);
        return last;
    }

    /**
     * Commits the files saved in the build over its commit, by {@code authorName}, and pushes them
     * to its branch, which builds the commit as any push.
     *
     * @throws StagehandException {@code INVALID_ARGUMENT} with nothing saved; {@code CONFLICT} if the
     *         branch moved on from the build's commit
     */
    public ProjectService.CommitOutcome commit(Build build, String login, String authorName, String message)
    {
        requireWritable(build);
        if (message == null || message.isBlank()) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Say what the change does: a commit message, e.g. \"Fix the invoice total\"");
        }
        List<String> paths = changed(build);
        if (paths.isEmpty()) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Nothing to commit: no file was saved in build " + build.id() + " since it started, or since its last commit");
        }
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (String path : paths) {
            BuildScripts.Result result = run(build, new byte[0], "cd \"$1\" && head -c " + (MAX_FILE_BYTES + 1) + " -- \"$2\"", ROOT, path);
            if (result.exitCode() != 0 || result.output().length > MAX_FILE_BYTES) {
                throw new StagehandException(StandardErrorCode.CONFLICT, "Cannot read '" + path + "' back from build " + build.id() + " to commit it: " + result.errors().strip());
            }
            files.put(path, result.output());
        }
        // Accounts have no mail address of their own yet: the login at the platform's domain.
        // Over what the build's sources are now: its commit, or the editor's last commit from it.
        String parent = heads.getOrDefault(build.id(), build.commitId());
        ProjectService.CommitOutcome outcome = projects.commitFiles(build.projectId(), build.branch(), parent, files, authorName,
                login + "@" + settings.domain(), message.strip());
        saved.remove(build.id());
        heads.put(build.id(), outcome.commitId());
        keep(build, "%s committed %s \"%s\" (%s) to %s and pushed%s".formatted(login, BuildNames.shortCommit(outcome.commitId()), message.strip().lines().findFirst().orElse(""),
                String.join(", ", paths), build.branch(), outcome.build().map(queued -> "; build " + queued.id() + " queued").orElse("")));
        return outcome;
    }

    private void keep(Build build, String line)
    {
        logs.append(build.id(), LogName.EDITOR, clock.instant() + " " + line);
        logs.flush(build.id(), LogName.EDITOR);
    }

    private static void requireRunning(Build build)
    {
        BuildScripts.requireRunning(build, "the editor");
    }

    private static void requireWritable(Build build)
    {
        if (build.stage() == Stage.PRODUCTION) {
            throw new StagehandException(StandardErrorCode.CONFLICT, "Production's sources are read-only: change them on a development branch, then merge it");
        }
    }

    // Where a path of the tree is in the container: the branch's sources, or Odoo's own code
    // (the odoo package's directory, asked of the image's Python once a build).
    private record Place(String root, String relative) {}

    private Place place(Build build, String path)
    {
        if (!path.equals(ODOO) && !path.startsWith(ODOO + "/")) {
            return new Place(ROOT, path.equals(".") ? path : requirePath(path));
        }
        String odoo = odooRoots.computeIfAbsent(build.id(), ignored -> {
            BuildScripts.Result result = run(build, new byte[0], "python3 -c 'import os, odoo; print(os.path.dirname(odoo.__file__))'");
            String directory = result.text().strip();
            if (result.exitCode() != 0 || !directory.startsWith("/")) {
                throw new StagehandException(StandardErrorCode.NOT_FOUND, "Build " + build.id() + "'s image has no odoo package to show");
            }
            return directory;
        });
        return new Place(odoo, path.equals(ODOO) ? "." : requirePath(path.substring(ODOO.length() + 1)));
    }

    private static String requirePath(String path)
    {
        if (!VcsProvider.isPlainPath(path)) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "'" + path + "' is not a path of the sources: relative, '/'-separated, without '..' or .git");
        }
        return path;
    }

    private static Optional<String> text(byte[] bytes)
    {
        for (byte b : bytes) {
            if (b == 0) {
                return Optional.empty();
            }
        }
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString());
        }
        catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    // A script in the build's container, as its user, without a terminal; $1... are its arguments
    // (never part of the script), input its whole input.
    private BuildScripts.Result run(Build build, byte[] input, String script, String... arguments)
    {
        return scripts.run(build, "the editor", input, TIMEOUT, MAX_FILE_BYTES + 1, script, arguments);
    }
}
