package sh.stagehand.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import sh.stagehand.core.Stagehand;
import sh.stagehand.testkit.TestingDocker;
import sh.stagehand.testkit.TestingPostgres;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A hostile tenant against the accounts and the console, through HTTP as a browser or a script
 * talks to the reference server: guessing a user's password from one address (or from many,
 * behind the platform's proxy) never locks the user out of another; a password change ends the
 * tokens and sessions made with the old one; the console's pages carry the browser's protections.
 * The server trusts 127.0.0.2 as its reverse proxy: connections from there stand for clients at the
 * addresses their {@code X-Forwarded-For} names, those from 127.0.0.1 for themselves.
 */
class AccountsAndConsoleIT
{
    @RegisterExtension
    static final TestingPostgres postgres = new TestingPostgres();
    @RegisterExtension
    static final TestingDocker docker = new TestingDocker();

    private static final String PROXY = "127.0.0.2";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String METADATA_DATABASE = "meta_" + UUID.randomUUID().toString().substring(0, 8);

    private static Path dataDirectory;
    private static Stagehand stagehand;
    private static ReferenceServer server;

    @BeforeAll
    static void startServer()
            throws IOException
    {
        dataDirectory = Files.createTempDirectory("stagehand-accounts-it");
        Map<String, String> properties = TestingPlatform.properties("accounts-it", dataDirectory, METADATA_DATABASE, postgres, docker);
        properties.put("http.trusted-proxies", PROXY);
        stagehand = Main.platform(properties).build();
        server = new ReferenceServer(stagehand, ServerConfig.fromMap(properties)).start();
        stagehand.accounts().ensureAdministrator();
    }

    @AfterAll
    static void stopServer()
    {
        if (server != null) {
            server.close();
        }
        if (stagehand != null) {
            stagehand.close();
        }
        postgres.execute("DROP DATABASE IF EXISTS \"" + METADATA_DATABASE + "\" WITH (FORCE)");
    }

    @Test
    void testAHundredBadLoginsNeverLockTheUserOutOfAnotherAddress()
            throws Exception
    {
        stagehand.accounts().createAccount(stagehand.accounts().account("admin"), "victim", "Victim", TestingAccounts.PASSWORD, false);

        // 100 guesses from 127.0.0.1, each claiming another X-Forwarded-For: 127.0.0.1 is no
        // trusted proxy, so they are one guesser, heard five times.
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            statuses.add(logIn("127.0.0.1", Map.of("X-Forwarded-For", "198.51.100." + i), "victim", "guess " + i).status());
        }
        assertThat(statuses.stream().filter(status -> status == 401).count()).as("tries heard from one address, whatever X-Forwarded-For it writes").isEqualTo(5);
        assertThat(statuses).containsOnly(401, 429);
        // The user, at another address, logs in.
        assertThat(logIn("127.0.0.3", Map.of(), "victim", TestingAccounts.PASSWORD).status()).as("the right password from another address").isEqualTo(200);
        assertThat(logIn("127.0.0.1", Map.of(), "victim", TestingAccounts.PASSWORD).status()).as("the guesser's address still waits").isEqualTo(429);

