package sh.stagehand.github.internal;

import sh.stagehand.spi.StagehandException;

import java.io.IOException;

import static java.util.Objects.requireNonNull;

/**
 * A connection the {@link RepositoryUrlPolicy} refused on the way (a redirect, an address that
 * changed since it was checked), carried through JGit's I/O exceptions to the caller.
 */
public final class RefusedConnectionException
        extends IOException
{
    private final transient StagehandException refusal;

    public RefusedConnectionException(StagehandException refusal)
    {
        super(requireNonNull(refusal, "refusal is null").getMessage(), refusal);
        this.refusal = refusal;
    }

    public StagehandException refusal()
    {
        return refusal;
    }
}
