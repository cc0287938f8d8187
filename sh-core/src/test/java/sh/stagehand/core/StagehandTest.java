package sh.stagehand.core;

import com.google.common.collect.Lists;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sh.stagehand.core.backup.ReplicatedBackupStore;
import sh.stagehand.core.config.StagehandConfig.ProviderKind;
import sh.stagehand.spi.ProviderFactory;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StagehandPlugin;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.config.ConfigKey;
import sh.stagehand.spi.config.ConfigKeys;
import sh.stagehand.spi.config.ConfigType;
import sh.stagehand.spi.database.DatabaseProvider;
import sh.stagehand.spi.runtime.RuntimeProvider;
import sh.stagehand.spi.vcs.VcsProvider;

import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The wiring alone: which factory is picked, with which configuration, and what is closed when.
 * The providers are hand-written stand-ins that only record their lifecycle.
 */
class StagehandTest
{
    @TempDir
    Path dataDirectory;

    private final List<String> events = new CopyOnWriteArrayList<>();

    @Test
    void testPicksConfiguredProvidersAndPassesTheirKeys()
    {
        try (Stagehand stagehand = builder()
                .withProperty("runtime.type", "second-runtime")
                .withProperty("second-runtime.flavour", "blue")
                .withProperty("first-runtime.flavour", "red")
                .build()) {
            assertThat(stagehand.runtime().toString()).isEqualTo("second-runtime{second-runtime.flavour=blue}");
            assertThat(stagehand.activeProviders()).containsEntry(ProviderKind.RUNTIME, "second-runtime").containsEntry(ProviderKind.MAIL, "memory");
            assertThat(stagehand.backups().toString()).contains(dataDirectory.toString());
            assertThat(events).containsExactlyInAnyOrder("create second-runtime", "create database", "create vcs");
        }
        List<String> created = events.stream().filter(event -> event.startsWith("create ")).map(event -> event.substring("create ".length())).toList();
        List<String> closed = events.stream().filter(event -> event.startsWith("close ")).map(event -> event.substring("close ".length())).toList();
        assertThat(closed).isEqualTo(Lists.reverse(created));
    }

    @Test
    void testBackupReplicasAreStoresOfTheirOwn()
    {
        try (Stagehand stagehand = builder()
                .withProperty("backup.replicas", "eu, us")
                .withProperty("backup.replica.eu.directory", dataDirectory.resolve("eu").toString())
                .withProperty("backup.replica.us.directory", dataDirectory.resolve("us").toString())
                .build()) {
            assertThat(stagehand.backups()).isInstanceOfSatisfying(ReplicatedBackupStore.class, store -> {
                assertThat(store.replicas()).containsOnlyKeys("eu", "us");
                assertThat(store.replicas().get("eu").toString()).contains(dataDirectory.resolve("eu").toString());
            });
            assertThat(stagehand.activeProviders()).containsEntry(ProviderKind.BACKUP, "replicas: eu=filesystem, us=filesystem");
        }
        assertThatThrownBy(() -> builder().withProperty("backup.replicas", "eu, EU!").build())
                .isInstanceOf(StagehandException.class)
                .hasMessageContaining("'EU!' is not a replica name");
        assertThatThrownBy(() -> builder().withProperty("backup.replicas", "eu").withProperty("backup.replica.eu.type", "tape").build())
                .isInstanceOf(StagehandException.class)
                .hasMessageContaining("backup.replica.eu.type=tape names no provider; available: [filesystem]");
    }

    @Test
    void testAKeyTypoAnywhereStopsTheStartWithTheKeyMeant()
    {
        // The platform's own keys, under every prefix it reads.
        assertStartRefused("platform.domian", "x.example", "Unknown configuration key platform.domian; did you mean platform.domain?");
        assertStartRefused("backup.keep-dialy", "3", "Unknown configuration key backup.keep-dialy; did you mean backup.keep-daily?");
        assertStartRefused("mail.relay-typ", "none", "Unknown configuration key mail.relay-typ; did you mean mail.relay-type?");
        assertStartRefused("instance.nam", "x", "Unknown configuration key instance.nam; did you mean instance.name?");
        assertStartRefused("mail.outbound-max-age-hours", "72", "Unknown configuration key mail.outbound-max-age-hours; did you mean mail.outbound-max-age? It was renamed");
        // A provider's keys, configured or not; and a key under no known name at all.
        assertStartRefused("filesystem.directry", "/tmp", "Unknown configuration key filesystem.directry; did you mean filesystem.directory?");
        assertStartRefused("memory.max-messages-per-bild", "5", "Unknown configuration key memory.max-messages-per-bild; did you mean memory.max-messages-per-build?");
        assertStartRefused("filesytem.directory", "/tmp", "Unknown configuration key filesytem.directory; did you mean filesystem.directory?");
        assertStartRefused("http.port", "8080", "Unknown configuration key http.port");
        // A replica's keys are its store's.
        assertThatThrownBy(() -> builder().withProperty("backup.replicas", "eu").withProperty("backup.replica.eu.directry", "/tmp").build())
                .isInstanceOf(StagehandException.class)
                .hasMessage("Unknown configuration key backup.replica.eu.directry; did you mean backup.replica.eu.directory?");
        assertThatThrownBy(() -> builder().withProperty("backup.replicas", "eu").withProperty("backup.replica.us.directory", "/tmp").build())
                .isInstanceOf(StagehandException.class)
                .hasMessageContaining("backup.replica.us.directory names no backup replica");
        assertThat(events).isEmpty();
    }

