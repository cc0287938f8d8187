package sh.stagehand.server.http;

import io.javalin.http.Context;
import sh.stagehand.core.Stagehand;
import sh.stagehand.core.routing.HostRouter;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The API's answer to whether the platform answers for a host name: Caddy's on-demand TLS asks it
 * before getting a certificate. Thread-safe.
 */
final class HostRoutes
{
    private final Stagehand stagehand;

    HostRoutes(Stagehand stagehand)
    {
        this.stagehand = requireNonNull(stagehand, "stagehand is null");
    }

    void register(RouteTable routes)
    {
        routes.get("/api/hosts", this::host);
    }

    private void host(Context context)
    {
        String domain = context.queryParam("domain");
        if (domain == null || domain.isBlank()) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Query parameter 'domain' is missing; send ?domain=www.example.com");
        }
        if (!stagehand.hosts().answers(domain)) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "The platform does not answer for " + domain + ": no branch has it as a custom domain and no running build has that name");
        }
        // Asked without credentials: where it goes, not what is there.
        Optional<HostRouter.Route> route = stagehand.hosts().route(domain);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("domain", domain);
        body.put("route", route.map(found -> found.kind().name()).orElse("NOTHING"));
        context.json(body);
    }
}
