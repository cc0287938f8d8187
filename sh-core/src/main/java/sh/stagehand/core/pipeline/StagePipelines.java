package sh.stagehand.core.pipeline;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import sh.stagehand.core.build.Build;

import static java.util.Objects.requireNonNull;

/**
 * Runs each build through its stage's pipeline, the stage the branch had when the build was
 * queued.
 */
@Singleton
public final class StagePipelines
        implements BuildRunner
{
    private final DevelopmentPipeline development;
    private final StagingPipeline staging;
    private final ProductionPipeline production;

    @Inject
    public StagePipelines(DevelopmentPipeline development, StagingPipeline staging, ProductionPipeline production)
    {
        this.development = requireNonNull(development, "development is null");
        this.staging = requireNonNull(staging, "staging is null");
        this.production = requireNonNull(production, "production is null");
    }

    @Override
    public void run(Build claimed)
    {
        switch (claimed.stage()) {
            case DEVELOPMENT -> development.run(claimed);
            case STAGING -> staging.run(claimed);
            case PRODUCTION -> production.run(claimed);
        }
    }
}
