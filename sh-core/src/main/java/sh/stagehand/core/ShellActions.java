package sh.stagehand.core;

import sh.stagehand.core.access.Account;
import sh.stagehand.core.access.AccountService;
import sh.stagehand.core.access.AuditAction;
import sh.stagehand.core.access.Tool;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildState;
import sh.stagehand.core.pipeline.BuildSleep;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.runtime.ExecListener;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static java.util.Objects.requireNonNull;

/**
 * What one account does with shells ({@link Actions#shells()}): opening one in a build its role
 * has the shell on, and, a project's admin, letting psql write in production's shells for a while.
 * Every shell is audited when it opens and when it ends, on every stage; every grant when it is
 * given and when it ends.
 */
public final class ShellActions
{
    private static final Duration WAKE_TIMEOUT = Duration.ofMinutes(2);

    private final Actions actions;
    private final Account account;
    private final AccountService accounts;
    private final BuildTerminals terminals;
    private final ProductionWrites productionWrites;
    private final BuildSleep sleep;

    ShellActions(Actions actions, AccountService accounts, BuildTerminals terminals, ProductionWrites productionWrites, BuildSleep sleep)
    {
        this.sleep = requireNonNull(sleep, "sleep is null");
        this.actions = requireNonNull(actions, "actions is null");
        this.account = actions.account();
        this.accounts = requireNonNull(accounts, "accounts is null");
        this.terminals = requireNonNull(terminals, "terminals is null");
        this.productionWrites = requireNonNull(productionWrites, "productionWrites is null");
    }

    /**
     * Checks that the account may open a shell in the build, as {@link #open} does, without
     * opening one: for a front end that hands out a ticket first.
     */
    public Build check(long buildId)
    {
        Build build = actions.buildWith(buildId, Tool.SHELL);
        terminals.requireRoomFor(account.login());
        return build;
    }

    /**
     * Opens a shell in a running build, as Odoo's user in the branch's sources; on production, its
     * psql reads only, unless {@link #allowProductionWrites} runs. A sleeping build is woken first,
     * and an open shell keeps it awake.
     *
     * @throws StagehandException {@code PERMISSION_DENIED} for a role without the shell on the
     *         build's stage; {@code CONFLICT} if the build does not run
     */
    public BuildTerminal open(long buildId, ShellRequest request, ExecListener screen)
    {
        Build build = awake(actions.buildWith(buildId, Tool.SHELL));
        String detail = "build " + buildId + " of " + build.branch() + " (" + build.stage() + ") over " + request.via()
                + request.command().map(command -> ": " + abbreviate(ShellTranscript.printable(command))).orElse("");
        sleep.touch(buildId);
        BuildTerminal terminal = terminals.open(build, account.login(), request, screen, () -> {
                    sleep.touch(buildId);
                    return mayStillOpen(buildId);
                },
                () -> accounts.audit(account, build.projectId(), AuditAction.SHELL_CLOSED, detail));
        try {
            accounts.audit(account, build.projectId(), AuditAction.SHELL_OPENED, detail);
        }
        catch (RuntimeException e) {
            // A shell that cannot be audited does not stay open.
            terminal.close();
            throw e;
        }
        return terminal;
    }

    private Build awake(Build build)
    {
        if (build.state() != BuildState.SLEEPING) {
            return build;
        }
        try {
            return sleep.wake(build.id()).get(WAKE_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
        catch (ExecutionException e) {
            throw e.getCause() instanceof StagehandException known ? known : new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Build " + build.id() + " could not wake", e);
        }
        catch (TimeoutException e) {
            throw new StagehandException(StandardErrorCode.CONFLICT, "Build " + build.id() + " was asleep, and is still waking after " + WAKE_TIMEOUT.toSeconds() + " s: try again", e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw StagehandException.interrupted("waking build " + build.id(), e);
        }
    }

    private static String abbreviate(String text)
    {
        return text.length() <= 200 ? text : text.substring(0, 200) + "…";
    }

    private boolean mayStillOpen(long buildId)
    {
        try {
            actions.buildWith(buildId, Tool.SHELL);
            return true;
        }
        catch (StagehandException e) {
            return !List.of(StandardErrorCode.PERMISSION_DENIED.toErrorCode(), StandardErrorCode.NOT_FOUND.toErrorCode()).contains(e.errorCode());
        }
    }

    /**
     * Lets psql write in the project's production shells for {@code duration} (at most
     * {@link ProductionWrites#MAX_GRANT}); the project's admins alone may.
     *
     * @return when it ends
     */
    public Instant allowProductionWrites(String projectId, Duration duration)
    {
        actions.project(projectId);
        accounts.requireAdmin(account, projectId);
        return productionWrites.allow(account, projectId, duration);
    }

    /**
     * Ends the project's grant now; the project's admins alone may.
     */
    public void revokeProductionWrites(String projectId)
    {
        actions.project(projectId);
        accounts.requireAdmin(account, projectId);
        productionWrites.revoke(account, projectId);
    }

    /**
     * @return when psql's write access in the project's production shells ends, if it runs; for
     *         whoever sees the project
     */
    public Optional<Instant> productionWritesUntil(String projectId)
    {
        actions.project(projectId);
        return productionWrites.until(projectId);
    }
}
