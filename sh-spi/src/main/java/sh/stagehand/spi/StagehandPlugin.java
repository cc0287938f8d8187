package sh.stagehand.spi;

/**
 * The entry point of a third-party jar, found with {@link java.util.ServiceLoader}: list the
 * implementing class in {@code META-INF/services/sh.stagehand.spi.StagehandPlugin}. A plugin
 * contributes factories; the platform's configuration picks, per provider kind, the factory whose
 * {@code name()} it names (e.g. {@code runtime.type=kubernetes}).
 *
 * <p>Needs no dependency-injection framework. Implementations must have a public no-argument
 * constructor and should do no work in it. The method is called once, at platform start-up.
 */
public interface StagehandPlugin
{
    /**
     * The factories this plugin offers, of any kinds; two of one kind may not share a name.
     */
    Iterable<ProviderFactory<?>> providerFactories();
}
