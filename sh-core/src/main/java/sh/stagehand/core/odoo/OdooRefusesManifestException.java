package sh.stagehand.core.odoo;

import sh.stagehand.spi.StagehandException;

/**
 * A {@code __manifest__.py} Odoo itself cannot load: not a Python literal, not UTF-8, a version
 * that is not a string, auto_install triggers that are not dependencies. Odoo 17 then fails to
 * create any database on an addons path holding it (its {@code init db} reads every manifest),
 * unlike a manifest only the platform refuses (e.g. a {@code 'depends'} that is not a list), which
 * Odoo reads and fails on later, if at all. Error code {@link OdooErrorCode#INVALID_MANIFEST}.
 */
public class OdooRefusesManifestException
        extends StagehandException
{
    public OdooRefusesManifestException(String message)
    {
        super(OdooErrorCode.INVALID_MANIFEST, message);
    }

    public OdooRefusesManifestException(String message, Throwable cause)
    {
        super(OdooErrorCode.INVALID_MANIFEST, message, cause);
    }
}
