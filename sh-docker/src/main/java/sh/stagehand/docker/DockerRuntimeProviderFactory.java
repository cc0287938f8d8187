package sh.stagehand.docker;

import sh.stagehand.spi.ProviderContext;
import sh.stagehand.spi.config.ConfigKeys;
import sh.stagehand.spi.runtime.RuntimeProvider;
import sh.stagehand.spi.runtime.RuntimeProviderFactory;

import java.util.Map;

/**
 * {@code runtime.type=docker}; see {@link DockerConfig} for its keys.
 */
public final class DockerRuntimeProviderFactory
        implements RuntimeProviderFactory
{
    public static final String NAME = "docker";

    @Override
    public String name()
    {
        return NAME;
    }

    @Override
    public ConfigKeys configKeys()
    {
        return DockerConfig.KEYS;
    }

    @Override
    public RuntimeProvider create(Map<String, String> config, ProviderContext context)
    {
        return new DockerRuntimeProvider(DockerConfig.fromMap(config), context.instanceName(), context.dataDirectory().resolve("container-files"));
    }
}
