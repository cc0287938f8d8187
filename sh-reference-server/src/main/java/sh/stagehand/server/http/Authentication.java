package sh.stagehand.server.http;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.HandlerType;
import io.javalin.http.SameSite;
import sh.stagehand.core.access.Account;
import sh.stagehand.core.access.AccountService;
import sh.stagehand.core.access.Session;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * Says who each request of the API is: a browser's session cookie, or a script's API token
 * ({@code Authorization: Bearer sht_...}). What they may do is sh-core's to decide
 * ({@link sh.stagehand.core.Actions}). A state-changing request of a browser session must
 * carry its CSRF token in {@code X-CSRF-Token}: a form another site posts with the cookie cannot.
 * Open without credentials: the health check, the OpenAPI document, the web pages' files, the
 * login itself, webhooks (their signature is their credential), {@code /api/hosts} (a TLS front
 * end asks it), and every build host name (Odoo's own login protects the build).
 */
public final class Authentication
{
    public static final String SESSION_COOKIE = "stagehand_session";
    public static final String CSRF_HEADER = "X-CSRF-Token";
    private static final java.util.regex.Pattern SHELL_SOCKET = java.util.regex.Pattern.compile("/api/builds/[0-9]+/shell/socket");
    private static final String ACCOUNT = Authentication.class.getName() + ".account";
    private static final String SESSION = Authentication.class.getName() + ".session";
    private static final Set<HandlerType> SAFE = Set.of(HandlerType.GET, HandlerType.HEAD, HandlerType.OPTIONS);
    // The platform's own request headers, which mean nothing to a build.
    private static final Set<String> PLATFORM_HEADERS = Set.of(CSRF_HEADER.toLowerCase(java.util.Locale.ROOT));
    private static final java.util.regex.Pattern BASIC = java.util.regex.Pattern.compile("\\s*basic\\s+(.*?)\\s*", java.util.regex.Pattern.CASE_INSENSITIVE | java.util.regex.Pattern.DOTALL);

    private final AccountService accounts;
    private final ClientAddress clientAddress;
    private final boolean secureCookies;
    // Over https, __Host-: a cookie no other host (a build's, under the same site) can set or overwrite.
    private final String cookieName;

    public Authentication(AccountService accounts, ClientAddress clientAddress, boolean secureCookies)
    {
        this.accounts = requireNonNull(accounts, "accounts is null");
        this.clientAddress = requireNonNull(clientAddress, "clientAddress is null");
        this.secureCookies = secureCookies;
        this.cookieName = secureCookies ? "__Host-" + SESSION_COOKIE : SESSION_COOKIE;
    }

    public void register(JavalinConfig config)
    {
        config.routes.before("/api/*", this::authenticate);
    }

    private void authenticate(Context context)
    {
        String path = context.path();
        if (path.equals("/api/openapi.yaml") || path.equals("/api/hosts") || path.equals("/api/session") && context.method() == HandlerType.POST) {
            return;
        }
        // A shell's socket: its one-time ticket is its credential (ShellRoutes), never a cookie.
        if (SHELL_SOCKET.matcher(path).matches()) {
            return;
        }
        String authorization = context.header("Authorization");
        if (authorization != null) {
            if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
                throw unauthenticated("Send Authorization: Bearer <token> with an API token (POST /api/account/tokens makes one)");
            }
            Account account = accounts.authenticateToken(authorization.substring(7).strip())
                    .orElseThrow(() -> unauthenticated("The API token is unknown or revoked; make a new one (POST /api/account/tokens, logged in)"));
            context.attribute(ACCOUNT, account);
            return;
        }
        String sessionId = context.cookie(cookieName);
        AccountService.Authenticated found = accounts.session(sessionId)
                .orElseThrow(() -> unauthenticated(sessionId == null
                        ? "Log in first: POST /api/session with {\"login\": ..., \"password\": ...}, or send Authorization: Bearer <token>"
                        : "The session ended; log in again"));
        Session session = found.session().orElseThrow();
        if (!SAFE.contains(context.method())) {
            String token = context.header(CSRF_HEADER);
            if (token == null || !MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8), session.csrfToken().getBytes(StandardCharsets.UTF_8))) {
                throw new StagehandException(StandardErrorCode.PERMISSION_DENIED, "A browser's " + context.method() + " needs the session's CSRF token in " + CSRF_HEADER
                        + " (GET /api/session gives it); a form from another site has none, so nothing was done");
            }
        }
        context.attribute(ACCOUNT, found.account());
        context.attribute(SESSION, session);
    }

    /**
     * What of a request's header may go on to a build. A build runs its customer's code, which
     * must never see the platform's credentials: the session cookie (kept out of the
     * {@code Cookie} header, the build's own cookies pass), an {@code Authorization} that carries
     * a platform token in any form ({@code Bearer sht_...}, HTTP Basic with a token as password, as
     * git sends it; any case and spacing), and the session's CSRF token.
     *
     * @return the value to send the build, or empty to send nothing
     */
    public static Optional<String> headerForBuild(String name, String value)
    {
        String lower = name.toLowerCase(java.util.Locale.ROOT);
        if (lower.equals("cookie")) {
            return cookiesForBuild(value);
        }
        if (PLATFORM_HEADERS.contains(lower) || lower.equals("authorization") && isPlatformAuthorization(value)) {
            return Optional.empty();
        }
        return Optional.ofNullable(value);
    }

    /**
     * What of a request's {@code Cookie} header may go on to a build: everything but the
     * platform's session.
     *
     * @return the header without the session cookie, or empty if nothing is left
     */
    public static Optional<String> cookiesForBuild(String cookie)
    {
        if (cookie == null) {
            return Optional.empty();
        }
        String kept = java.util.Arrays.stream(cookie.split(";"))
                .map(String::strip)
                .filter(pair -> !pair.isEmpty() && !isSessionCookie(pair.split("=", 2)[0].strip()))
                .collect(java.util.stream.Collectors.joining("; "));
        return kept.isEmpty() ? Optional.empty() : Optional.of(kept);
    }

    /**
     * Whether an {@code Authorization} header carries a platform token (an API token), not
     * credentials of the build's own: a token anywhere in it, or in the user name or password of
     * HTTP Basic.
     */
    public static boolean isPlatformAuthorization(String authorization)
    {
        if (authorization == null) {
            return false;
        }
        if (containsToken(authorization)) {
            return true;
        }
        java.util.regex.Matcher basic = BASIC.matcher(authorization);
        if (basic.matches()) {
            String encoded = basic.group(1).replaceAll("\\s+", "");
            for (java.util.Base64.Decoder decoder : List.of(java.util.Base64.getMimeDecoder(), java.util.Base64.getUrlDecoder())) {
                try {
                    if (containsToken(new String(decoder.decode(encoded), StandardCharsets.UTF_8))) {
                        return true;
                    }
                }
                catch (IllegalArgumentException e) {
                    // not this alphabet
                }
            }
        }
        return false;
    }

    // An account's API token, or the metrics' scrape token.
    private static boolean containsToken(String text)
    {
        String lower = text.toLowerCase(java.util.Locale.ROOT);
        return lower.contains(AccountService.TOKEN_PREFIX) || lower.contains(MetricsEndpoint.TOKEN_PREFIX);
    }

    /**
     * Whether a {@code Set-Cookie} from a build would set the platform's session (a build tossing
     * its own session cookie at the user's browser).
     */
    public static boolean setsSessionCookie(String setCookie)
    {
        return setCookie != null && isSessionCookie(setCookie.split("=", 2)[0].strip());
    }

    private static boolean isSessionCookie(String name)
    {
        return name.equalsIgnoreCase(SESSION_COOKIE) || name.equalsIgnoreCase("__Host-" + SESSION_COOKIE) || name.equalsIgnoreCase("__Secure-" + SESSION_COOKIE);
    }

    /**
     * @return who the request is; the authentication filter has made sure there is someone
     */
    public static Account account(Context context)
    {
        Account account = context.attribute(ACCOUNT);
        if (account == null) {
            throw unauthenticated("Log in first: POST /api/session, or send Authorization: Bearer <token>");
        }
        return account;
    }

    /**
     * For what makes or changes credentials (tokens, SSH keys, the password): a logged-in person,
     * not a token, so that a leaked token cannot make itself a successor.
     */
    public static Account requireSession(Context context)
    {
        Account account = account(context);
        if (session(context).isEmpty()) {
            throw new StagehandException(StandardErrorCode.PERMISSION_DENIED, "Tokens, SSH keys and passwords are changed logged in (POST /api/session), not with an API token");
        }
        return account;
    }

    public static Optional<Session> session(Context context)
    {
        return Optional.ofNullable(context.attribute(SESSION));
    }

    /**
     * Logs in with a password, throttled; the session goes in an HttpOnly, SameSite=Strict cookie.
     */
    public AccountService.IssuedSession logIn(Context context, String login, String password)
    {
        requireJson(context);
        AccountService.IssuedSession session = accounts.login(login, password, clientAddress(clientAddress, context));
        setSessionCookie(context, session);
        return session;
    }

    /**
     * Changes the password of the session's account: its API tokens are revoked and its other
     * sessions end; this browser goes on under a new session id (and CSRF token), in its cookie.
     */
    public AccountService.IssuedSession changePassword(Context context, String current, String next)
    {
        AccountService.IssuedSession session = accounts.changePassword(requireSession(context), current, next);
        setSessionCookie(context, session);
        return session;
    }

    private void setSessionCookie(Context context, AccountService.IssuedSession session)
    {
        Cookie cookie = new Cookie(cookieName, session.sessionId());
        cookie.setHttpOnly(true);
        cookie.setSecure(secureCookies);
        cookie.setSameSite(SameSite.STRICT);
        cookie.setPath("/");
        cookie.setMaxAge((int) Duration.between(Instant.now(), session.expiresAt()).toSeconds());
        context.cookie(cookie);
    }

    /**
     * A cross-site form cannot send JSON without the browser asking first: no login CSRF.
     */
    public static void requireJson(Context context)
    {
        if (!String.valueOf(context.contentType()).startsWith("application/json")) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Send the login as JSON: {\"login\": ..., \"password\": ...} with Content-Type: application/json");
        }
    }

    public void logOut(Context context)
    {
        accounts.logout(context.cookie(cookieName));
        Cookie cookie = new Cookie(cookieName, "");
        cookie.setHttpOnly(true);
        cookie.setSecure(secureCookies);
        cookie.setSameSite(SameSite.STRICT);
        cookie.setPath("/");
        cookie.setMaxAge(0);
        context.cookie(cookie);
    }

    /**
     * @return where the request comes from: its peer, or behind a trusted proxy the client it names
     */
    public static String clientAddress(ClientAddress clientAddress, Context context)
    {
        return clientAddress.of(context.req().getRemoteAddr(), java.util.Collections.list(context.req().getHeaders("X-Forwarded-For")));
    }

    private static StagehandException unauthenticated(String message)
    {
        return new StagehandException(StandardErrorCode.UNAUTHENTICATED, message);
    }
}
