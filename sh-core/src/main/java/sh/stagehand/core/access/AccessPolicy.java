package sh.stagehand.core.access;

import sh.stagehand.core.project.Stage;

import java.util.EnumSet;
import java.util.Set;

/**
 * Odoo.sh's access rules, as a table: which {@link Tool}s each {@link Role} has on each
 * {@link Stage}'s branches, and which roles manage the project itself.
 *
 * <table>
 * <caption>Tools by role and stage</caption>
 * <tr><th></th><th>development</th><th>staging</th><th>production</th></tr>
 * <tr><td>admin</td><td>all</td><td>all</td><td>all</td></tr>
 * <tr><td>tester</td><td>all</td><td>all</td><td>connect, history, status</td></tr>
 * <tr><td>developer</td><td>all</td><td>connect, history, status</td><td>connect, history, status</td></tr>
 * </table>
 * Backups are production's, so {@link Tool#BACKUPS} on production is an admin's alone; on another
 * stage it is importing a database into the branch. The project's settings, collaborators and audit
 * log are an admin's alone.
 */
public final class AccessPolicy
{
    private static final Set<Tool> LOOK = EnumSet.of(Tool.CONNECT, Tool.HISTORY, Tool.STATUS);
    private static final Set<Tool> ALL = EnumSet.allOf(Tool.class);

    private AccessPolicy() {}

    /**
     * @return the tools a role has on the builds of a branch in that stage
     */
    public static Set<Tool> tools(Role role, Stage stage)
    {
        boolean everything = switch (role) {
            case ADMIN -> true;
            case TESTER -> stage != Stage.PRODUCTION;
            case DEVELOPER -> stage == Stage.DEVELOPMENT;
        };
        return EnumSet.copyOf(everything ? ALL : LOOK);
    }

    public static boolean allows(Role role, Stage stage, Tool tool)
    {
        return tools(role, stage).contains(tool);
    }

    /**
     * @return whether the role manages the project: its settings, collaborators and audit log
     */
    public static boolean managesProject(Role role)
    {
        return role == Role.ADMIN;
    }
}
