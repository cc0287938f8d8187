package sh.stagehand.core.pipeline;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.logs.BuildLogs;
import sh.stagehand.core.logs.LogName;
import sh.stagehand.core.odoo.AddonScan;
import sh.stagehand.core.odoo.AddonScanner;
import sh.stagehand.core.odoo.InvalidAddon;
import sh.stagehand.core.odoo.RequirementsRecipe;
import sh.stagehand.core.pipeline.BuildSteps.Source;
import sh.stagehand.core.project.Branch;
import sh.stagehand.core.project.Project;
import sh.stagehand.core.workspace.BuildWorkspaces;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.runtime.ImageRecipe;
import sh.stagehand.spi.vcs.VcsProvider;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static java.util.Objects.requireNonNull;

/**
 * A build's source: its commit checked out into its workspace, the addons found there and what
 * the build must say about them, and the revision's Python requirements. Thread-safe.
 */
@Singleton
final class RevisionSources
{
    private static final String REQUIREMENTS = "requirements.txt";

    private final VcsProvider vcs;
    private final BuildWorkspaces workspaces;
    private final BuildLogs logs;

    @Inject
    RevisionSources(VcsProvider vcs, BuildWorkspaces workspaces, BuildLogs logs)
    {
        this.vcs = requireNonNull(vcs, "vcs is null");
        this.workspaces = requireNonNull(workspaces, "workspaces is null");
        this.logs = requireNonNull(logs, "logs is null");
    }

    /**
     * Checks the build's commit out into a fresh workspace and scans its addons; what Odoo will
     * not install is written to {@code notes}.
     */
    Source checkout(Project project, Branch branch, Build build, LogName notes)
    {
        // A build runs once: anything already under its id was left by an earlier platform whose
        // records were lost (ids start again with a new metadata database).
        workspaces.delete(build.id());
        logs.clearStale(build.id());
        Path workspace = workspaces.source(build.id());
        List<String> submodules = vcs.checkout(project.repository(), build.commitId(), workspace);
        AddonScan addons = AddonScanner.scan(workspace, submodules);
        List<String> modules = addons.modulesToInstall(branch.moduleSelection(), branch.explicitModules());
        for (String note : addonsPathNotes(addons, branch, modules)) {
            logs.append(build.id(), notes, note);
        }
        return new Source(workspace, addons, modules, branch.apps());
    }

    /**
     * The source of a build that ran already, as its checkout lies in its workspace: for its
     * addons path and requirements, which do not depend on which addons are a submodule's (the
     * scan does not know it: only the checkout said), not for choosing modules to install.
     *
     * @throws StagehandException {@code NOT_FOUND} if its checkout is gone
     */
    Source existing(Build build)
    {
        Path workspace = workspaces.source(build.id());
        if (!Files.isDirectory(workspace)) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "Cannot start build " + build.id() + " again: its checkout " + workspace + " is gone; rebuild its commit");
        }
        return new Source(workspace, AddonScanner.scan(workspace, Set.of()), List.of(), List.of());
    }

    /**
     * The revision's Python requirements, each file's path and content: what its image installs.
     */
    static Map<String, String> requirements(Source source)
    {
        Map<String, String> requirements = new TreeMap<>();
        for (String file : requirementsFiles(source.workspace(), source.addons())) {
            try {
                requirements.put(file, Files.readString(source.workspace().resolve(file)));
            }
            catch (IOException e) {
                throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot read " + file + " of " + source.workspace() + ": " + e, e);
            }
        }
        return requirements;
    }

    /**
     * The recipe that installs the revision's Python requirements into its image, for
     * {@code tenant}; empty when it has none.
     */
    static Optional<ImageRecipe> requirementsRecipe(Source source, String tenant)
    {
        Map<String, byte[]> contents = new LinkedHashMap<>();
        for (String file : requirementsFiles(source.workspace(), source.addons())) {
            try {
                contents.put(file, Files.readAllBytes(source.workspace().resolve(file)));
            }
            catch (IOException e) {
                throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot read " + file + " of " + source.workspace() + ": " + e, e);
            }
        }
        return RequirementsRecipe.of(contents, Optional.of(tenant));
    }

    /**
     * A requirements.txt at the repository root or beside any addons directory, as Odoo.sh reads them.
     */
    static List<String> requirementsFiles(Path workspace, AddonScan addons)
    {
        Set<String> files = new TreeSet<>();
        if (Files.isRegularFile(workspace.resolve(REQUIREMENTS), LinkOption.NOFOLLOW_LINKS)) {
            files.add(REQUIREMENTS);
        }
        for (String directory : addons.addonsDirectories()) {
            String candidate = directory.isEmpty() || directory.equals(".") ? REQUIREMENTS : directory + "/" + REQUIREMENTS;
            if (Files.isRegularFile(workspace.resolve(candidate), LinkOption.NOFOLLOW_LINKS)) {
                files.add(candidate);
            }
        }
        return List.copyOf(files);
    }

    /**
     * What the build must say about the addons on its addons path before Odoo runs, as lines for
     * its log: the invalid addons it does not install (Odoo leaves a module alone until it is
     * asked for), and the modules it installs whose external_dependencies Odoo will not read.
     *
     * @throws StagehandException for an addon whose manifest Odoo itself cannot load: Odoo 17
     *         reads every manifest on the addons path when it creates a database
     *         ({@code odoo/modules/db.py}), so a new database cannot be made
     */
    static List<String> addonsPathNotes(AddonScan addons, Branch branch, List<String> modules)
    {
        List<String> notes = new ArrayList<>();
        for (InvalidAddon skipped : addons.invalidAddonsNotSelected(branch.moduleSelection(), branch.explicitModules())) {
            if (skipped.odooRefuses()) {
                throw new StagehandException(skipped::errorCode, "Addon %s at %s is not one this build installs, but Odoo reads every manifest on the addons path when it creates a database, and cannot read this one. %s"
                        .formatted(skipped.name(), skipped.relativePath(), skipped.problem()));
            }
            notes.add("[stagehand] Addon %s at %s is not installed by this build, and could not be: %s"
                    .formatted(skipped.name(), skipped.relativePath(), skipped.problem().lines().findFirst().orElse("")));
        }
        for (String module : modules) {
            addons.addon(module)
                    .filter(addon -> addon.manifest().raw().get("external_dependencies") instanceof List)
                    .ifPresent(addon -> notes.add(("[stagehand] Addon %s declares external_dependencies as a list of entries; Odoo 17 reads only "
                            + "{'python': [...], 'bin': [...]} and will refuse to install it (\"'list' object has no attribute 'get'\")").formatted(addon.name())));
        }
        return notes;
    }
}
