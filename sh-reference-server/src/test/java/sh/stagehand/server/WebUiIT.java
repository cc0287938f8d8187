package sh.stagehand.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import sh.stagehand.core.Stagehand;
import sh.stagehand.core.access.Role;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildState;
import sh.stagehand.core.logs.LogName;
import sh.stagehand.core.project.Stage;
import sh.stagehand.testkit.TestingDocker;
import sh.stagehand.testkit.TestingGitRepository;
import sh.stagehand.testkit.TestingPostgres;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static sh.stagehand.server.TestingAddons.addon;
import static sh.stagehand.server.TestingAddons.mailingInit;
import static sh.stagehand.server.TestingAddons.passingTest;

/**
 * The web pages in a real headless Chromium, as a user goes through them: a project created from a
 * repository, a push whose development build turns green while its install log reads live, its
 * mail opened, the branch dragged to staging, another dragged onto it to merge. Screenshots of
 * the main screens go to {@code target/screenshots/}.
 */
class WebUiIT
{
    @RegisterExtension
    static final TestingPostgres postgres = new TestingPostgres();
    @RegisterExtension
    static final TestingDocker docker = new TestingDocker();
    @RegisterExtension
    static final TestingBrowser browser = new TestingBrowser();

    private static final String PROJECT = "webui";
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(4);
    private static final String METADATA_DATABASE = "meta_" + UUID.randomUUID().toString().substring(0, 8);
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");

    @TempDir
    static Path temp;

    private static Stagehand stagehand;
    private static ReferenceServer server;
    private static String token;
    private static TestingSmtpRelay relay;
    private static TestingGitRepository repository;

    @BeforeAll
    static void startPlatform()
    {
        // Production's mail goes out through a relay.
        relay = TestingSmtpRelay.start();
        Map<String, String> properties = TestingPlatform.properties("web-ui-it", temp.resolve("data"), METADATA_DATABASE, postgres, docker);
        properties.put("mail.type", "postgres");
        properties.putAll(relay.properties());
        stagehand = Main.platform(properties).build();
        server = new ReferenceServer(stagehand, ServerConfig.fromMap(properties)).start();
        token = TestingAccounts.adminToken(stagehand);
        stagehand.accounts().createAccount(stagehand.accounts().account("admin"), "azure", "Azure Interior", TestingAccounts.PASSWORD, true);

        repository = TestingGitRepository.init(temp.resolve("addons"), "main");
        addon(repository, "webui_sale", "'mail'", mailingInit("customer@example.com", "Your quotation S00042", "later@example.com", "A reminder"), passingTest("TestWebuiSale"));
        repository.commit("Sale customizations");
    }

    @AfterAll
    static void stopPlatform()
    {
        if (server != null) {
            server.close();
        }
        if (stagehand != null) {
            stagehand.builds().awaitIdle(Duration.ofMinutes(1));
            if (!stagehand.projects().projects().isEmpty()) {
                for (var branch : stagehand.projects().branches(PROJECT)) {
                    for (Build build : stagehand.builds().builds(PROJECT, branch.name())) {
                        stagehand.builds().discard(build.id());
                    }
                }
            }
            // Production's database through the provider, which drops its reader with it.
            stagehand.databases().drop(PROJECT + "-production");
            stagehand.close();
        }
        if (relay != null) {
            relay.close();
        }
        postgres.execute("DROP DATABASE IF EXISTS \"" + PROJECT + "-production\" WITH (FORCE)");
        postgres.execute("DROP DATABASE IF EXISTS \"" + METADATA_DATABASE + "\" WITH (FORCE)");
    }

