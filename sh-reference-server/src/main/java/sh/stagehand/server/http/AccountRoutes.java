package sh.stagehand.server.http;

import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import sh.stagehand.core.Stagehand;
import sh.stagehand.core.access.Account;
import sh.stagehand.core.access.Role;
import sh.stagehand.core.access.Session;
import sh.stagehand.core.access.SshKey;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The API's accounts: the caller's session (logging in and out), its own account (password, API
 * tokens, ssh keys), the platform's accounts, and a project's collaborators with their roles and
 * its audit log. Thread-safe.
 */
final class AccountRoutes
{
    private final Stagehand stagehand;
    private final Authentication authentication;

    AccountRoutes(Stagehand stagehand, Authentication authentication)
    {
        this.stagehand = requireNonNull(stagehand, "stagehand is null");
        this.authentication = requireNonNull(authentication, "authentication is null");
    }

    void register(RouteTable routes)
    {
        // Who asks: a session (the web pages) or a token (scripts).
        routes.post("/api/session", this::logIn);
        routes.get("/api/session", context -> context.json(accountView(context)));
        routes.delete("/api/session", context -> {
            authentication.logOut(context);
            context.status(HttpStatus.NO_CONTENT);
        });
        routes.get("/api/account", context -> context.json(accountView(context)));
        routes.put("/api/account/password", context -> {
            PasswordRequest request = context.bodyAsClass(PasswordRequest.class);
            if (request == null || request.current() == null || request.password() == null) {
                throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Send {\"current\": \"...\", \"password\": \"the new one\"}");
            }
            // Every token and every other session ends; this one goes on under a new id and CSRF token.
            var session = authentication.changePassword(context, request.current(), request.password());
            context.json(Views.account(session.account(), stagehand.accounts().roles(session.account()), session.csrfToken()));
        });
        routes.put("/api/account/email", context -> {
            EmailRequest request = context.bodyAsClass(EmailRequest.class);
            if (request == null) {
                throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Send {\"email\": \"azure@example.com\"}, or {\"email\": null} to forget it");
            }
            // Where the platform's alerts go: a session's to change, not a token's.
            Account account = stagehand.accounts().setEmail(Authentication.requireSession(context), Optional.ofNullable(request.email()));
            context.json(Views.account(account, stagehand.accounts().roles(account), null));
        });
        routes.get("/api/account/tokens", context -> context.json(stagehand.accounts().tokens(Authentication.account(context)).stream().map(token -> Views.token(token, null)).toList()));
        routes.post("/api/account/tokens", context -> {
            NameRequest request = context.bodyAsClass(NameRequest.class);
            var issued = stagehand.accounts().createToken(Authentication.requireSession(context), request == null ? null : request.name());
            context.status(HttpStatus.CREATED).json(Views.token(issued.token(), issued.secret()));
        });
        routes.delete("/api/account/tokens/{token}", context -> context.json(Views.token(stagehand.accounts().revokeToken(Authentication.account(context), context.pathParam("token")), null)));
        routes.get("/api/account/ssh-keys", context -> context.json(stagehand.accounts().sshKeys(Authentication.account(context)).stream().map(Views::sshKey).toList()));
        routes.post("/api/account/ssh-keys", context -> {
            SshKeyRequest request = context.bodyAsClass(SshKeyRequest.class);
            if (request == null || request.github() == null && request.key() == null) {
                throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Send {\"key\": \"ssh-ed25519 AAAA... me@laptop\", \"title\": optional}, or {\"github\": \"octocat\"} to import a GitHub user's public keys");
            }
            Account account = Authentication.requireSession(context);
            List<SshKey> added = request.github() != null
                    ? stagehand.accounts().importGitHubKeys(account, request.github())
                    : List.of(stagehand.accounts().addSshKey(account, request.key(), request.title()));
            context.status(HttpStatus.CREATED).json(added.stream().map(Views::sshKey).toList());
        });
        routes.delete("/api/account/ssh-keys", context -> {
            stagehand.accounts().removeSshKey(Authentication.requireSession(context), ApiParameters.required(context, "fingerprint"));
            context.status(HttpStatus.NO_CONTENT);
        });
        routes.get("/api/accounts", context -> context.json(stagehand.accounts().accounts(Authentication.account(context)).stream()
                .map(account -> Views.account(account, Map.of(), null)).toList()));
        routes.post("/api/accounts", context -> {
            AccountRequest request = context.bodyAsClass(AccountRequest.class);
            if (request == null || request.login() == null || request.password() == null) {
                throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Send {\"login\": \"azure\", \"name\": \"Azure Interior\", \"password\": \"...\", \"platformAdmin\": false}");
            }
            Account created = stagehand.accounts().createAccount(Authentication.account(context), request.login(), request.name(), request.password(), Boolean.TRUE.equals(request.platformAdmin()));
            context.status(HttpStatus.CREATED).json(Views.account(created, Map.of(), null));
        });
        routes.get("/api/projects/{project}/collaborators", context -> context.json(stagehand.accounts().collaborators(Authentication.account(context), context.pathParam("project")).stream()
                .map(collaborator -> new Views.CollaboratorView(collaborator.login(), collaborator.role().name())).toList()));
        routes.put("/api/projects/{project}/collaborators/{login}", context -> {
            RoleRequest request = context.bodyAsClass(RoleRequest.class);
            if (request == null || request.role() == null) {
                throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Send {\"role\": \"ADMIN\"}, TESTER or DEVELOPER");
            }
            var collaborator = stagehand.accounts().setRole(Authentication.account(context), context.pathParam("project"), context.pathParam("login"), ApiParameters.enumField("role", Role.class, request.role()));
            context.json(new Views.CollaboratorView(collaborator.login(), collaborator.role().name()));
        });
        routes.delete("/api/projects/{project}/collaborators/{login}", context -> {
            stagehand.accounts().removeCollaborator(Authentication.account(context), context.pathParam("project"), context.pathParam("login"));
            context.status(HttpStatus.NO_CONTENT);
        });
        routes.get("/api/projects/{project}/audit", context -> context.json(stagehand.accounts().audit(Authentication.account(context), context.pathParam("project"), ApiParameters.limit(context))
                .stream().map(Views::audit).toList()));
    }

    private void logIn(Context context)
    {
        Authentication.requireJson(context);
        LoginRequest request = context.bodyAsClass(LoginRequest.class);
        if (request == null || request.login() == null || request.password() == null) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Send {\"login\": \"admin\", \"password\": \"...\"}");
        }
        var session = authentication.logIn(context, request.login(), request.password());
        context.json(Views.account(session.account(), stagehand.accounts().roles(session.account()), session.csrfToken()));
    }

    private Views.AccountView accountView(Context context)
    {
        Account account = Authentication.account(context);
        return Views.account(account, stagehand.accounts().roles(account), Authentication.session(context).map(Session::csrfToken).orElse(null));
    }

    record LoginRequest(String login, String password) {}

    record PasswordRequest(String current, String password) {}

    record EmailRequest(String email) {}

    record NameRequest(String name) {}

    record SshKeyRequest(String key, String title, String github) {}

    record AccountRequest(String login, String name, String password, Boolean platformAdmin) {}

    record RoleRequest(String role) {}
}
