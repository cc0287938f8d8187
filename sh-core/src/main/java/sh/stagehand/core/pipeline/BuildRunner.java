package sh.stagehand.core.pipeline;

import sh.stagehand.core.build.Build;

/**
 * Takes a build the scheduler claimed (state {@code BUILDING}) to its end state. Must not throw
 * for a failed build: it records the failure on the build.
 */
@FunctionalInterface
public interface BuildRunner
{
    void run(Build claimed);
}
