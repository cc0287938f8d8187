package sh.stagehand.spi;

/**
 * Implemented by each module's error-code enum, so that {@link StagehandException} takes any of them.
 */
public interface ErrorCodeSupplier
{
    ErrorCode toErrorCode();
}