        // Then 100 guessers at 100 addresses, behind the platform's proxy: each is heard once.
        for (int i = 0; i < 100; i++) {
            assertThat(logIn(PROXY, Map.of("X-Forwarded-For", "203.0.113." + i), "victim", "guess " + i).status()).isEqualTo(401);
        }
        assertThat(logIn(PROXY, Map.of("X-Forwarded-For", "203.0.113.7"), "victim", "another guess").status()).as("under attack: one try per address").isEqualTo(429);
        // What a client writes left of the proxy's own hop is not believed.
        assertThat(logIn(PROXY, Map.of("X-Forwarded-For", "192.0.2.99, 203.0.113.7"), "victim", "another guess").status()).isEqualTo(429);
        Exchange user = logIn(PROXY, Map.of("X-Forwarded-For", "192.0.2.10"), "victim", TestingAccounts.PASSWORD);
        assertThat(user.status()).as("the user, at an address of their own behind the proxy: " + user.body()).isEqualTo(200);
        assertThat(JSON.readTree(user.body()).path("login").asText()).isEqualTo("victim");
    }

    @Test
    void testATokenMadeBeforeAPasswordChangeIsRefusedAfterIt()
            throws Exception
    {
        stagehand.accounts().createAccount(stagehand.accounts().account("admin"), "changer", "Changer", TestingAccounts.PASSWORD, false);
        Exchange laptop = logIn("127.0.0.1", Map.of(), "changer", TestingAccounts.PASSWORD);
        Exchange phone = logIn("127.0.0.1", Map.of(), "changer", TestingAccounts.PASSWORD);
        String laptopCookie = sessionCookie(laptop);
        String csrf = JSON.readTree(laptop.body()).path("csrfToken").asText();
        HttpResponse<String> made = HTTP.send(HttpRequest.newBuilder(url("/api/account/tokens"))
                .header("Cookie", laptopCookie).header("X-CSRF-Token", csrf).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"CI deploy\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(made.statusCode()).isEqualTo(201);
        String token = JSON.readTree(made.body()).path("token").asText();
        assertThat(asToken(token).statusCode()).isEqualTo(200);

        HttpResponse<String> changed = HTTP.send(HttpRequest.newBuilder(url("/api/account/password"))
                .header("Cookie", laptopCookie).header("X-CSRF-Token", csrf).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"current\": \"" + TestingAccounts.PASSWORD + "\", \"password\": \"a brand new password\"}")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(asToken(token).statusCode()).as("a token made before the password change").isEqualTo(401);
        assertThat(withCookie(sessionCookie(phone)).statusCode()).as("another session").isEqualTo(401);
        assertThat(withCookie(laptopCookie).statusCode()).as("the changing session's old cookie").isEqualTo(401);
        assertThat(changed.statusCode()).isEqualTo(200);
        String renewed = changed.headers().allValues("Set-Cookie").stream().filter(cookie -> cookie.startsWith("stagehand_session=")).findFirst().orElseThrow().split(";")[0];
        assertThat(withCookie(renewed).statusCode()).as("the changing browser goes on, under a new session").isEqualTo(200);
        assertThat(JSON.readTree(changed.body()).path("csrfToken").asText()).isNotEqualTo(csrf).isNotEmpty();
        // git takes tokens too: the old one is refused there as well.
        HttpResponse<String> git = HTTP.send(HttpRequest.newBuilder(url("/git/none.git/info/refs?service=git-upload-pack"))
                .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(("changer:" + token).getBytes(StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(git.statusCode()).isEqualTo(401);
    }

    @Test
    void testTheConsoleCarriesTheBrowsersProtections()
            throws Exception
    {
        for (String path : List.of("/", "/index.html", "/app.js", "/app.css", "/api/openapi.yaml", "/health", "/api/projects", "/api/no-such-route", "/git/none.git/info/refs")) {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(url(path)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.headers().firstValue("Content-Security-Policy")).as(path + " (" + response.statusCode() + ")")
                    .hasValueSatisfying(policy -> assertThat(policy).contains("frame-ancestors 'none'", "script-src 'self'", "default-src 'none'", "object-src 'none'", "base-uri 'none'"));
            assertThat(response.headers().firstValue("X-Frame-Options")).as(path).contains("DENY");
            assertThat(response.headers().firstValue("X-Content-Type-Options")).as(path).contains("nosniff");
            assertThat(response.headers().firstValue("Referrer-Policy")).as(path).contains("no-referrer");
        }
    }

    private record Exchange(int status, Map<String, List<String>> headers, String body) {}

    private static URI url(String path)
    {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    private static HttpResponse<String> asToken(String token)
            throws Exception
    {
        return HTTP.send(HttpRequest.newBuilder(url("/api/account")).header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> withCookie(String cookie)
            throws Exception
    {
        return HTTP.send(HttpRequest.newBuilder(url("/api/session")).header("Cookie", cookie).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String sessionCookie(Exchange login)
    {
        return login.headers().getOrDefault("set-cookie", List.of()).stream().filter(cookie -> cookie.startsWith("stagehand_session=")).findFirst().orElseThrow().split(";")[0];
    }

    private static Exchange logIn(String from, Map<String, String> headers, String login, String password)
            throws IOException
    {
        return post(from, "/api/session", headers, JSON.writeValueAsString(Map.of("login", login, "password", password)));
    }

    // HTTP/1.1 by hand, from a loopback address of the test's choosing: the JDK's client cannot pick one.
    private static Exchange post(String from, String path, Map<String, String> headers, String json)
            throws IOException
    {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(from, 0));
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
            socket.setSoTimeout(30_000);
            StringBuilder request = new StringBuilder("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + server.port() + "\r\nConnection: close\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n");
            headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
            OutputStream out = socket.getOutputStream();
            out.write(request.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
            InputStream in = socket.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int end = response.indexOf("\r\n\r\n");
            String[] lines = response.substring(0, end).split("\r\n");
            Map<String, List<String>> answered = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                answered.computeIfAbsent(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT), name -> new ArrayList<>()).add(lines[i].substring(colon + 1).strip());
            }
            String rest = response.substring(end + 4);
            if ("chunked".equalsIgnoreCase(String.join("", answered.getOrDefault("transfer-encoding", List.of())))) {
                rest = unchunk(rest);
            }
            return new Exchange(Integer.parseInt(lines[0].split(" ")[1]), answered, rest);
        }
    }

    private static String unchunk(String chunked)
    {
        StringBuilder body = new StringBuilder();
        int at = 0;
        while (true) {
            int line = chunked.indexOf("\r\n", at);
            int size = Integer.parseInt(chunked.substring(at, line).split(";")[0].strip(), 16);
            if (size == 0) {
                return body.toString();
            }
            body.append(chunked, line + 2, line + 2 + size);
            at = line + 2 + size + 2;
        }
    }
}
