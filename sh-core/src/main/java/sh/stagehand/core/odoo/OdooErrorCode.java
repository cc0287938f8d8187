package sh.stagehand.core.odoo;

import sh.stagehand.spi.ErrorCode;
import sh.stagehand.spi.ErrorCodeSupplier;
import sh.stagehand.spi.ErrorType;

/**
 * Failures of the Odoo knowledge in sh-core: almost all of them are mistakes in a customer's
 * repository or branch settings, which the customer fixes.
 */
public enum OdooErrorCode
        implements ErrorCodeSupplier
{
    /** A {@code __manifest__.py} is not a Python dict literal, or one of its keys has the wrong type or value. */
    INVALID_MANIFEST(0x0001_0100, ErrorType.USER_ERROR),
    /** A module asked for (branch setting) is not among the addons of the repository. */
    UNKNOWN_MODULE(0x0001_0101, ErrorType.USER_ERROR),
    /** Two addons of one repository have the same name, so which one Odoo loads would depend on the addons path. */
    DUPLICATE_MODULE(0x0001_0102, ErrorType.USER_ERROR),
    /** A module name is not lower-case letters, digits and '_'. */
    INVALID_MODULE_NAME(0x0001_0103, ErrorType.USER_ERROR),
    /** A {@code --test-tags} specification does not follow {@code [-][tag][/module][:class][.method]}. */
    INVALID_TEST_TAGS(0x0001_0104, ErrorType.USER_ERROR),
    /** The checked-out repository holds something the platform refuses, such as a symbolic link where a file must be. */
    INVALID_WORKSPACE(0x0001_0105, ErrorType.USER_ERROR),
    /** The checked-out repository cannot be read from the disk. */
    UNREADABLE_WORKSPACE(0x0001_0106, ErrorType.EXTERNAL),
    /** A module asked for (branch setting) exists but its manifest says {@code 'installable': False}. */
    UNINSTALLABLE_MODULE(0x0001_0107, ErrorType.USER_ERROR),
    /**/;

    private final ErrorCode errorCode;

    OdooErrorCode(int code, ErrorType type)
    {
        this.errorCode = new ErrorCode(code, name(), type);
    }

    @Override
    public ErrorCode toErrorCode()
    {
        return errorCode;
    }
}
