package sh.stagehand.core.pipeline;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.config.PlatformSettings;
import sh.stagehand.core.project.Project;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.vcs.CommitStatus;
import sh.stagehand.spi.vcs.VcsProvider;

import java.net.URI;
import java.util.Locale;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Shows builds beside their commits on the code host. A status that cannot be reported never
 * fails a build: a repository on a plain git server takes none, and a host that is down now
 * gets the next one. Thread-safe.
 */
@Singleton
public final class CommitStatuses
{
    private static final Logger log = LoggerFactory.getLogger(CommitStatuses.class);

    private final VcsProvider vcs;
    private final PlatformSettings settings;

    @Inject
    public CommitStatuses(VcsProvider vcs, PlatformSettings settings)
    {
        this.vcs = requireNonNull(vcs, "vcs is null");
        this.settings = requireNonNull(settings, "settings is null");
    }

    public void report(Project project, Build build, CommitStatus.State state, String description)
    {
        try {
            CommitStatus status = new CommitStatus(state, "stagehand/" + build.stage().name().toLowerCase(Locale.ROOT), description,
                    Optional.of(URI.create(settings.publicUrl().replaceAll("/+$", "") + "/api/builds/" + build.id())));
            vcs.reportStatus(project.repository(), build.commitId(), status);
        }
        catch (StagehandException e) {
            if (e.errorCode().equals(StandardErrorCode.NOT_SUPPORTED.toErrorCode())) {
                log.debug("No commit status for {}: {}", project, e.getMessage());
            }
            else {
                log.warn("Cannot report {} for build {} of {}: {}", state, build.id(), project, e.getMessage());
            }
        }
        catch (RuntimeException e) {
            log.warn("Cannot report {} for build {} of {}", state, build.id(), project, e);
        }
    }
}
