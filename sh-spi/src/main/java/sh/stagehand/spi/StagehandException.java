package sh.stagehand.spi;

import static java.util.Objects.requireNonNull;

/**
 * The one unchecked exception of Stagehand. Its message says what was asked, what went wrong
 * and what to do; its {@link #errorCode()} lets a caller react without parsing the message.
 */
public class StagehandException
        extends RuntimeException
{
    private final ErrorCode errorCode;

    public StagehandException(ErrorCodeSupplier errorCode, String message)
    {
        this(errorCode, message, null);
    }

    public StagehandException(ErrorCodeSupplier errorCode, String message, Throwable cause)
    {
        super(requireNonNull(message, "message is null"), cause);
        this.errorCode = requireNonNull(errorCode, "errorCode is null").toErrorCode();
    }

    public ErrorCode errorCode()
    {
        return errorCode;
    }

    /**
     * Restores the interrupt flag and wraps the interruption, for code that waits on a real part.
     */
    public static StagehandException interrupted(String whatWasAwaited, InterruptedException cause)
    {
        Thread.currentThread().interrupt();
        return new StagehandException(StandardErrorCode.INTERRUPTED, "Interrupted while " + whatWasAwaited, cause);
    }

    @Override
    public String toString()
    {
        return getClass().getName() + " [" + errorCode + "]: " + getMessage();
    }
}
