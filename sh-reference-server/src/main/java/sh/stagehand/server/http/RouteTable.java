package sh.stagehand.server.http;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Handler;
import io.javalin.http.sse.SseClient;
import io.javalin.websocket.WsConfig;

import java.util.List;
import java.util.function.Consumer;

import static java.util.Objects.requireNonNull;

/**
 * The API's routes, each registered with Javalin and recorded, {@code "GET /api/projects/{project}"}:
 * what the OpenAPI document must describe. Not thread-safe: routes are registered once, at start.
 */
final class RouteTable
{
    private final JavalinConfig config;
    private final List<String> routes;

    /**
     * @param routes where each route is recorded as it is registered
     */
    RouteTable(JavalinConfig config, List<String> routes)
    {
        this.config = requireNonNull(config, "config is null");
        this.routes = requireNonNull(routes, "routes is null");
    }

    void get(String path, Handler handler)
    {
        config.routes.get(path, handler);
        routes.add("GET " + path);
    }

    void post(String path, Handler handler)
    {
        config.routes.post(path, handler);
        routes.add("POST " + path);
    }

    void delete(String path, Handler handler)
    {
        config.routes.delete(path, handler);
        routes.add("DELETE " + path);
    }

    void put(String path, Handler handler)
    {
        config.routes.put(path, handler);
        routes.add("PUT " + path);
    }

    /**
     * A websocket: {@code beforeUpgrade} may refuse the upgrade ({@link WebsocketRelay#refuse}).
     */
    void ws(String path, Handler beforeUpgrade, Consumer<WsConfig> ws)
    {
        config.routes.wsBeforeUpgrade(path, beforeUpgrade);
        config.routes.ws(path, ws);
        routes.add("GET " + path);
    }

    void sse(String path, Consumer<SseClient> client)
    {
        config.routes.sse(path, client);
        routes.add("GET " + path);
    }
}
