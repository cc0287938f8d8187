package sh.stagehand.core.pipeline;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildState;
import sh.stagehand.core.logs.LogName;
import sh.stagehand.core.odoo.BuildVerdict;
import sh.stagehand.core.odoo.OdooCommandLine;
import sh.stagehand.core.pipeline.BuildSteps.OdooRun;
import sh.stagehand.core.pipeline.BuildSteps.Source;
import sh.stagehand.core.project.Branch;
import sh.stagehand.core.project.Project;
import sh.stagehand.core.workspace.BuildWorkspaces;
import sh.stagehand.spi.database.DatabaseConnection;
import sh.stagehand.spi.database.DatabaseProvider;
import sh.stagehand.spi.runtime.ContainerInfo;
import sh.stagehand.spi.runtime.PreparedImage;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * A development build, as on Odoo.sh: check out the commit, prepare the image (pip.log), create a
 * fresh database, install the branch's modules with demo data and run their tests (install.log),
 * judge the logs (success / warning / failed), then keep a server running for that database only
 * (odoo.log), reachable on a loopback port and known by its host name. Thread-safe: one instance
 * runs many builds at once.
 */
@Singleton
public final class DevelopmentPipeline
{
    private final BuildSteps steps;
    private final DatabaseProvider databases;
    private final BuildWorkspaces workspaces;

    @Inject
    public DevelopmentPipeline(BuildSteps steps, DatabaseProvider databases, BuildWorkspaces workspaces)
    {
        this.steps = requireNonNull(steps, "steps is null");
        this.databases = requireNonNull(databases, "databases is null");
        this.workspaces = requireNonNull(workspaces, "workspaces is null");
    }

    public void run(Build claimed)
    {
        steps.run(claimed, this::build);
    }

    private Build build(Project project, Branch branch, Build build)
    {
        Instant started = steps.now();
        Source source = steps.checkout(project, branch, build, LogName.INSTALL);
        List<String> toInstall = source.modulesForNewDatabase();
        PreparedImage image = steps.prepareImage(build, source);
        DatabaseConnection database = databases.create(build.databaseName());
        Path data = workspaces.data(build.id());

        build = steps.update(build.withState(BuildState.TESTING, "installing " + String.join(", ", toInstall) + " with demo data and tests"));
        OdooCommandLine.Builder install = steps.commandLine(build, source, false)
                .withInstall(toInstall)
                .withStopAfterInit();
        // As Odoo.sh: the tests of the branch's modules, not Odoo's whole core suite, unless the branch says otherwise.
        testTags(branch, source.modules()).ifPresent(install::withTestTags);
        OdooRun run = steps.runOdoo(build, LogName.INSTALL, install, image, database, data);
        BuildVerdict verdict = run.exitCode() == 0 ? run.analysis().verdict() : BuildVerdict.FAILED;
        build = steps.update(build.withVerdict(verdict));

        Instant serverStarted = steps.now();
        ContainerInfo server = steps.startServer(build, image, steps.commandLine(build, source, branch.cronsEnabled()), database, data, BuildSteps.Health.HTTP);
        return steps.running(project, build, server, verdict, verdictText(verdict, run) + ", " + String.join(", ", toInstall),
                started, run.took().plus(java.time.Duration.between(serverStarted, steps.now())));
    }

    /**
     * The branch's test tags; else tags that select the modules the build installs (with
     * {@code --test-enable} alone Odoo would run the tests of every module it installs, core ones
     * included); none when the branch has no module of its own to test.
     */
    static Optional<String> testTags(Branch branch, List<String> modules)
    {
        if (branch.testTags().isPresent()) {
            return branch.testTags();
        }
        return modules.isEmpty() ? Optional.empty() : Optional.of(modules.stream().map(module -> "/" + module).collect(Collectors.joining(",")));
    }

    private static String verdictText(BuildVerdict verdict, OdooRun run)
    {
        String text = verdict.name().toLowerCase(java.util.Locale.ROOT);
        if (run.exitCode() != 0) {
            text += " (install exited with " + run.exitCode() + ")";
        }
        if (!run.analysis().reasons().isEmpty()) {
            text += ": " + run.analysis().reasons().get(0);
        }
        return text;
    }
}
