package sh.stagehand.core.access;

/**
 * A collaborator's role in a project, as on Odoo.sh. What each may do is {@link AccessPolicy}'s.
 */
public enum Role
{
    /** Everything, and alone the project's settings, its collaborators and its audit log. */
    ADMIN,
    /** Every tool on development and staging builds; on production only Connect, History and Status. */
    TESTER,
    /** Every tool on development builds; on staging and production only Connect, History and Status. */
    DEVELOPER,
}