    @Test
    void testAUserCreatesAProjectWatchesABuildReadsItsLogAndMailMovesABranchToStagingAndMergesIntoIt()
            throws Exception
    {
        WebDriver driver = browser.driver();
        String base = "http://127.0.0.1:" + server.port();

        // Nothing without logging in; a wrong password says so.
        driver.get(base + "/");
        logIn("azure", "not the password");
        waitFor(Duration.ofSeconds(10)).until(ExpectedConditions.textToBePresentInElementLocated(By.id("login-note"), "Wrong login or password"));
        browser.screenshot(SCREENSHOTS.resolve("login.png"));
        logIn("azure", TestingAccounts.PASSWORD);

        // A project from a repository; the webhook to paste into GitHub is shown once.
        driver.findElement(By.id("project-id")).sendKeys(PROJECT);
        driver.findElement(By.id("project-url")).sendKeys(repository.url());
        browser.screenshot(SCREENSHOTS.resolve("new-project.png"));
        driver.findElement(By.id("create-project")).click();
        WebElement created = waitFor(Duration.ofSeconds(30)).until(ExpectedConditions.visibilityOfElementLocated(By.id("project-created")));
        assertThat(driver.findElement(By.id("webhook-url")).getText()).endsWith("/webhooks/github/" + PROJECT);
        assertThat(driver.findElement(By.id("webhook-secret")).getText()).hasSizeGreaterThan(20);
        created.findElement(By.id("open-project")).click();
        waitFor(Duration.ofSeconds(30)).until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#stage-production .branch[data-branch='main']")));
        Build production = TestingBuilds.await(stagehand, stagehand.builds().builds(PROJECT, "main").get(0).id(), BUILD_TIMEOUT);
        assertThat(production.state()).as(production.message().orElse("")).isEqualTo(BuildState.RUNNING);

        // A push to a new branch: its card appears, and its install log reads while it is written.
        repository.createBranch("feature");
        repository.writeFile("webui_sale/NOTES.md", "A feature\n");
        repository.commit("A feature");
        List<Build> queued = stagehand.projects().poll(PROJECT);
        assertThat(queued).singleElement().satisfies(build -> assertThat(build.branch()).isEqualTo("feature"));
        clickCard("feature", Duration.ofSeconds(30));
        clickTab("logs");
        waitFor(BUILD_TIMEOUT).until(ExpectedConditions.textToBePresentInElementLocated(By.id("log-output"), "Modules loaded."));
        assertThat(driver.findElement(By.id("log-output")).getText()).contains("odoo.tests.result");
        waitFor(BUILD_TIMEOUT).until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(".branch[data-branch='feature'] .cell.success")));
        assertThat(stagehand.builds().build(queued.get(0).id()).state()).isEqualTo(BuildState.RUNNING);
        waitFor(Duration.ofSeconds(20)).until(ExpectedConditions.textToBePresentInElementLocated(By.id("log-note"), "complete"));
        browser.screenshot(SCREENSHOTS.resolve("project-logs.png"));

        // Its mail, caught: the list, then the mail, its HTML in a frame that runs nothing.
        clickTab("mails");
        waitFor(Duration.ofSeconds(20)).until(ExpectedConditions.textToBePresentInElementLocated(By.id("mails"), "Your quotation S00042"));
        driver.findElements(By.cssSelector("#mails .mail-row")).stream().filter(row -> row.getText().contains("Your quotation S00042")).findFirst().orElseThrow().click();
        WebElement frame = waitFor(Duration.ofSeconds(10)).until(ExpectedConditions.presenceOfElementLocated(By.id("mail-html")));
        assertThat(frame.getDomAttribute("sandbox")).isEmpty();
        browser.screenshot(SCREENSHOTS.resolve("mails.png"));
        driver.switchTo().frame(frame);
        assertThat(driver.findElement(By.tagName("body")).getText()).contains("Hello from a build");
        driver.switchTo().defaultContent();

        // A shell in the build, in the page: psql answers from the build's own database, nothing typed but the command.
        clickTab("shell");
        waitFor(Duration.ofSeconds(30)).until(ExpectedConditions.textToBePresentInElementLocated(By.id("shell-note"), "as Odoo's user"));
        WebElement keyboard = driver.findElement(By.cssSelector("#shell-terminal .xterm-helper-textarea"));
        keyboard.sendKeys("psql -tAc \"select 'users=' || count(*) from res_users\"" + Keys.ENTER);
        waitFor(Duration.ofSeconds(30)).until(ExpectedConditions.textMatches(By.cssSelector("#shell-terminal .xterm-rows"), java.util.regex.Pattern.compile("users=[1-9]")));
        browser.screenshot(SCREENSHOTS.resolve("shell.png"));
        // Kept in shell.log once its echo was seen, a second after Enter.
        waitFor(Duration.ofSeconds(10)).until(ignored -> stagehand.builds().log(queued.get(0).id(), LogName.SHELL).stream().anyMatch(line -> line.contains("azure$ psql -tAc")));

        // Production's shell: marked; its psql reads only until an admin allows writes for a while.
        clickCard("main", Duration.ofSeconds(30));
        clickTab("shell");
        waitFor(Duration.ofSeconds(30)).until(ExpectedConditions.textToBePresentInElementLocated(By.id("shell-writes-status"), "psql reads only."));
        waitFor(Duration.ofSeconds(30)).until(ExpectedConditions.textToBePresentInElementLocated(By.id("shell-note"), "as Odoo's user"));
        WebElement productionKeyboard = driver.findElement(By.cssSelector("#shell-terminal .xterm-helper-textarea"));
        productionKeyboard.sendKeys("psql -tAc \"create table public.from_the_page (id int)\"" + Keys.ENTER);
        waitFor(Duration.ofSeconds(30)).until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#shell-terminal .xterm-rows"), "read-only transaction"));
        driver.findElement(By.id("shell-writes-allow")).click();
        waitFor(Duration.ofSeconds(30)).until(ExpectedConditions.textToBePresentInElementLocated(By.id("shell-writes-status"), "psql may write until"));
        productionKeyboard.sendKeys("psql -tAc \"create table public.from_the_page (id int)\"" + Keys.ENTER);
        waitFor(Duration.ofSeconds(30)).until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#shell-terminal .xterm-rows"), "CREATE TABLE"));
        browser.screenshot(SCREENSHOTS.resolve("shell-production.png"));
        driver.findElement(By.id("shell-writes-end")).click();
        waitFor(Duration.ofSeconds(30)).until(ExpectedConditions.textToBePresentInElementLocated(By.id("shell-writes-status"), "psql reads only."));

        // Dragged onto the staging column's title, after a confirmation: a staging build of it.
        drag(nameOf("feature"), driver.findElement(By.cssSelector("#stage-staging .stage-title")));
        confirm("Move feature to staging?");
        waitFor(Duration.ofSeconds(30)).until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#stage-staging .branch[data-branch='feature']")));
        Build staging = awaitNewBuild("feature", queued.get(0).id());
        assertThat(staging.stage()).isEqualTo(Stage.STAGING);
        assertThat(TestingBuilds.await(stagehand, staging.id(), BUILD_TIMEOUT).state()).as(stagehand.builds().build(staging.id()).message().orElse("")).isEqualTo(BuildState.RUNNING);

        // Another development branch, dragged onto the staging branch: merged there, which builds it.
        repository.switchTo("main");
        repository.createBranch("fix");
        repository.writeFile("FIX.md", "A fix\n");
        String fix = repository.commit("A fix");
        stagehand.projects().poll(PROJECT);
        card("fix", Duration.ofSeconds(30));
        drag(nameOf("fix"), driver.findElement(By.cssSelector(".branch[data-branch='feature']")));
        confirm("Merge fix into feature?");
        Build merged = awaitNewBuild("feature", staging.id());
        assertThat(merged.stage()).isEqualTo(Stage.STAGING);
        assertThat(repository.git("merge-base", "--is-ancestor", fix, "feature")).isEmpty();
        assertThat(TestingBuilds.await(stagehand, merged.id(), BUILD_TIMEOUT).state()).isEqualTo(BuildState.RUNNING);
        waitFor(Duration.ofSeconds(30)).until(driver1 -> driver1.findElements(By.cssSelector("#stage-staging .branch[data-branch='feature'] .cell")).size() >= 3);
        browser.screenshot(SCREENSHOTS.resolve("project.png"));

        // The online editor on fix's build: a file opened from the tree, changed, saved, committed
        // and pushed as the user; the push builds fix again.
        Build fixBuild = TestingBuilds.await(stagehand, stagehand.builds().builds(PROJECT, "fix").get(0).id(), BUILD_TIMEOUT);
        repository.switchTo("main");
        clickCard("fix", Duration.ofSeconds(10));
        clickTab("editor");
        clickWhenThere(By.cssSelector("#editor-tree button[data-path='FIX.md']"), Duration.ofSeconds(30));
        WebElement code = waitFor(Duration.ofSeconds(30)).until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#editor-pane .CodeMirror textarea")));
        waitFor(Duration.ofSeconds(10)).until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#editor-pane .CodeMirror"), "A fix"));
        code.sendKeys(Keys.chord(Keys.CONTROL, Keys.END), Keys.ENTER, "Edited in the browser");
        driver.findElement(By.id("editor-save")).click();
        waitFor(Duration.ofSeconds(30)).until(ExpectedConditions.textToBePresentInElementLocated(By.id("editor-note"), "Saved FIX.md"));
        driver.findElement(By.id("editor-message")).sendKeys("Edit the fix in the browser");
        browser.screenshot(SCREENSHOTS.resolve("editor.png"));
        driver.findElement(By.id("editor-commit")).click();
        waitFor(Duration.ofSeconds(60)).until(ExpectedConditions.textToBePresentInElementLocated(By.id("editor-note"), "and pushed"));
        String edited = repository.head("fix");
        assertThat(repository.git("show", edited + ":FIX.md")).contains("A fix", "Edited in the browser");
        assertThat(repository.inspect(edited).authorName()).isEqualTo("Azure Interior");
        Build rebuilt = awaitNewBuild("fix", fixBuild.id());
        assertThat(rebuilt.commitId()).isEqualTo(edited);
        waitFor(Duration.ofSeconds(30)).until(driver1 -> driver1.findElements(By.cssSelector(".branch[data-branch='fix'] .cell")).size() >= 2);

        // Production's backups and a branch's settings, for the screenshots of the README.
        clickCard("main", Duration.ofSeconds(5));
        clickTab("backups");
        driver.findElement(By.id("backup-now")).click();
        waitFor(Duration.ofMinutes(2)).until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#backups .backup-row")));
        assertThat(driver.findElement(By.id("backups")).getText()).contains("manual", "passed");
        browser.screenshot(SCREENSHOTS.resolve("backups.png"));
        clickCard("feature", Duration.ofSeconds(5));
        clickTab("settings");
        waitFor(Duration.ofSeconds(5)).until(ExpectedConditions.presenceOfElementLocated(By.id("settings")));
        browser.screenshot(SCREENSHOTS.resolve("settings.png"));

        // A tester sees production with Connect, History and Status only, and staging with every tool.
        TestingAccounts.collaborator(stagehand, "tess", PROJECT, Role.TESTER);
        // The project's admin sees who collaborates, and who did what.
        driver.get(base + "/#/projects/" + PROJECT + "/collaborators");
        waitFor(Duration.ofSeconds(10)).until(ExpectedConditions.textToBePresentInElementLocated(By.id("collaborators"), "tess"));
        waitFor(Duration.ofSeconds(10)).until(ExpectedConditions.textToBePresentInElementLocated(By.id("audit"), "role changed"));
        assertThat(driver.findElement(By.id("audit")).getText()).contains("stage changed", "merged", "backup created");
        browser.screenshot(SCREENSHOTS.resolve("collaborators.png"));
        driver.findElement(By.id("log-out")).click();
        logIn("tess", TestingAccounts.PASSWORD);
        driver.get(base + "/#/projects/" + PROJECT);
        clickCard("main", Duration.ofSeconds(30));
        waitFor(Duration.ofSeconds(10)).until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(".tabs button[data-tab='history']")));
        assertThat(driver.findElements(By.cssSelector(".tabs button")).stream().map(button -> button.getDomAttribute("data-tab")).toList()).containsExactly("history");
        assertThat(driver.findElements(By.id("collaborators-link"))).as("only admins manage collaborators").isEmpty();
        assertThat(driver.findElements(By.cssSelector(".branch[data-branch='main'] .rebuild"))).as("nor rebuild production").isEmpty();
        browser.screenshot(SCREENSHOTS.resolve("tester-production.png"));
        clickCard("feature", Duration.ofSeconds(5));
        waitFor(Duration.ofSeconds(10)).until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(".tabs button[data-tab='logs']")));
        assertThat(driver.findElements(By.cssSelector(".tabs button")).stream().map(button -> button.getDomAttribute("data-tab")).toList())
                .containsExactly("history", "logs", "mails", "shell", "editor", "monitor", "apps", "backups", "settings");

        // The console's Content-Security-Policy refused nothing the pages did all along.
        assertThat(driver.manage().logs().get(org.openqa.selenium.logging.LogType.BROWSER).getAll())
                .noneSatisfy(entry -> assertThat(entry.getMessage()).containsIgnoringCase("Content Security Policy"));
    }

    private static void logIn(String login, String password)
    {
        WebElement form = waitFor(Duration.ofSeconds(20)).until(ExpectedConditions.visibilityOfElementLocated(By.id("login")));
        WebElement name = form.findElement(By.id("login-name"));
        name.clear();
        name.sendKeys(login);
        WebElement secret = form.findElement(By.id("login-password"));
        secret.clear();
        secret.sendKeys(password);
        form.findElement(By.id("log-in")).click();
        if (password.equals(TestingAccounts.PASSWORD)) {
            waitFor(Duration.ofSeconds(20)).until(ExpectedConditions.presenceOfElementLocated(By.id("log-out")));
        }
    }

    private static WebDriverWait waitFor(Duration timeout)
    {
        WebDriverWait wait = new WebDriverWait(browser.driver(), timeout, Duration.ofMillis(200));
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
        return wait;
    }

    private static WebElement card(String branch, Duration timeout)
    {
        return waitFor(timeout).until(ExpectedConditions.elementToBeClickable(By.cssSelector(".branch[data-branch='" + branch + "']")));
    }

    // The page draws its branches again on each refresh: a card found may be gone when clicked.
    private static void clickCard(String branch, Duration timeout)
    {
        clickWhenThere(By.cssSelector(".branch[data-branch='" + branch + "']"), timeout);
    }

    private static void clickTab(String name)
    {
        clickWhenThere(By.cssSelector(".tabs button[data-tab='" + name + "']"), Duration.ofSeconds(10));
    }

    private static void clickWhenThere(By locator, Duration timeout)
    {
        waitFor(timeout).until(driver -> {
            WebElement element = ExpectedConditions.elementToBeClickable(locator).apply(driver);
            if (element == null) {
                return false;
            }
            element.click();
            return true;
        });
    }

    private static WebElement nameOf(String branch)
    {
        return browser.driver().findElement(By.cssSelector(".branch[data-branch='" + branch + "'] .branch-name"));
    }

    private static void drag(WebElement handle, WebElement target)
    {
        new Actions(browser.driver()).clickAndHold(handle).moveByOffset(12, 12).moveToElement(target).moveByOffset(2, 2).release().perform();
    }

    private static void confirm(String question)
    {
        WebElement dialog = waitFor(Duration.ofSeconds(5)).until(ExpectedConditions.visibilityOfElementLocated(By.id("confirm")));
        assertThat(dialog.getText()).contains(question);
        browser.driver().findElement(By.id("confirm-ok")).click();
    }

    private static Build awaitNewBuild(String branch, long after)
            throws InterruptedException
    {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            List<Build> builds = stagehand.builds().builds(PROJECT, branch);
            if (!builds.isEmpty() && builds.get(0).id() > after) {
                return builds.get(0);
            }
            Thread.sleep(200);
        }
        throw new AssertionError("No new build of " + branch + " after build " + after + "; history: " + stagehand.builds().history(PROJECT, java.util.Optional.of(branch), 10));
    }
}
