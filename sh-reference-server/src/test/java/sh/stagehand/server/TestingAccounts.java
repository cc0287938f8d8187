package sh.stagehand.server;

import sh.stagehand.core.Stagehand;
import sh.stagehand.core.access.Account;
import sh.stagehand.core.access.Role;

import java.net.URI;
import java.net.http.HttpRequest;

/**
 * Accounts for the end-to-end tests: the platform's administrator, and collaborators in a role,
 * each with an API token the tests send as scripts do.
 */
public final class TestingAccounts
{
    static final String PASSWORD = "correct horse battery staple";

    private TestingAccounts() {}

    /**
     * @return an API token of the platform's administrator (made on the first call)
     */
    public static String adminToken(Stagehand stagehand)
    {
        stagehand.accounts().ensureAdministrator();
        return stagehand.accounts().createToken(stagehand.accounts().account("admin"), "tests").secret();
    }

    /**
     * Creates an account ({@link #PASSWORD}) with that role in the project.
     */
    static Account collaborator(Stagehand stagehand, String login, String projectId, Role role)
    {
        stagehand.accounts().ensureAdministrator();
        Account admin = stagehand.accounts().account("admin");
        Account account = stagehand.accounts().createAccount(admin, login, login, PASSWORD, false);
        stagehand.accounts().setRole(admin, projectId, login, role);
        return account;
    }

    static String token(Stagehand stagehand, Account account)
    {
        return stagehand.accounts().createToken(account, "tests").secret();
    }

    /**
     * A request as a script sends it, with its token.
     */
    static HttpRequest.Builder authorized(String token, URI uri)
    {
        return HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token);
    }
}
