package sh.stagehand.server;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import sh.stagehand.testkit.TestingEnvironment;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Debian's headless Chromium, driven by its own ChromeDriver (both installed by {@code bin/env-up};
 * Selenium downloads nothing when given the driver's path), as a JUnit 5 extension:
 * <pre>{@code @RegisterExtension static final TestingBrowser browser = new TestingBrowser();}</pre>
 * Missing, it fails the tests under CI and aborts them elsewhere. Not thread-safe: one test drives it.
 */
final class TestingBrowser
        implements BeforeAllCallback, AfterAllCallback
{
    private final Path chromium;
    private final Path chromedriver;
    private ChromeDriver driver;
    private Path profile;

    TestingBrowser()
    {
        TestingEnvironment environment = TestingEnvironment.get();
        this.chromium = Path.of(environment.get("browser.chromium", "/usr/bin/chromium"));
        this.chromedriver = Path.of(environment.get("browser.chromedriver", "/usr/bin/chromedriver"));
    }

    @Override
    public void beforeAll(ExtensionContext context)
            throws IOException
    {
        if (!Files.isExecutable(chromium) || !Files.isExecutable(chromedriver)) {
            throw TestingEnvironment.unavailable("No Chromium at " + chromium + " or no ChromeDriver at " + chromedriver + "; bin/env-up installs them (apt-get install chromium chromium-driver)");
        }
        profile = Files.createTempDirectory("stagehand-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.toFile());
        // Without the background-networking flags Chromium keeps calling Google's hosts, which this network refuses.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--window-size=1440,900", "--user-data-dir=" + profile);
        // The console's messages (a Content-Security-Policy refusal among them), for the tests to read.
        options.setCapability("goog:loggingPrefs", java.util.Map.of("browser", "ALL"));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(chromedriver.toFile()).usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        driver.manage().window().setSize(new Dimension(1440, 900));
    }

    @Override
    public void afterAll(ExtensionContext context)
    {
        if (driver != null) {
            driver.quit();
        }
        if (profile != null) {
            try (var tree = Files.walk(profile)) {
                tree.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
            catch (IOException ignored) {
                // a temporary directory
            }
        }
    }

    ChromeDriver driver()
    {
        return driver;
    }

    /**
     * Saves what the browser shows, as a PNG.
     */
    void screenshot(Path target)
    {
        try {
            Files.createDirectories(target.getParent());
            Files.copy(driver.getScreenshotAs(OutputType.FILE).toPath(), target, StandardCopyOption.REPLACE_EXISTING);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