    @Test
    void testKeysTheApplicationDeclaresAreItsOwn()
    {
        ConfigKey<Integer> port = ConfigKey.of("http.port", ConfigType.listenPort(), "8080", "where the API listens");
        try (Stagehand stagehand = builder().withConfigKeys(ConfigKeys.of("the server", port)).withProperty("http.port", "9090").build()) {
            assertThat(stagehand.config().values(ConfigKeys.of("the server", port)).get(port)).isEqualTo(9090);
        }
        assertThatThrownBy(() -> builder().withConfigKeys(ConfigKeys.of("the server", port)).withProperty("http.prot", "9090").build())
                .isInstanceOf(StagehandException.class)
                .hasMessage("Unknown configuration key http.prot; did you mean http.port?");
    }

    private void assertStartRefused(String key, String value, String message)
    {
        assertThatThrownBy(() -> builder().withProperty(key, value).build())
                .as(key)
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.INVALID_CONFIGURATION.toErrorCode()))
                .hasMessageStartingWith(message);
    }

    @Test
    void testUnknownProviderNameSaysWhatIsAvailable()
    {
        assertThatThrownBy(() -> builder().withProperty("runtime.type", "kubernetes").build())
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.INVALID_CONFIGURATION.toErrorCode()))
                .hasMessageContaining("runtime.type=kubernetes")
                .hasMessageContaining("[first-runtime, second-runtime]");
    }

    @Test
    void testTwoProvidersOfOneKindAndNameAreRefused()
    {
        ProviderFactory<RuntimeProvider> another = ProviderFactory.of(RuntimeProvider.class, "first-runtime", ConfigKeys.none(), (config, context) -> {
            throw new AssertionError("not created");
        });
        assertThatThrownBy(() -> builder().withProvider(another).build())
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.INVALID_CONFIGURATION.toErrorCode()))
                .hasMessageContaining("Two providers of runtime.type are named 'first-runtime'");
        // One name may serve two kinds, and the same factory given twice is one.
        ProviderFactory<VcsProvider> sameName = ProviderFactory.of(VcsProvider.class, "first-runtime", ConfigKeys.none(), (config, context) -> {
            throw new AssertionError("not created");
        });
        builder().withProvider(sameName).withProvider(sameName).build().close();
        assertThatThrownBy(() -> builder().withProvider(ProviderFactory.of(AutoCloseable.class, "clock", ConfigKeys.none(), (config, context) -> () -> {})).build())
                .isInstanceOf(StagehandException.class)
                .hasMessageContaining("Provider factory 'clock' makes a java.lang.AutoCloseable, which is not a provider kind");
    }

    @Test
    void testFailedStartClosesWhatWasAlreadyCreated()
    {
        assertThatThrownBy(() -> builder().withProperty("vcs.type", "broken").build())
                .isInstanceOf(StagehandException.class)
                .hasMessageContaining("broken vcs");
        assertThat(events.stream().filter(event -> event.startsWith("create")).map(event -> "close" + event.substring("create".length())).toList())
                .allSatisfy(close -> assertThat(events).contains(close));
    }

    private Stagehand.Builder builder()
    {
        return Stagehand.builder()
                .withProperty("data.directory", dataDirectory.toString())
                .withProperty("runtime.type", "first-runtime")
                .withProperty("database.type", "database")
                .withProperty("vcs.type", "vcs")
                .withPlugin(new RecordingPlugin());
    }

    private final class RecordingPlugin
            implements StagehandPlugin
    {
        @Override
        public Iterable<ProviderFactory<?>> providerFactories()
        {
            return List.of(
                    recordingFactory(RuntimeProvider.class, "first-runtime"),
                    recordingFactory(RuntimeProvider.class, "second-runtime"),
                    recordingFactory(DatabaseProvider.class, "database"),
                    recordingFactory(VcsProvider.class, "vcs"),
                    ProviderFactory.of(VcsProvider.class, "broken", ConfigKeys.none(), (config, context) -> {
                        throw new StagehandException(sh.stagehand.spi.StandardErrorCode.PROVIDER_UNAVAILABLE, "broken vcs cannot start");
                    }));
        }

        private <P extends AutoCloseable> ProviderFactory<P> recordingFactory(Class<P> type, String name)
        {
            return ProviderFactory.of(type, name, ConfigKeys.none(), (config, context) -> recording(type, name, config));
        }
    }

    // A provider that records its creation and closing and does nothing else.
    private <T> T recording(Class<T> type, String name, Map<String, String> config)
    {
        events.add("create " + name);
        String description = name + config;
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, arguments) -> switch (method.getName()) {
            case "close" -> {
                events.add("close " + name);
                yield null;
            }
            case "toString" -> description;
            case "hashCode" -> System.identityHashCode(proxy);
            case "equals" -> proxy == arguments[0];
            default -> throw new IllegalStateException(name + " is a lifecycle stand-in; " + method.getName() + " was not expected in this test");
        }));
    }
}
