package sh.stagehand.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import sh.stagehand.core.Stagehand;
import sh.stagehand.core.access.AuditAction;
import sh.stagehand.core.access.Role;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildState;
import sh.stagehand.core.logs.LogName;
import sh.stagehand.core.odoo.ModuleSelection;
import sh.stagehand.core.project.Branch;
import sh.stagehand.core.project.Stage;
import sh.stagehand.testkit.TestingDocker;
import sh.stagehand.testkit.TestingGitRepository;
import sh.stagehand.testkit.TestingPostgres;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static sh.stagehand.server.TestingAddons.addon;
import static sh.stagehand.server.TestingAddons.module;
import static sh.stagehand.server.TestingAddons.passingTest;

/**
 * A build's Odoo apps on real builds (Docker, PostgreSQL, the Odoo test server) through the API:
 * listed from the build's database and branch; installed at once in a development build, then
 * by its branch's later builds; installed in production through an update; and an app whose
 * install fails in production leaves production as it was, its dump the same, the app off the
 * branch's apps. Uninstalled likewise, with what depends on it. Real Odoo and the page:
 * {@code RealOdooIT}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AppsIT
{
    @RegisterExtension
    static final TestingPostgres postgres = new TestingPostgres();
    @RegisterExtension
    static final TestingDocker docker = new TestingDocker();

    private static final Duration BUILDS = Duration.ofMinutes(5);
    private static final String PROJECT = "appstore";
    private static final String METADATA_DATABASE = "meta_" + UUID.randomUUID().toString().substring(0, 8);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path temp;

    private static Stagehand stagehand;
    private static ReferenceServer server;
    private static String admin;
    private static TestingGitRepository repository;

    @BeforeAll
    static void startPlatformWithProduction()
            throws IOException, InterruptedException
    {
        Map<String, String> properties = TestingPlatform.properties("apps-it", temp.resolve("data"), METADATA_DATABASE, postgres, docker);
        stagehand = Main.platform(properties).build();
        server = new ReferenceServer(stagehand, ServerConfig.fromMap(properties)).start();
        admin = TestingAccounts.adminToken(stagehand);

        repository = TestingGitRepository.init(temp.resolve("addons"), "main");
        addon(repository, "shop_notes", "'base'", "", passingTest("TestShopNotes"));
        repository.commit("An addon");
        stagehand.projects().createProject(PROJECT, repository.url(), Optional.empty());
        Build production = TestingBuilds.await(stagehand, stagehand.builds().builds(PROJECT, "main").get(0).id(), BUILDS);
        assertThat(production.state()).as(String.valueOf(production)).isEqualTo(BuildState.RUNNING);
    }

    @AfterAll
    static void stopPlatform()
    {
        TestingPlatform.stop(server, stagehand, PROJECT, postgres, METADATA_DATABASE);
    }

    @Test
    @Order(1)
    void testListsTheAppsOfTheImageAndTheBranchSearchable()
    {
        Build production = serving();
        JsonNode apps = get("/api/builds/" + production.id() + "/apps", admin, 200);
        // Odoo's Apps menu by default: what counts as an app (contacts, stock...), not base or web.
        assertThat(names(apps)).contains("contacts", "stock").doesNotContain("base", "web", "shop_notes");
        JsonNode contacts = app(apps, "contacts");
        assertThat(contacts.path("category").asText()).isEqualTo("Sales/CRM");
        assertThat(contacts.path("title").asText()).isEqualTo("Contacts");
        assertThat(contacts.path("installed").asBoolean()).isFalse();

        JsonNode every = get("/api/builds/" + production.id() + "/apps?all=true", admin, 200);
        assertThat(app(every, "shop_notes").path("installed").asBoolean()).isTrue();
        assertThat(app(every, "shop_notes").path("fromBranch").asBoolean()).isTrue();
        assertThat(every.get(0).path("installed").asBoolean()).as("installed first").isTrue();
        assertThat(names(get("/api/builds/" + production.id() + "/apps?search=crm%20sales", admin, 200))).containsExactly("contacts");
        assertThat(get("/api/builds/" + production.id() + "/apps?search=no-such-app", admin, 200)).isEmpty();
    }

    @Test
    @Order(2)
    void testADevelopmentBuildInstallsAnAppAtOnceAndTheBranchsNextBuildsToo()
            throws Exception
    {
        repository.createBranch("feature");
        repository.writeFile("FEATURE.md", "A feature\n");
        repository.commit("A feature");
        stagehand.projects().poll(PROJECT);
        Build feature = TestingBuilds.await(stagehand, stagehand.builds().builds(PROJECT, "feature").get(0).id(), BUILDS);
        assertThat(feature.state()).isEqualTo(BuildState.RUNNING);
        String developer = TestingAccounts.token(stagehand, TestingAccounts.collaborator(stagehand, "dev", PROJECT, Role.DEVELOPER));

        JsonNode started = post("/api/builds/" + feature.id() + "/apps/contacts/install", developer, 202);

        assertThat(started.path("update").isNull()).isTrue();
        assertThat(started.path("progress").path("state").asText()).isEqualTo("RUNNING");
        JsonNode installed = awaitInstall(feature, developer);
        assertThat(installed.path("state").asText()).as(installed.toString()).isEqualTo("INSTALLED");
        assertThat(installed.path("message").asText()).isEqualTo("contacts installed; the server restarted");
        assertThat(moduleState(feature.databaseName(), "contacts")).isEqualTo("installed");
        assertThat(stagehand.builds().log(feature.id(), LogName.INSTALL)).anySatisfy(line -> assertThat(line).contains("Apps: dev installs contacts"))
                .anySatisfy(line -> assertThat(line).contains("Apps: dev installed contacts; the server restarts"));
        assertThat(stagehand.projects().branch(PROJECT, "feature").apps()).containsExactly("contacts");
        assertThat(app(get("/api/builds/" + feature.id() + "/apps", developer, 200), "contacts").path("installed").asBoolean()).isTrue();
        // Installed already; an app nobody offers; a name that is none; production is an admin's.
        assertThat(post("/api/builds/" + feature.id() + "/apps/contacts/install", developer, 409).path("message").asText()).contains("installed in build");
        assertThat(post("/api/builds/" + feature.id() + "/apps/no_such_app/install", developer, 404).path("message").asText()).contains("offers no app no_such_app");
        assertThat(post("/api/builds/" + feature.id() + "/apps/Bad;Name/install", developer, 400).path("message").asText()).contains("not a module's name");
        assertThat(post("/api/builds/" + serving().id() + "/apps/contacts/install", developer, 403).path("message").asText()).contains("has no apps on production");

        // The branch's next build installs it too, and tests the branch's own modules only.
        repository.writeFile("FEATURE.md", "A feature, again\n");
        repository.commit("The feature again");
        stagehand.projects().poll(PROJECT);
        Build next = TestingBuilds.await(stagehand, stagehand.builds().builds(PROJECT, "feature").get(0).id(), BUILDS);
        assertThat(next.id()).isNotEqualTo(feature.id());
        assertThat(next.state()).isEqualTo(BuildState.RUNNING);
        assertThat(moduleState(next.databaseName(), "contacts")).isEqualTo("installed");
        assertThat(next.message().orElse("")).contains("shop_notes, contacts");
        assertThat(String.join("\n", stagehand.builds().log(next.id(), LogName.INSTALL))).contains("TestShopNotes");
    }

    @Test
    @Order(3)
    void testADevelopmentBuildUninstallsAnAppWithWhatDependsOnIt()
            throws Exception
    {
        Build feature = stagehand.builds().builds(PROJECT, "feature").get(0);
        String developer = TestingAccounts.token(stagehand, stagehand.accounts().account("dev"));
        post("/api/builds/" + feature.id() + "/apps/stock/install", developer, 202);
        assertThat(awaitInstall(feature, developer).path("state").asText()).isEqualTo("INSTALLED");
        assertThat(stagehand.projects().branch(PROJECT, "feature").apps()).containsExactly("contacts", "stock");
        // stock depends on product: Odoo takes it along, as its Apps menu warns.
        assertThat(get("/api/builds/" + feature.id() + "/apps/product/dependents", developer, 200)).extracting(JsonNode::asText).containsExactly("stock");

        JsonNode started = post("/api/builds/" + feature.id() + "/apps/product/uninstall", developer, 202);

        assertThat(started.path("progress").path("operation").asText()).isEqualTo("UNINSTALL");
        JsonNode uninstalled = awaitInstall(feature, developer);
        assertThat(uninstalled.path("state").asText()).as(uninstalled.toString()).isEqualTo("UNINSTALLED");
        assertThat(uninstalled.path("message").asText()).isEqualTo("product uninstalled with stock; the server restarted");
        assertThat(moduleState(feature.databaseName(), "product")).isEqualTo("uninstalled");
        assertThat(moduleState(feature.databaseName(), "stock")).isEqualTo("uninstalled");
        assertThat(moduleState(feature.databaseName(), "contacts")).isEqualTo("installed");
        assertThat(String.join("\n", stagehand.builds().log(feature.id(), LogName.INSTALL)))
                .contains("Apps: dev uninstalls product (", "and what depends on it: stock", "User #1 triggered module uninstallation", "Apps: dev uninstalled product");
        assertThat(stagehand.projects().branch(PROJECT, "feature").apps()).containsExactly("contacts");
        assertThat(app(get("/api/builds/" + feature.id() + "/apps", developer, 200), "stock").path("installed").asBoolean()).isFalse();
        // The server serves again, on the database without them.
        assertThat(answers(stagehand.builds().build(feature.id()), "/web/health")).isEqualTo(200);
        // Not installed; base, which every server loads; production is an admin's.
        assertThat(post("/api/builds/" + feature.id() + "/apps/stock/uninstall", developer, 409).path("message").asText()).contains("stock is not installed in build");
        assertThat(post("/api/builds/" + feature.id() + "/apps/base/uninstall", developer, 409).path("message").asText()).contains("Odoo cannot uninstall base");
        assertThat(post("/api/builds/" + serving().id() + "/apps/contacts/uninstall", developer, 403).path("message").asText()).contains("has no apps on production");
    }

    @Test
    @Order(4)
    void testProductionInstallsAnAppThroughAnUpdate()
            throws Exception
    {
        Build before = serving();

        JsonNode queued = post("/api/builds/" + before.id() + "/apps/contacts/install", admin, 202);

        Build update = TestingBuilds.await(stagehand, queued.path("update").path("id").asLong(), BUILDS);
        assertThat(update.state()).as(update.message().orElse("")).isEqualTo(BuildState.RUNNING);
        assertThat(update.stage()).isEqualTo(Stage.PRODUCTION);
        assertThat(moduleState(update.databaseName(), "contacts")).isEqualTo("installed");
        assertThat(stagehand.projects().branch(PROJECT, "main").apps()).containsExactly("contacts");
        assertThat(String.join("\n", stagehand.builds().log(update.id(), LogName.UPDATE))).contains("install contacts", "Update backup");
        assertThat(stagehand.accounts().audit(stagehand.accounts().account("admin"), PROJECT, 50)).anySatisfy(event -> {
            assertThat(event.action()).isEqualTo(AuditAction.APP_INSTALLED);
            assertThat(event.detail()).contains("contacts in production, by build " + update.id());
        });
    }

    @Test
    @Order(5)
    void testAnAppWhoseInstallFailsInProductionLeavesProductionAsItWas()
            throws Exception
    {
        // Production installs the modules it names, not every addon of the branch: a new one waits to be chosen.
        Branch main = stagehand.projects().branch(PROJECT, "main");
        stagehand.projects().saveBranch(new Branch(main.projectId(), main.name(), main.stage(), ModuleSelection.EXPLICIT, List.of("shop_notes"), main.testTags(), main.cronsEnabled(),
                main.onNewCommit(), main.domains(), main.apps()));
        repository.switchTo("main");
        module(repository, "broken_app", "17.0.1.0.0", "'base'", """
                def post_init(env):
                    raise ValueError("broken_app cannot be installed")
                """);
        repository.writeFile("broken_app/__manifest__.py", Files.readString(repository.directory().resolve("broken_app/__manifest__.py")).replace("'license'", "'application': True, 'license'"));
        repository.commit("An app that fails to install");
        stagehand.projects().poll(PROJECT);
        assertThat(stagehand.builds().awaitIdle(BUILDS)).isTrue();
        Build serving = serving();
        assertThat(app(get("/api/builds/" + serving.id() + "/apps", admin, 200), "broken_app").path("installed").asBoolean()).isFalse();
        String dump = dump();

        JsonNode queued = post("/api/builds/" + serving.id() + "/apps/broken_app/install", admin, 202);

        Build failed = TestingBuilds.await(stagehand, queued.path("update").path("id").asLong(), BUILDS);
        assertThat(failed.state()).isEqualTo(BuildState.FAILED);
        assertThat(failed.message().orElse("")).contains("broken_app cannot be installed", "serves production again", "broken_app is no longer among the branch's apps");
        assertThat(dump()).as("production's database as it was").isEqualTo(dump);
        assertThat(serving().id()).isEqualTo(serving.id());
        assertThat(moduleState(serving.databaseName(), "broken_app")).isNotEqualTo("installed");
        assertThat(stagehand.projects().branch(PROJECT, "main").apps()).containsExactly("contacts");
    }

    @Test
    @Order(6)
    void testProductionUninstallsAnAppThroughAnUpdate()
            throws Exception
    {
        Build before = serving();
        assertThat(moduleState(before.databaseName(), "contacts")).isEqualTo("installed");
        // A module of the branch's own would come back at the next update: refused, with what to do.
        assertThat(post("/api/builds/" + before.id() + "/apps/shop_notes/uninstall", admin, 409).path("message").asText())
                .contains("shop_notes is one of the branch's modules", "which production installs at every update", "take it out of the branch first");

        JsonNode queued = post("/api/builds/" + before.id() + "/apps/contacts/uninstall", admin, 202);

        assertThat(stagehand.projects().branch(PROJECT, "main").appsToRemove()).containsExactly("contacts");
        Build update = TestingBuilds.await(stagehand, queued.path("update").path("id").asLong(), BUILDS);
        assertThat(update.state()).as(update.message().orElse("")).isEqualTo(BuildState.RUNNING);
        assertThat(update.message().orElse("")).contains("uninstall contacts");
        assertThat(moduleState(update.databaseName(), "contacts")).isEqualTo("uninstalled");
        assertThat(moduleState(update.databaseName(), "shop_notes")).isEqualTo("installed");
        assertThat(String.join("\n", stagehand.builds().log(update.id(), LogName.UPDATE))).contains("Update backup", "Uninstalling contacts with odoo shell", "Stagehand: uninstalled contacts");
        assertThat(stagehand.projects().branch(PROJECT, "main").apps()).isEmpty();
        assertThat(stagehand.projects().branch(PROJECT, "main").appsToRemove()).isEmpty();
        assertThat(stagehand.accounts().audit(stagehand.accounts().account("admin"), PROJECT, 50)).anySatisfy(event -> {
            assertThat(event.action()).isEqualTo(AuditAction.APP_UNINSTALLED);
            assertThat(event.detail()).contains("contacts from production, by build " + update.id());
        });
    }

    // The install's or uninstall's progress once it ended.
    private static JsonNode awaitInstall(Build build, String token)
            throws InterruptedException
    {
        long deadline = System.nanoTime() + BUILDS.toNanos();
        JsonNode progress = get("/api/builds/" + build.id() + "/apps/install", token, 200);
        while (progress.path("state").asText().equals("RUNNING") && System.nanoTime() < deadline) {
            Thread.sleep(200);
            progress = get("/api/builds/" + build.id() + "/apps/install", token, 200);
        }
        return progress;
    }

    @Test
    @Order(7)
    void testAnOldBuildOfABranchMovedOnInstallsNothingForItsNewStage()
    {
        // A development build still runs after its branch became staging: what it installed would be staging's apps.
        Build old = stagehand.builds().builds(PROJECT, "feature").stream().filter(build -> build.state() == BuildState.RUNNING).findFirst().orElseThrow();
        stagehand.projects().saveBranch(stagehand.projects().branch(PROJECT, "feature").withStage(Stage.STAGING));
        String developer = TestingAccounts.token(stagehand, stagehand.accounts().account("dev"));

        assertThat(post("/api/builds/" + old.id() + "/apps/stock/install", developer, 403).path("message").asText()).contains("has no apps on staging branches");
        assertThat(post("/api/builds/" + old.id() + "/apps/stock/install", admin, 409).path("message").asText()).contains("which is staging now");
        assertThat(stagehand.projects().branch(PROJECT, "feature").apps()).containsExactly("contacts");
    }

    // The status the build's server answers with, once it answers (a restart takes a moment).
    private static int answers(Build build, String path)
            throws InterruptedException
    {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + build.hostPort().orElseThrow() + path)).timeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            }
            catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("Build " + build.id() + " does not answer " + path, e);
                }
                Thread.sleep(200);
            }
        }
    }

    private static Build serving()
    {
        return stagehand.builds().builds(PROJECT, "main").stream().filter(build -> build.state() == BuildState.RUNNING).findFirst().orElseThrow();
    }

    private static String moduleState(String database, String module)
    {
        return postgres.queryForString(database, "SELECT coalesce((SELECT state FROM ir_module_module WHERE name = '" + module + "'), 'absent')");
    }

    // Production's database as pg_dump writes it, without the random key of its restrict lines.
    private static String dump()
            throws Exception
    {
        Process process = postgres.adminProgram("pg_dump", "--exclude-table-data=ir_cron", "--exclude-table-data=ir_cron_trigger", "--dbname=" + PROJECT + "-production")
                .redirectErrorStream(true)
                .start();
        process.getOutputStream().close();
        String dump = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(dump).isZero();
        return dump.lines().filter(line -> !line.startsWith("\\restrict ") && !line.startsWith("\\unrestrict ")).collect(Collectors.joining("\n"));
    }

    private static List<String> names(JsonNode apps)
    {
        return java.util.stream.StreamSupport.stream(apps.spliterator(), false).map(app -> app.path("name").asText()).toList();
    }

    private static JsonNode app(JsonNode apps, String name)
    {
        return java.util.stream.StreamSupport.stream(apps.spliterator(), false).filter(app -> app.path("name").asText().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("No app " + name + " in " + apps));
    }

    private static JsonNode get(String path, String token, int status)
    {
        return send(TestingAccounts.authorized(token, URI.create("http://127.0.0.1:" + server.port() + path)).build(), status);
    }

    private static JsonNode post(String path, String token, int status)
    {
        return send(TestingAccounts.authorized(token, URI.create("http://127.0.0.1:" + server.port() + path)).POST(HttpRequest.BodyPublishers.noBody()).build(), status);
    }

    private static JsonNode send(HttpRequest request, int status)
    {
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
            return JSON.readTree(response.body());
        }
        catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
