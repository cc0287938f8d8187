package sh.stagehand.core.odoo;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The options of an {@link OdooCommandLine} that install, update and test modules, which only the
 * server takes: {@code -i}, {@code -u}, {@code --without-demo}, {@code --test-enable},
 * {@code --test-tags}, {@code --stop-after-init}. Each value is checked as it is given. Not
 * thread-safe.
 */
final class ModuleOptions
{
    private final Set<String> install = new LinkedHashSet<>();
    private final Set<String> update = new LinkedHashSet<>();
    private boolean withoutDemo;
    private boolean testEnable;
    private Optional<String> testTags = Optional.empty();
    private boolean stopAfterInit;

    void install(List<String> modules)
    {
        modules.forEach(module -> install.add(ModuleNames.requireValid(module)));
    }

    void update(List<String> modules)
    {
        modules.forEach(module -> update.add(ModuleNames.requireValid(module)));
    }

    void withoutDemo()
    {
        this.withoutDemo = true;
    }

    void testEnable()
    {
        this.testEnable = true;
    }

    void testTags(String testTags)
    {
        this.testTags = Optional.of(OdooOptionValues.requireTestTags(testTags));
        this.testEnable = true;
    }

    void stopAfterInit()
    {
        this.stopAfterInit = true;
    }

    /**
     * @return whether any of them was given
     */
    boolean given()
    {
        return !install.isEmpty() || !update.isEmpty() || testEnable || stopAfterInit || withoutDemo;
    }

    void addTo(List<String> arguments)
    {
        if (!install.isEmpty()) {
            Collections.addAll(arguments, "-i", String.join(",", install));
        }
        if (!update.isEmpty()) {
            Collections.addAll(arguments, "-u", String.join(",", update));
        }
        if (withoutDemo) {
            arguments.add("--without-demo=all");
        }
        if (testEnable) {
            arguments.add("--test-enable");
        }
        testTags.ifPresent(tags -> Collections.addAll(arguments, "--test-tags", tags));
        if (stopAfterInit) {
            arguments.add("--stop-after-init");
        }
    }
}
