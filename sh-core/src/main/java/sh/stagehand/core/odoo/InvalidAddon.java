package sh.stagehand.core.odoo;

import sh.stagehand.spi.ErrorCode;

import static java.util.Objects.requireNonNull;

/**
 * A directory that holds a {@code __manifest__.py} the platform cannot use: a manifest Odoo could
 * not read, a directory name that is not a module name, a manifest that is a symbolic link. The
 * scan of the rest of the repository goes on; a build that would install it fails, naming it.
 *
 * @param name the directory's name, the module name it would have
 * @param relativePath the directory, relative to the repository root, with '/' separators
 * @param inSubmodule whether the directory belongs to a git submodule
 * @param errorCode what kind of problem it is, e.g. {@link OdooErrorCode#INVALID_MANIFEST}
 * @param problem what is wrong and how to fix it, naming the file (and the line, for a manifest)
 * @param odooRefuses whether Odoo itself cannot load the manifest (see
 *         {@link OdooRefusesManifestException}): then Odoo 17 creates no database on an addons path
 *         holding it, whether or not the module is installed
 */
public record InvalidAddon(String name, String relativePath, boolean inSubmodule, ErrorCode errorCode, String problem, boolean odooRefuses)
{
    public InvalidAddon
    {
        requireNonNull(name, "name is null");
        requireNonNull(relativePath, "relativePath is null");
        requireNonNull(errorCode, "errorCode is null");
        requireNonNull(problem, "problem is null");
    }
}
