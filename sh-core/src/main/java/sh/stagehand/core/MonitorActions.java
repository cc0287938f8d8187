package sh.stagehand.core;

import sh.stagehand.core.access.Account;
import sh.stagehand.core.access.AccountService;
import sh.stagehand.core.access.Tool;
import sh.stagehand.core.monitor.BuildMonitor;
import sh.stagehand.core.monitor.PlatformParts;
import sh.stagehand.core.project.Stage;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.time.Duration;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * What one account sees of monitoring ({@link Actions#monitoring()}): a build's resources and
 * traffic where its role has the Monitor (admins everywhere, testers but on production,
 * developers on development), production's availability where it monitors production, and the
 * platform's own parts if it administers the platform.
 */
public final class MonitorActions
{
    private final Actions actions;
    private final Account account;
    private final AccountService accounts;
    private final Services services;

    /**
     * What the actions use.
     */
    record Services(BuildMonitor monitor, ProductionWatch watch, PlatformParts parts)
    {
        Services
        {
            requireNonNull(monitor, "monitor is null");
            requireNonNull(watch, "watch is null");
            requireNonNull(parts, "parts is null");
        }
    }

    MonitorActions(Actions actions, AccountService accounts, Services services)
    {
        this.actions = requireNonNull(actions, "actions is null");
        this.account = actions.account();
        this.accounts = requireNonNull(accounts, "accounts is null");
        this.services = requireNonNull(services, "services is null");
    }

    /**
     * The build's resources and traffic over the last {@code range} (production's: its branch's,
     * across updates), with the branch's events as annotations.
     */
    public BuildMonitor.Series build(long buildId, Duration range)
    {
        return services.monitor().series(actions.buildWith(buildId, Tool.MONITOR), range);
    }

    /**
     * The availability of the project's production, as the platform's probes found it.
     */
    public ProductionWatch.Status production(String projectId)
    {
        accounts.requireTool(account, projectId, Stage.PRODUCTION, Tool.MONITOR);
        return services.watch().status(projectId);
    }

    /**
     * Whether the platform's own parts answer.
     */
    public List<PlatformParts.Part> platform()
    {
        if (!account.platformAdmin()) {
            throw new StagehandException(StandardErrorCode.PERMISSION_DENIED, "Only the platform's administrators see its parts' health");
        }
        return services.parts().check();
    }
}
