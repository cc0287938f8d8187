package sh.stagehand.core;

import jakarta.inject.Inject;
import sh.stagehand.core.config.StagehandConfig.ProviderKind;
import sh.stagehand.spi.ProviderFactory;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.util.Arrays;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * Every provider factory the platform was given (its own, the embedder's, the plugins'), by kind and
 * name. Immutable.
 */
final class ProviderFactories
{
    private final Map<ProviderKind, Map<String, ProviderFactory<?>>> byKind = new EnumMap<>(ProviderKind.class);

    /**
     * @throws StagehandException a factory of no provider kind, or two of one kind sharing a name
     */
    @Inject
    ProviderFactories(Set<ProviderFactory<?>> factories)
    {
        Arrays.stream(ProviderKind.values()).forEach(kind -> byKind.put(kind, new TreeMap<>()));
        for (ProviderFactory<?> factory : requireNonNull(factories, "factories is null")) {
            ProviderKind kind = Arrays.stream(ProviderKind.values())
                    .filter(candidate -> candidate.type().equals(factory.kind()))
                    .findFirst()
                    .orElseThrow(() -> new StagehandException(StandardErrorCode.INVALID_CONFIGURATION,
                            "Provider factory '%s' makes a %s, which is not a provider kind; make one of %s"
                                    .formatted(factory.name(), factory.kind().getName(), Arrays.stream(ProviderKind.values()).map(each -> each.type().getSimpleName()).toList())));
            ProviderFactory<?> previous = byKind.get(kind).putIfAbsent(factory.name(), factory);
            if (previous != null) {
                throw new StagehandException(StandardErrorCode.INVALID_CONFIGURATION,
                        "Two providers of %s are named '%s' (%s and %s): add only one of the modules or plugins that offer them"
                                .formatted(kind.key(), factory.name(), previous, factory));
            }
        }
    }

    Collection<ProviderFactory<?>> all()
    {
        return byKind.values().stream().flatMap(factories -> factories.values().stream()).toList();
    }

    /**
     * @throws StagehandException {@link StandardErrorCode#INVALID_CONFIGURATION} with the names there are
     */
    <P extends AutoCloseable> ProviderFactory<P> get(ProviderKind kind, Class<P> type, String name)
    {
        return get(kind, type, name, kind.key());
    }

    /**
     * @param key the configuration key that named it, for the message
     * @throws StagehandException {@link StandardErrorCode#INVALID_CONFIGURATION} with the names there are
     */
    @SuppressWarnings("unchecked")
    <P extends AutoCloseable> ProviderFactory<P> get(ProviderKind kind, Class<P> type, String name, String key)
    {
        if (!kind.type().equals(type)) {
            throw new IllegalArgumentException(kind + " makes " + kind.type().getSimpleName() + ", not " + type.getSimpleName());
        }
        ProviderFactory<?> factory = byKind.get(kind).get(name);
        if (factory == null) {
            throw new StagehandException(StandardErrorCode.INVALID_CONFIGURATION,
                    "%s=%s names no provider; available: %s. Fix the key, or add the module or plugin that provides '%s'."
                            .formatted(key, name, List.copyOf(byKind.get(kind).keySet()), name));
        }
        return (ProviderFactory<P>) factory;
    }
}
