package sh.stagehand.core;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.core.access.Account;
import sh.stagehand.core.access.AccountService;
import sh.stagehand.core.access.AuditAction;
import sh.stagehand.core.build.BuildNames;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.config.ConfigKey;
import sh.stagehand.spi.config.ConfigType;
import sh.stagehand.spi.database.DatabaseProvider;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * Write access for psql in production's shells, which reads only otherwise
 * ({@link DatabaseProvider#reader}): allowed by a project's admin for a while, at most
 * {@link #MAX_GRANT}, audited when it is allowed and when it ends (revoked, expired, or the
 * platform restarted: a grant does not outlive the process that counts its time, so every
 * production's reader is made read-only again at start). Thread-safe.
 */
public final class ProductionWrites
        implements AutoCloseable
{
    public static final ConfigKey<Duration> MAX_GRANT = ConfigKey.of("shell.max-write-grant", ConfigType.duration(), "1h",
            "the longest an admin may let psql write in production's shells at once");

    private static final Logger log = LoggerFactory.getLogger(ProductionWrites.class);

    private final DatabaseProvider databases;
    private final AccountService accounts;
    private final Duration maxGrant;
    private final Clock clock;
    private final Map<String, Grant> grants = new ConcurrentHashMap<>();
    private final ScheduledExecutorService expiry = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "stagehand-production-writes");
        thread.setDaemon(true);
        return thread;
    });

    private record Grant(Account by, Instant until, ScheduledFuture<?> end) {}

    public ProductionWrites(DatabaseProvider databases, AccountService accounts, Duration maxGrant, Clock clock)
    {
        this.databases = requireNonNull(databases, "databases is null");
        this.accounts = requireNonNull(accounts, "accounts is null");
        this.maxGrant = requireNonNull(maxGrant, "maxGrant is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /**
     * Lets psql write in the project's production shells for {@code duration}, replacing a grant
     * that runs; shells open now reconnect with it at their next statement. The caller's right
     * to is checked by {@link ShellActions}.
     *
     * @return when it ends
     * @throws StagehandException {@code INVALID_ARGUMENT} for a duration over {@link #MAX_GRANT};
     *         {@code NOT_FOUND} if the project has no production database yet
     */
    public synchronized Instant allow(Account by, String projectId, Duration duration)
    {
        if (duration.isNegative() || duration.isZero() || duration.compareTo(maxGrant) > 0) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Write access is given for 1 s to " + BuildTerminals.describe(maxGrant) + " (" + MAX_GRANT.name()
                    + "); ask for e.g. 15m");
        }
        String database = BuildNames.productionDatabaseName(projectId);
        // The reader first: a production whose shells never opened has none yet.
        try {
            databases.reader(database);
        }
        catch (StagehandException e) {
            if (e.errorCode().equals(StandardErrorCode.NOT_FOUND.toErrorCode())) {
                throw new StagehandException(StandardErrorCode.CONFLICT, "Project " + projectId + " has no production database yet: allow writes once its production runs", e);
            }
            throw e;
        }
        databases.allowReaderWrites(database);
        Instant until = clock.instant().plus(duration);
        Grant previous = grants.put(projectId, new Grant(by, until, expiry.schedule(() -> expire(projectId, until), duration.toMillis(), TimeUnit.MILLISECONDS)));
        if (previous != null) {
            previous.end().cancel(false);
        }
        accounts.audit(by, projectId, AuditAction.PRODUCTION_WRITES_ALLOWED, "psql writes in production's shells for " + BuildTerminals.describe(duration) + ", until " + until);
        return until;
    }

    /**
     * Ends the project's grant now, if one runs; psql sessions open with it are ended.
     */
    public synchronized void revoke(Account by, String projectId)
    {
        // The grant goes once its end holds: a revoke that failed leaves it, with its expiry, to try again.
        databases.revokeReaderWrites(BuildNames.productionDatabaseName(projectId));
        Grant grant = grants.remove(projectId);
        if (grant != null) {
            grant.end().cancel(false);
            accounts.audit(by, projectId, AuditAction.PRODUCTION_WRITES_ENDED, "revoked by " + by.login() + " before " + grant.until());
        }
    }

    /**
     * @return when the project's grant ends, if one runs
     */
    public Optional<Instant> until(String projectId)
    {
        return Optional.ofNullable(grants.get(projectId)).map(Grant::until);
    }

    /**
     * Makes every production's psql read-only, as a platform that starts finds them: a grant
     * of a process that stopped ends with it.
     */
    public void revokeAll(Collection<String> projectIds)
    {
        for (String projectId : projectIds) {
            makeReadOnly(projectId);
        }
    }

    // Tried again every 30 s while the database server refuses: a grant must not outlive its time.
    private void makeReadOnly(String projectId)
    {
        try {
            databases.revokeReaderWrites(BuildNames.productionDatabaseName(projectId));
        }
        catch (RuntimeException e) {
            log.error("Cannot make production's psql read-only in project {} (trying again in 30 s): {}", projectId, e.getMessage());
            expiry.schedule(() -> makeReadOnly(projectId), 30, TimeUnit.SECONDS);
        }
    }

    private synchronized void expire(String projectId, Instant until)
    {
        Grant grant = grants.get(projectId);
        if (grant == null || !grant.until().equals(until)) {
            return;
        }
        try {
            databases.revokeReaderWrites(BuildNames.productionDatabaseName(projectId));
            grants.remove(projectId);
            accounts.audit(grant.by(), projectId, AuditAction.PRODUCTION_WRITES_ENDED, "expired at " + until + " (allowed by " + grant.by().login() + ")");
        }
        catch (RuntimeException e) {
            // The database server away: tried again in a few seconds, the grant still shown meanwhile.
            expiry.schedule(() -> expire(projectId, until), 5, TimeUnit.SECONDS);
        }
    }

    /**
     * Stops counting, and ends the grants that run: none outlives the platform.
     */
    @Override
    public synchronized void close()
    {
        expiry.shutdownNow();
        grants.forEach((projectId, grant) -> {
            try {
                databases.revokeReaderWrites(BuildNames.productionDatabaseName(projectId));
                accounts.audit(grant.by(), projectId, AuditAction.PRODUCTION_WRITES_ENDED, "ended by the platform's stop, before " + grant.until());
            }
            catch (RuntimeException e) {
                // The next start makes it read-only.
            }
        });
        grants.clear();
    }
}
