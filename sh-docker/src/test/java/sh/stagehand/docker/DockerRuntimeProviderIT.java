package sh.stagehand.docker;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.runtime.ContainerInfo;
import sh.stagehand.spi.runtime.ContainerSpec;
import sh.stagehand.spi.runtime.ImageRecipe;
import sh.stagehand.spi.runtime.ImageSpec;
import sh.stagehand.spi.runtime.LogFollow;
import sh.stagehand.spi.runtime.LogLine;
import sh.stagehand.spi.runtime.PreparedImage;
import sh.stagehand.spi.runtime.RuntimeProvider;
import sh.stagehand.testkit.BaseLinuxRuntimeProviderContractTest;
import sh.stagehand.testkit.TestingDocker;
import sh.stagehand.testkit.TestingEnvironment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DockerRuntimeProviderIT
        extends BaseLinuxRuntimeProviderContractTest
{
    @RegisterExtension
    static final TestingDocker docker = new TestingDocker();

    private static DockerRuntimeProvider provider;

    @BeforeAll
    static void createProvider()
    {
        provider = new DockerRuntimeProvider(DockerConfig.fromMap(Map.of(
                "docker.host", docker.host().toString(),
                "docker.network", docker.network())), "contract-tests");
    }

    @AfterAll
    static void closeProvider()
    {
        if (provider != null) {
            provider.close();
        }
    }

    @Override
    protected RuntimeProvider provider()
    {
        return provider;
    }

    @Override
    protected String testImage()
    {
        return docker.baseImage();
    }

    @Test
    void testAppliesLimitsNetworkAndInstanceLabel()
    {
        ContainerInfo container = provider.start(spec()
                .withMemoryLimit(256L * 1024 * 1024)
                .withCpuLimit(0.5)
                // cgroup v2, else v1: both engines are in use
                .withCommand("sh", "-c", """
                        if [ -f /sys/fs/cgroup/memory.max ]; then
                            cat /sys/fs/cgroup/memory.max; cat /sys/fs/cgroup/cpu.max
                        else
                            cat /sys/fs/cgroup/memory/memory.limit_in_bytes
                            echo "$(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us) $(cat /sys/fs/cgroup/cpu/cpu.cfs_period_us)"
                        fi
                        cat /proc/1/comm
                        """)
                .build());

        assertThat(provider.awaitExit(container.id(), Duration.ofSeconds(60))).isZero();
        assertThat(readAllLines(container.id())).extracting(LogLine::text)
                .containsExactly("268435456", "50000 100000", "docker-init");
        assertThat(container.labels()).containsEntry(DockerRuntimeProvider.INSTANCE_LABEL, "contract-tests");
    }

    @Test
    void testInstancesDoNotSeeEachOthersContainers()
    {
        ContainerInfo container = provider.start(spec().withCommand("sleep", "60").build());
        try (DockerRuntimeProvider other = new DockerRuntimeProvider(DockerConfig.fromMap(Map.of("docker.host", docker.host().toString())), "another-platform")) {
            assertThat(other.list(Map.of())).extracting(ContainerInfo::id).doesNotContain(container.id());
            assertThat(provider.list(Map.of())).extracting(ContainerInfo::id).contains(container.id());
        }
    }

    @Test
    void testLongSilencesOutlastTheApiTimeout()
    {
        // A 1 s API timeout, and a container silent for 3 s: waiting and following must not be cut off.
        try (DockerRuntimeProvider impatient = new DockerRuntimeProvider(DockerConfig.fromMap(Map.of(
                "docker.host", docker.host().toString(),
                "docker.api-timeout", "1s")), "contract-tests")) {
            ContainerInfo container = impatient.start(spec().withCommand("sh", "-c", "sleep 3; echo after the silence").build());
            List<String> lines = new CopyOnWriteArrayList<>();
            try (LogFollow follow = impatient.followLogs(container.id(), line -> lines.add(line.text()))) {
                assertThat(impatient.awaitExit(container.id(), Duration.ofSeconds(30))).isZero();
                assertThat(follow.awaitCompletion(Duration.ofSeconds(10))).isTrue();
            }
            assertThat(lines).containsExactly("after the silence");
        }
    }

    @Test
    void testAnImageBuildThatRunsTooLongIsStopped(@TempDir Path checkout)
            throws Exception
    {
        // A requirement whose own setup.py never ends: pip runs a package's code as it installs it.
        Files.writeString(checkout.resolve("requirements.txt"), "./forever\n");
        Files.createDirectories(checkout.resolve("forever"));
        Files.writeString(checkout.resolve("forever/setup.py"), "import time\nprint('installing forever', flush=True)\ntime.sleep(3600)\n");
        List<String> pipLog = new CopyOnWriteArrayList<>();
        try (DockerRuntimeProvider bounded = new DockerRuntimeProvider(DockerConfig.fromMap(Map.of(
                "docker.host", docker.host().toString(),
                "docker.image-build-timeout", "5s")), "contract-tests")) {
            long started = System.nanoTime();
            assertThatThrownBy(() -> bounded.prepareImage(new ImageSpec(TestingEnvironment.get().require("docker.odoo-test-image"), checkout, "/mnt/stagehand-addons",
                    Optional.of(pipInstall("requirements.txt")), imageTag(), Map.of(), Optional.empty()), line -> pipLog.add(line.text())))
                    .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.TIMEOUT.toErrorCode()))
                    .hasMessageContaining("docker.image-build-timeout");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(60));
        }
        assertThat(pipLog).anySatisfy(line -> assertThat(line).contains("stopped: the build took longer than 5 s"));
    }

    @Test
    void testARecipeRunsAsTheBaseImagesOwnUser(@TempDir Path checkout)
    {
        ImageRecipe whoAmI = new ImageRecipe("/tmp/stagehand-source", "/tmp/stagehand-output", Map.of(),
                List.of(new ImageRecipe.Step("who runs the steps", "/tmp/stagehand-source", "mkdir -p /tmp/stagehand-output/opt && id -un > /tmp/stagehand-output/opt/user.txt")),
                "user-" + UUID.randomUUID());
        PreparedImage image = provider.prepareImage(new ImageSpec(TestingEnvironment.get().require("docker.odoo-test-image"), checkout, "/mnt/stagehand-addons",
                Optional.of(whoAmI), imageTag(), Map.of(), Optional.empty()), line -> {});
        try {
            ContainerInfo container = provider.start(ContainerSpec.builder("contract-user-" + UUID.randomUUID().toString().substring(0, 8), image.tag())
                    .withCommand("cat", "/opt/user.txt")
                    .build());
            try {
                assertThat(provider.awaitExit(container.id(), Duration.ofSeconds(60))).isZero();
                assertThat(readAllLines(container.id())).extracting(LogLine::text).containsExactly("odoo");
            }
            finally {
                provider.remove(container.id());
            }
        }
        finally {
            provider.removeImage(image.requirementsImage());
        }
    }

    // The build context holds the platform's Dockerfile and .dockerignore at its root: a tenant's
    // files of those names must not replace them (the engine takes the last of two entries).
    @Test
    void testATenantsDockerfileInItsRepositoryIsNotTheOneBuilt(@TempDir Path checkout)
            throws IOException
    {
        String base = TestingEnvironment.get().require("docker.odoo-test-image");
        Files.createDirectories(checkout.resolve("acme"));
        Files.writeString(checkout.resolve("acme/__init__.py"), "");
        Files.writeString(checkout.resolve(".stagehand.Dockerfile"), "FROM " + base + "\nUSER root\nRUN echo pwned > /pwned.txt\n");
        Files.writeString(checkout.resolve(".dockerignore"), "acme\n");
        PreparedImage image = provider.prepareImage(new ImageSpec(base, checkout, "/mnt/stagehand-addons", Optional.empty(), imageTag(), Map.of(), Optional.empty()), line -> {});
        try {
            ContainerInfo container = provider.start(ContainerSpec.builder("contract-dockerfile-" + UUID.randomUUID().toString().substring(0, 8), image.tag())
                    .withCommand("sh", "-c", "test ! -e /pwned.txt && test -f /mnt/stagehand-addons/acme/__init__.py && echo built-by-the-platform")
                    .build());
            try {
                assertThat(provider.awaitExit(container.id(), Duration.ofSeconds(60))).isZero();
                assertThat(readAllLines(container.id())).extracting(LogLine::text).containsExactly("built-by-the-platform");
            }
            finally {
                provider.remove(container.id());
            }
        }
        finally {
            provider.removeImage(image.tag());
        }
    }

    // A pip install as the platform describes one: a requirement's own setup.py runs in it.
    private static ImageRecipe pipInstall(String requirementsFile)
    {
        return new ImageRecipe("/tmp/stagehand-source", "/tmp/stagehand-pip-root", Map.of("PIP_DISABLE_PIP_VERSION_CHECK", "1", "PIP_NO_CACHE_DIR", "1"),
                List.of(new ImageRecipe.Step("pip install -r " + requirementsFile, "/tmp/stagehand-source", "pip3 install --root /tmp/stagehand-pip-root -r " + requirementsFile)),
                "forever-" + UUID.randomUUID());
    }

    @Test
    void testUnreachableEngineIsReportedPlainly()
    {
        assertThatThrownBy(() -> new DockerRuntimeProvider(DockerConfig.fromMap(Map.of("docker.host", "unix:///tmp/no-such-docker.sock")), "unreachable"))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.PROVIDER_UNAVAILABLE.toErrorCode()))
                .hasMessageContaining("/tmp/no-such-docker.sock")
                .hasMessageContaining("docker.host");
    }
}
