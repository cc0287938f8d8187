package sh.stagehand.core.config;

import sh.stagehand.spi.ErrorCode;
import sh.stagehand.spi.ErrorCodeSupplier;
import sh.stagehand.spi.ErrorType;

/**
 * Failures only sh-core knows.
 */
public enum CoreErrorCode
        implements ErrorCodeSupplier
{
    /** No factory of the configured name is bound for a provider kind. */
    UNKNOWN_PROVIDER(0x0001_0000, ErrorType.USER_ERROR),
    /** Two plugins contribute factories of the same name for one provider kind. */
    DUPLICATE_PROVIDER(0x0001_0001, ErrorType.USER_ERROR),
    /**/;

    private final ErrorCode errorCode;

    CoreErrorCode(int code, ErrorType type)
    {
        this.errorCode = new ErrorCode(code, name(), type);
    }

    @Override
    public ErrorCode toErrorCode()
    {
        return errorCode;
    }
}
