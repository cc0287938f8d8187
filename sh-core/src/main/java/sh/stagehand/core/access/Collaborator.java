package sh.stagehand.core.access;

import static java.util.Objects.requireNonNull;

/**
 * An account's role in a project.
 */
public record Collaborator(String projectId, String login, Role role)
{
    public Collaborator
    {
        requireNonNull(projectId, "projectId is null");
        requireNonNull(login, "login is null");
        requireNonNull(role, "role is null");
    }
}
