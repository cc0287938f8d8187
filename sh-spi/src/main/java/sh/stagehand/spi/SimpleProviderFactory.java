package sh.stagehand.spi;

import sh.stagehand.spi.config.ConfigKeys;

import java.util.Map;

import static java.util.Objects.requireNonNull;

record SimpleProviderFactory<P extends AutoCloseable>(Class<P> kind, String name, ConfigKeys configKeys, Creator<P> creator)
        implements ProviderFactory<P>
{
    SimpleProviderFactory
    {
        requireNonNull(kind, "kind is null");
        requireNonNull(name, "name is null");
        requireNonNull(configKeys, "configKeys is null");
        requireNonNull(creator, "creator is null");
        if (!kind.isInterface() || !name.matches("[a-z0-9][a-z0-9-]*")) {
            throw new IllegalArgumentException("A provider factory is named by lower-case letters, digits and '-' and makes a provider interface, not '%s' of %s".formatted(name, kind));
        }
    }

    @Override
    public P create(Map<String, String> config, ProviderContext context)
    {
        return creator.create(config, context);
    }

    @Override
    public String toString()
    {
        return kind.getSimpleName() + " '" + name + "'";
    }
}
