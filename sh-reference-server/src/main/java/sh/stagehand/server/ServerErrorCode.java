package sh.stagehand.server;

import sh.stagehand.spi.ErrorCode;
import sh.stagehand.spi.ErrorCodeSupplier;
import sh.stagehand.spi.ErrorType;

/**
 * Failures only the reference server knows.
 */
public enum ServerErrorCode
        implements ErrorCodeSupplier
{
    /** A request's body is larger than the server takes for it (HTTP 413). */
    CONTENT_TOO_LARGE(0x0010_0000, ErrorType.USER_ERROR),
    /**/;

    private final ErrorCode errorCode;

    ServerErrorCode(int code, ErrorType type)
    {
        this.errorCode = new ErrorCode(code, name(), type);
    }

    @Override
    public ErrorCode toErrorCode()
    {
        return errorCode;
    }
}
