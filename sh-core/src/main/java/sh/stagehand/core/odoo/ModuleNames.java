package sh.stagehand.core.odoo;

import sh.stagehand.spi.StagehandException;

import java.util.regex.Pattern;

/**
 * The rule for module names the platform accepts: lower-case letters, digits and '_', as every
 * Odoo and OCA module is named. A name that follows it is safe in a command line and in an
 * {@code odoo.addons.<name>} import.
 *
 * <p>Thread-safe: it holds no state.
 */
public final class ModuleNames
{
    private static final Pattern VALID = Pattern.compile("[a-z0-9_]+");

    private ModuleNames() {}

    public static boolean isValid(String name)
    {
        return name != null && VALID.matcher(name).matches();
    }

    /**
     * @return {@code name}
     * @throws StagehandException {@link OdooErrorCode#INVALID_MODULE_NAME} saying what is wrong
     */
    public static String requireValid(String name)
    {
        if (name == null || name.isEmpty()) {
            throw new StagehandException(OdooErrorCode.INVALID_MODULE_NAME, "Module name is empty: give the technical name of a module, made of lower-case letters, digits and '_', such as sale_management");
        }
        if (!VALID.matcher(name).matches()) {
            throw new StagehandException(OdooErrorCode.INVALID_MODULE_NAME,
                    "Module name '" + name + "' is not valid: use the technical name (the addon's directory name), made of lower-case letters, digits and '_', such as sale_management");
        }
        return name;
    }
}
