package sh.stagehand.spi;

/**
 * Error codes every provider may use. A module adds its own enum for failures only it knows.
 */
public enum StandardErrorCode
        implements ErrorCodeSupplier
{
    GENERIC_INTERNAL_ERROR(0, ErrorType.INTERNAL_ERROR),
    /** An argument is malformed: a name with characters that are not allowed, a negative size. */
    INVALID_ARGUMENT(1, ErrorType.USER_ERROR),
    /** The named thing (database, container, object, revision) does not exist. */
    NOT_FOUND(2, ErrorType.USER_ERROR),
    /** The named thing exists already and the operation would overwrite it. */
    ALREADY_EXISTS(3, ErrorType.USER_ERROR),
    /** The configuration map is wrong: an unknown provider name, a missing or malformed key. */
    INVALID_CONFIGURATION(4, ErrorType.USER_ERROR),
    /** The real part behind a provider cannot be reached: the Docker engine, PostgreSQL, a git remote. */
    PROVIDER_UNAVAILABLE(5, ErrorType.EXTERNAL),
    /** The operation did not finish within the time it was given. */
    TIMEOUT(6, ErrorType.EXTERNAL),
    /** Stored data does not match its checksum or format. */
    CORRUPT_DATA(7, ErrorType.EXTERNAL),
    /** The operation conflicts with the current state (e.g. a non-fast-forward merge). */
    CONFLICT(8, ErrorType.USER_ERROR),
    /** The operation failed inside the real part (a container could not start, SQL failed). */
    PROVIDER_ERROR(9, ErrorType.EXTERNAL),
    /** The caller is known but not allowed to do this (a missing role, a remote refusing credentials). */
    PERMISSION_DENIED(10, ErrorType.USER_ERROR),
    /** The provider does not support this operation. */
    NOT_SUPPORTED(11, ErrorType.USER_ERROR),
    /** The current thread was interrupted while waiting. */
    INTERRUPTED(12, ErrorType.EXTERNAL),
    /** The caller is not known: no credential, or a wrong, expired or revoked one (a bad webhook signature). */
    UNAUTHENTICATED(13, ErrorType.USER_ERROR),
    /** The caller asked too often (login attempts): try again later. */
    TOO_MANY_REQUESTS(14, ErrorType.USER_ERROR),
    /** The input is larger than the receiver takes (a request body, an upload): send less, or raise the limit the message names. */
    CONTENT_TOO_LARGE(15, ErrorType.USER_ERROR),
    /**/;

    private final ErrorCode errorCode;

    StandardErrorCode(int code, ErrorType type)
    {
        this.errorCode = new ErrorCode(code, name(), type);
    }

    @Override
    public ErrorCode toErrorCode()
    {
        return errorCode;
    }
}
