package sh.stagehand.server.http;

import io.javalin.Javalin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildState;
import sh.stagehand.core.config.PlatformSettings;
import sh.stagehand.core.config.StagehandConfig;
import sh.stagehand.core.monitor.BuildTraffic;
import sh.stagehand.core.pipeline.SleepingBuilds;
import sh.stagehand.core.project.Branch;
import sh.stagehand.core.project.Project;
import sh.stagehand.core.project.Stage;
import sh.stagehand.core.routing.HostRouter;
import sh.stagehand.core.store.InMemoryPlatformStore;
import sh.stagehand.testkit.TestingWebSocket;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A build is its tenant's code: whatever a browser or git sends through a build's host name, the
 * build must receive none of the platform's credentials, and its answers must not set the
 * platform's session cookie. The proxy and the websocket relay, as the reference server composes
 * them, in front of a small server standing in for the build (it records every header it gets).
 */
class BuildProxyCredentialsIT
{
    private static final String SESSION = "platform-session-secret";
    private static final String CSRF = "platform-csrf-secret";
    private static final String TOKEN = "sht_0123456789ab_platformTokenSecretValue0123456789abcdefgh";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static final LinkedBlockingQueue<List<String>> seen = new LinkedBlockingQueue<>();
    private static Javalin build;
    private static Javalin platform;
    private static String hostname;

