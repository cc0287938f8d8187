package sh.stagehand.server.http;

import io.javalin.config.JavalinConfig;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import sh.stagehand.core.routing.HostRouter;

import java.util.EnumSet;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * The browser's protections for the platform's own pages, API and git (the console), never for
 * what a build's host name answers, which is Odoo's own:
 * <ul>
 * <li>a Content-Security-Policy that lets the pages load only their own files (one script
 *     module, one style sheet) and talk only to their own origin: no inline script, no plugin, no
 *     {@code <base>}, forms posted nowhere else. Styles may be inline and images {@code data:}
 *     because a caught mail is shown in a sandboxed {@code srcdoc} frame, which inherits the page's
 *     policy, and mail is styled inline; a mail's remote images stay blocked, as a careful mail
 *     client blocks them (no request leaves for wherever a tenant's mail points);</li>
 * <li>{@code frame-ancestors 'none'} and {@code X-Frame-Options: DENY}: no other site, a build
 *     included, frames the console to trick a click out of its user;</li>
 * <li>{@code X-Content-Type-Options: nosniff}: a log or a download is never run as a script or
 *     page;</li>
 * <li>{@code Referrer-Policy: no-referrer}: a link in a caught mail or a log takes no console
 *     address with it;</li>
 * <li>{@code Cross-Origin-Opener-Policy: same-origin}: a build opened from the console cannot
 *     reach back into the console's window.</li>
 * </ul>
 * A servlet filter, so that every answer of the console has them, Javalin's and the git
 * servlet's, errors included. Thread-safe.
 */
public final class ConsoleHeaders
{
    public static final String CONTENT_SECURITY_POLICY = String.join("; ",
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "frame-src 'self'",
            "form-action 'self'",
            "base-uri 'none'",
            "object-src 'none'",
            "frame-ancestors 'none'");

    static final Map<String, String> HEADERS = Map.of(
            "Content-Security-Policy", CONTENT_SECURITY_POLICY,
            "X-Frame-Options", "DENY",
            "X-Content-Type-Options", "nosniff",
            "Referrer-Policy", "no-referrer",
            "Cross-Origin-Opener-Policy", "same-origin");

    private final HostRouter hosts;

    public ConsoleHeaders(HostRouter hosts)
    {
        this.hosts = requireNonNull(hosts, "hosts is null");
    }

    public void register(JavalinConfig config)
    {
        config.jetty.modifyServletContextHandler(handler -> handler.addFilter(new FilterHolder((Filter) (request, response, chain) -> {
            String host = ((HttpServletRequest) request).getHeader("Host");
            // A build's host name is the build's: its answers are left as Odoo wrote them.
            if (host == null || hosts.route(host).isEmpty()) {
                HEADERS.forEach(((HttpServletResponse) response)::setHeader);
            }
            chain.doFilter(request, response);
        }), "/*", EnumSet.of(DispatcherType.REQUEST)));
    }
}
