package sh.stagehand.core.odoo;

import static java.util.Objects.requireNonNull;

/**
 * An addon found in a checked-out repository by {@link AddonScanner}.
 *
 * @param name the technical name: the directory's name
 * @param relativePath the directory, relative to the repository root, with '/' separators, e.g.
 *         {@code sale_custom} or {@code oca-web/web_responsive}
 * @param inSubmodule whether the directory belongs to a git submodule (one the checkout reported)
 * @param manifest its parsed {@code __manifest__.py}
 */
public record Addon(String name, String relativePath, boolean inSubmodule, Manifest manifest)
{
    public Addon
    {
        ModuleNames.requireValid(name);
        requireNonNull(relativePath, "relativePath is null");
        requireNonNull(manifest, "manifest is null");
        if (!relativePath.equals(name) && !relativePath.endsWith("/" + name)) {
            throw new IllegalArgumentException("relativePath " + relativePath + " does not end with the addon name " + name);
        }
        if (!manifest.addonName().equals(name)) {
            throw new IllegalArgumentException("manifest of " + manifest.addonName() + " given for addon " + name);
        }
    }

    /**
     * The addons directory holding this addon, relative to the repository root: "" for the root itself.
     */
    public String addonsDirectory()
    {
        return relativePath.equals(name) ? "" : relativePath.substring(0, relativePath.length() - name.length() - 1);
    }
}