    @BeforeAll
    static void start()
    {
        // The stand-in build: it records each request's headers, answers with cookies of its own
        // and of the platform's name, and echoes websocket messages.
        build = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.jetty.host = "127.0.0.1";
            config.jetty.port = 0;
            config.routes.before(context -> seen.add(headers(context.req())));
            config.routes.get("/web/login", context -> {
                context.res().addHeader("Set-Cookie", "stagehand_session=planted-by-the-build; Path=/");
                context.res().addHeader("Set-Cookie", "__Host-stagehand_session=planted-by-the-build; Path=/; Secure");
                context.res().addHeader("Set-Cookie", "session_id=odoo-session; Path=/; HttpOnly");
                context.res().addHeader("Clear-Site-Data", "\"cookies\"");
                context.result("Odoo's login page");
            });
            config.routes.wsBeforeUpgrade("/websocket", context -> seen.add(headers(context.req())));
            config.routes.ws("/websocket", ws -> ws.onMessage(context -> context.send(context.message())));
        }).start();

        InMemoryPlatformStore store = new InMemoryPlatformStore();
        Instant now = Instant.now();
        store.createProject(new Project("acme", "https://example.com/acme.git", Optional.empty(), "webhook", now));
        store.saveBranch(Branch.development("acme", "main"));
        Build created = store.createBuild("acme", "main", "0".repeat(40), Stage.DEVELOPMENT, "stagehand.localhost", "smtp", now);
        store.updateBuild(created.withState(BuildState.RUNNING, "serving").withContainer(Optional.of("stand-in"), Optional.of(build.port())));
        hostname = store.findBuild(created.id()).orElseThrow().hostname();
        HostRouter hosts = new HostRouter(store, store, PlatformSettings.fromConfig(new StagehandConfig(Map.of())), Clock.systemUTC());

        ClientAddress clientAddress = ClientAddress.trusting(List.of());
        platform = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.jetty.host = "127.0.0.1";
            config.jetty.port = 0;
            new BuildProxy(hosts, new BuildTraffic(), SleepingBuilds.none(), build -> Optional.empty(), clientAddress).register(config);
            new WebsocketRelay(hosts, clientAddress).register(config);
            new ConsoleHeaders(hosts).register(config);
        }).start();
    }

    @AfterAll
    static void stop()
    {
        if (platform != null) {
            platform.stop();
        }
        if (build != null) {
            build.stop();
        }
    }

    @Test
    void testTheBuildReceivesNoneOfThePlatformsCredentials()
            throws Exception
    {
        String basic = Base64.getEncoder().encodeToString(("admin:" + TOKEN).getBytes(StandardCharsets.UTF_8));
        List<String> platformAuthorizations = List.of(
                "Bearer " + TOKEN,
                "bearer    " + TOKEN,
                "Basic " + basic,
                "  bAsIc   " + basic.replace("=", "") + "  ",
                "Basic " + Base64.getEncoder().encodeToString((TOKEN + ":x-oauth-basic").getBytes(StandardCharsets.UTF_8)),
                "token " + TOKEN);
        for (String authorization : platformAuthorizations) {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + platform.port() + "/web/login"))
                    .header("Host", hostname)
                    .header("Authorization", authorization)
                    .header("Cookie", "stagehand_session=" + SESSION + "; session_id=odoo-session; __Host-stagehand_session=" + SESSION)
                    .header("Cookie", " STAGEHAND_SESSION = " + SESSION)
                    .header("X-CSRF-Token", CSRF)
                    .header("x-csrf-token", CSRF)
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.body()).isEqualTo("Odoo's login page");
            List<String> received = seen.poll(10, TimeUnit.SECONDS);
            assertThat(received).as("what the build received for " + authorization.strip().split("\\s+")[0])
                    .noneSatisfy(header -> assertThat(header).containsAnyOf(SESSION, CSRF, TOKEN, basic.replace("=", ""), "sht_"))
                    .noneSatisfy(header -> assertThat(header).startsWithIgnoringCase("authorization:"))
                    .noneSatisfy(header -> assertThat(header).startsWithIgnoringCase("x-csrf-token:"))
                    .anySatisfy(header -> assertThat(header).isEqualToIgnoringCase("cookie: session_id=odoo-session"));
            // A build cannot set (or clear) the platform's session in the browser; its own cookies pass.
            assertThat(response.headers().allValues("Set-Cookie")).as("cookies the build set, as the browser gets them")
                    .containsExactly("session_id=odoo-session; Path=/; HttpOnly");
            assertThat(response.headers().firstValue("Clear-Site-Data")).as("which would clear the platform's session too").isEmpty();
            // A build's answer is Odoo's own: none of the console's headers are added to it.
            assertThat(response.headers().firstValue("Content-Security-Policy")).isEmpty();
        }

        // The build's own HTTP Basic credentials reach it.
        String own = "Basic " + Base64.getEncoder().encodeToString("portal:its-own-password".getBytes(StandardCharsets.UTF_8));
        HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + platform.port() + "/web/login")).header("Host", hostname).header("Authorization", own).build(),
                HttpResponse.BodyHandlers.discarding());
        assertThat(seen.poll(10, TimeUnit.SECONDS)).containsOnlyOnce("authorization: " + own);
    }

    @Test
    void testTheBuildsWebsocketReceivesNoneOfThePlatformsCredentials()
            throws Exception
    {
        try (TestingWebSocket socket = TestingWebSocket.connect(URI.create("ws://127.0.0.1:" + platform.port() + "/websocket"), Map.of(
                "Host", hostname,
                "Origin", "http://" + hostname,
                "Authorization", "Basic " + Base64.getEncoder().encodeToString(("admin:" + TOKEN).getBytes(StandardCharsets.UTF_8)),
                "Cookie", "__Host-stagehand_session=" + SESSION + "; session_id=odoo-session",
                "X-CSRF-Token", CSRF))) {
            socket.send("hello");
            assertThat(socket.awaitText(Duration.ofSeconds(10))).isEqualTo("hello");
        }
        List<String> received = seen.poll(10, TimeUnit.SECONDS);
        assertThat(received).as("what the build's websocket upgrade received")
                .noneSatisfy(header -> assertThat(header).containsAnyOf(SESSION, CSRF, TOKEN, "sht_"))
                .noneSatisfy(header -> assertThat(header).startsWithIgnoringCase("authorization:"))
                .anySatisfy(header -> assertThat(header).isEqualToIgnoringCase("cookie: session_id=odoo-session"));
        try (TestingWebSocket socket = TestingWebSocket.connect(URI.create("ws://127.0.0.1:" + platform.port() + "/websocket"), Map.of(
                "Host", hostname,
                "Origin", "http://" + hostname,
                "Authorization", "Bearer " + TOKEN))) {
            socket.send("again");
            assertThat(socket.awaitText(Duration.ofSeconds(10))).isEqualTo("again");
        }
        assertThat(seen.poll(10, TimeUnit.SECONDS)).noneSatisfy(header -> assertThat(header).containsAnyOf(TOKEN, "sht_"));
    }

    private static List<String> headers(jakarta.servlet.http.HttpServletRequest request)
    {
        List<String> headers = new ArrayList<>();
        for (String name : Collections.list(request.getHeaderNames())) {
            for (String value : Collections.list(request.getHeaders(name))) {
                headers.add(name.toLowerCase(java.util.Locale.ROOT) + ": " + value);
            }
        }
        return headers;
    }
}
