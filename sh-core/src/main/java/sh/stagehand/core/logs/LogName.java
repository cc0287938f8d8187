package sh.stagehand.core.logs;

import java.util.Locale;

/**
 * The logs a build keeps, as on Odoo.sh.
 */
public enum LogName
{
    /** The Python requirements install. */
    PIP,
    /** Installing the modules, with the tests on development. */
    INSTALL,
    /** The running server. */
    ODOO,
    /** Updating the modules on production. */
    UPDATE,
    /** Neutralizing the copy of production on staging. */
    NEUTRALIZE,
    /** Importing a database into a branch's build. */
    IMPORT,
    /** The lines typed in the build's shells, with who typed them. */
    SHELL,
    /** What the online editor did in the build: files saved, restarts, commits, with who did it. */
    EDITOR;

    public String fileName()
    {
        return name().toLowerCase(Locale.ROOT) + ".log";
    }

    public static LogName fromFileName(String fileName)
    {
        for (LogName name : values()) {
            if (name.fileName().equals(fileName) || name.name().equalsIgnoreCase(fileName)) {
                return name;
            }
        }
        throw new IllegalArgumentException("No log named " + fileName + "; logs are pip.log, install.log, odoo.log, update.log, neutralize.log, import.log, shell.log, editor.log");
    }
}
