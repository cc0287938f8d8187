package sh.stagehand.server.http;

import io.javalin.http.Context;
import sh.stagehand.core.Actions;
import sh.stagehand.core.ProductionWatch;
import sh.stagehand.core.Stagehand;
import sh.stagehand.core.monitor.PlatformParts;
import sh.stagehand.core.store.UptimeHour;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * The API's status: a production's availability (its probes, hour by hour, and its uptime over
 * 24 hours, 7 and 30 days), and the platform's own parts. Thread-safe.
 */
final class StatusRoutes
{
    private final Stagehand stagehand;

    StatusRoutes(Stagehand stagehand)
    {
        this.stagehand = requireNonNull(stagehand, "stagehand is null");
    }

    void register(RouteTable routes)
    {
        routes.get("/api/projects/{project}/production/status", context -> context.json(status(actions(context).monitoring().production(context.pathParam("project")))));
        routes.get("/api/platform/status", context -> context.json(actions(context).monitoring().platform().stream().map(StatusRoutes::part).toList()));
    }

    record HourView(String hour, int up, int down, int maintenance) {}

    /**
     * @param uptime by range ({@code 24h}, {@code 7d}, {@code 30d}), the share of probes that found
     *        production up, maintenance left out; null without probes
     */
    record StatusView(String project, String now, String since, Map<String, Double> uptime, List<HourView> hours) {}

    record PartView(String name, boolean healthy, String detail) {}

    private static StatusView status(ProductionWatch.Status status)
    {
        Map<String, Double> uptime = new LinkedHashMap<>();
        status.uptime().forEach((range, share) -> uptime.put(name(range), share.orElse(null)));
        return new StatusView(status.projectId(), status.now().map(UptimeHour.Probe::name).orElse(null), status.since().map(Object::toString).orElse(null), uptime,
                status.hours().stream().map(hour -> new HourView(hour.hour().toString(), hour.up(), hour.down(), hour.maintenance())).toList());
    }

    private static String name(Duration range)
    {
        return range.toHours() < 48 ? range.toHours() + "h" : range.toDays() + "d";
    }

    private static PartView part(PlatformParts.Part part)
    {
        return new PartView(part.name(), part.healthy(), part.detail());
    }

    private Actions actions(Context context)
    {
        return stagehand.actingAs(Authentication.account(context));
    }
}
