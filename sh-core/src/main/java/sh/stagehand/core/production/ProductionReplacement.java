package sh.stagehand.core.production;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.core.backup.BackupCatalog;
import sh.stagehand.core.backup.ContainerDumpLoader;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildNames;
import sh.stagehand.core.files.ContainerDirectory;
import sh.stagehand.core.pipeline.BuildCleaner;
import sh.stagehand.core.pipeline.ProductionPipeline;
import sh.stagehand.core.store.BuildStore;
import sh.stagehand.core.store.Event;
import sh.stagehand.core.store.EventKind;
import sh.stagehand.core.workspace.BuildWorkspaces;
import sh.stagehand.core.workspace.Filestores;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.database.DatabaseProvider;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Puts a whole new database, filestore and sessions in production's place (a restored backup, an
 * imported database) so that a platform stopped anywhere on the way finishes the job at its next
 * start, rather than leaving a database without its filestore.
 * <ol>
 * <li>Everything is staged first, beside production's data ({@link BuildWorkspaces#productionReplacement}):
 *     the dump, the filestore, the sessions. Stopped while staging, nothing changed: the stage is
 *     deleted.</li>
 * <li>A journal then records what is being put in place and the SQL to run after the dump, state
 *     {@link State#STAGED}. From here on the replacement goes forward, never back: its end state is
 *     fully described by the stage. Stopped now, the database may or may not have been replaced
 *     (the provider's swap is itself finished by its next call): it is replaced again from the
 *     staged dump, which gives the same database.</li>
 * <li>Once the database is in place, {@link State#DATABASE_REPLACED}: only the files are left to
 *     move, and moving them again is harmless.</li>
 * </ol>
 * The caller holds production's write lock. Thread-safe.
 */
@Singleton
public final class ProductionReplacement
{
    private static final Logger log = LoggerFactory.getLogger(ProductionReplacement.class);
    private static final String JOURNAL = "journal.json";
    private static final ObjectMapper JSON = BackupCatalog.jsonMapper();

    /**
     * How far a replacement got.
     */
    public enum State
    {
        /** Staged whole; the database may or may not be replaced yet. */
        STAGED,
        /** The database is in place; the files may not be. */
        DATABASE_REPLACED,
    }

    /**
     * @param what what is being put in place, for people ("backup 20261202T031500Z-daily")
     * @param thenRun SQL to run on the restored database before it takes the place
     * @param state how far it got
     */
    record Journal(String what, String thenRun, State state)
    {
        Journal
        {
            requireNonNull(what, "what is null");
            requireNonNull(thenRun, "thenRun is null");
            requireNonNull(state, "state is null");
        }
    }

    /**
     * Where a replacement is staged: fill {@link #dump()}, {@link #filestore()} and
     * {@link #sessions()}, then {@link #apply} it.
     */
    public record Stage(String projectId, Path root)
    {
        public Path dump()
        {
            return root.resolve("dump");
        }

        public Path filestore()
        {
            return root.resolve("filestore");
        }

        public Path sessions()
        {
            return root.resolve("sessions");
        }
    }

    private final DatabaseProvider databases;
    private final ContainerDumpLoader loader;
    private final BuildWorkspaces workspaces;
    private final ProductionPipeline production;
    private final BuildCleaner cleaner;
    private final BuildStore builds;
    private final Clock clock;

    @Inject
    public ProductionReplacement(DatabaseProvider databases, ContainerDumpLoader loader, BuildWorkspaces workspaces, ProductionPipeline production, BuildCleaner cleaner, BuildStore builds,
            Clock clock)
    {
        this.databases = requireNonNull(databases, "databases is null");
        this.loader = requireNonNull(loader, "loader is null");
        this.workspaces = requireNonNull(workspaces, "workspaces is null");
        this.production = requireNonNull(production, "production is null");
        this.cleaner = requireNonNull(cleaner, "cleaner is null");
        this.builds = requireNonNull(builds, "builds is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /**
     * A fresh, empty stage for the project's production.
     *
     * @throws StagehandException {@code CONFLICT} if an interrupted replacement is still there, or
     *         the snapshot of an update whose rollback did not finish (each is finished at the
     *         platform's next start)
     */
    public Stage stage(String projectId)
    {
        production.requireNoUnfinishedRollback(projectId);
        Path root = workspaces.productionReplacement(projectId);
        if (Files.exists(root.resolve(JOURNAL))) {
            throw new StagehandException(StandardErrorCode.CONFLICT, "Production of " + projectId + " has a replacement a stopped platform did not finish ("
                    + root + "); the platform's next start finishes it, and nothing else replaces production before that");
        }
        Filestores.delete(root);
        try {
            Files.createDirectories(root.resolve("filestore"));
            Files.createDirectories(root.resolve("sessions"));
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot create the stage " + root + ": " + e, e);
        }
        return new Stage(projectId, root);
    }

    /**
     * Puts the staged database, filestore and sessions in production's place: the serving build
     * stops, the dump is restored beside the database and swapped in once whole (then
     * {@code thenRun} with it), the files are moved into place, and the build serves again. If the
     * dump does not restore, production serves again unchanged and the stage is gone.
     *
     * @param what what is put in place, for people
     * @throws StagehandException as {@link DatabaseProvider#replaceWithDump}; {@code PROVIDER_ERROR}
     *         if the files cannot be moved once the database is in place (the next start moves them)
     */
    public void apply(Stage stage, String what, String thenRun, Optional<Build> serving)
    {
        String projectId = stage.projectId();
        writeJournal(stage, new Journal(what, thenRun, State.STAGED));
        serving.ifPresent(build -> cleaner.removeContainers(build.id()));
        boolean replaced = false;
        RuntimeException failure = null;
        try {
            databases.replaceWithDump(BuildNames.productionDatabaseName(projectId), loader.loaderFor(stage.dump(), what, projectId), thenRun);
            replaced = true;
            writeJournal(stage, new Journal(what, thenRun, State.DATABASE_REPLACED));
            moveFiles(stage);
            Filestores.delete(stage.root());
        }
        catch (RuntimeException e) {
            failure = e;
            if (!replaced) {
                // Production is as it was: the stage goes with the journal.
                Filestores.delete(stage.root());
            }
            throw e;
        }
        finally {
            if (serving.isPresent()) {
                try {
                    production.serveAgain(serving.get(), replaced ? "serving " + what : "serving again: putting " + what + " in place failed");
                }
                catch (RuntimeException e) {
                    if (failure == null) {
                        throw e;
                    }
                    failure.addSuppressed(e);
                }
            }
        }
    }

    /**
     * Finishes the replacement of the project's production that a stopped platform left, if any,
     * at start and before production serves again.
     *
     * @return what was done, for people
     */
    public Optional<String> finishInterrupted(String projectId)
    {
        Path root = workspaces.productionReplacement(projectId);
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        Stage stage = new Stage(projectId, root);
        Path journalFile = root.resolve(JOURNAL);
        if (!Files.exists(journalFile)) {
            Filestores.delete(root);
            return Optional.of("a replacement of production stopped while being staged was dropped; production was not touched");
        }
        Journal journal;
        try {
            journal = JSON.readValue(journalFile.toFile(), Journal.class);
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.CORRUPT_DATA, "Cannot read " + journalFile + ", the journal of a replacement of production a stopped platform left: "
                    + e.getMessage() + "; a person must look at it", e);
        }
        // Whatever still serves the old database stops; the platform's start serves production again.
        production.serving(projectId).ifPresent(build -> cleaner.removeContainers(build.id()));
        if (journal.state() == State.STAGED) {
            databases.replaceWithDump(BuildNames.productionDatabaseName(projectId), loader.loaderFor(stage.dump(), journal.what(), projectId), journal.thenRun());
            writeJournal(stage, new Journal(journal.what(), journal.thenRun(), State.DATABASE_REPLACED));
        }
        moveFiles(stage);
        Filestores.delete(root);
        String done = "production now holds " + journal.what() + ": putting it in place, a stopped platform had got as far as " + journal.state();
        builds.appendEvent(new Event(0, projectId, Optional.empty(), Optional.empty(), EventKind.BACKUP_RESTORED, "Finished at start: " + done, clock.instant()));
        log.warn("Production of {}: {}", projectId, done);
        return Optional.of(done);
    }

    private void moveFiles(Stage stage)
    {
        ContainerDirectory data = workspaces.productionDataDirectory(stage.projectId());
        try {
            moveInto(stage.filestore(), data, Filestores.of(BuildNames.productionDatabaseName(stage.projectId())));
            moveInto(stage.sessions(), data, "sessions");
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "The database of production of " + stage.projectId() + " is in place, but its files cannot be moved there ("
                    + e + "); the platform's next start moves them", e);
        }
    }

    // The directory takes target's place in production's data directory (whatever was there going,
    // a link a container put there removed, not followed), made the container user's; done
    // already if it is gone.
    private static void moveInto(Path directory, ContainerDirectory data, String target)
            throws IOException
    {
        if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        data.replace(target, directory);
    }

    // Written beside and renamed into place: a journal is whole or absent.
    private static void writeJournal(Stage stage, Journal journal)
    {
        Path file = stage.root().resolve(JOURNAL);
        Path partial = stage.root().resolve(JOURNAL + ".partial");
        try {
            JSON.writeValue(partial.toFile(), journal);
            Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot write " + file + ": " + e, e);
        }
    }
}
