package sh.stagehand.core.odoo;

import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * The addons of one checked-out revision, as {@link AddonScanner} found them.
 *
 * @param addons every usable addon, those at the repository root first, then directory by directory; no two share a name
 * @param invalidAddons the directories holding a manifest the platform cannot use, in the same order
 * @param addonsDirectories the directories holding addons, relative to the repository root ("" is the
 *         root itself), in the order of the addons path: the root first
 * @param submodulePaths the paths of the git submodules of the checkout
 *
 * <p>Immutable and thread-safe.
 */
public record AddonScan(List<Addon> addons, List<InvalidAddon> invalidAddons, List<String> addonsDirectories, Set<String> submodulePaths)
{
    private static final int MAX_NAMES_IN_MESSAGE = 20;

    public AddonScan
    {
        addons = List.copyOf(requireNonNull(addons, "addons is null"));
        invalidAddons = List.copyOf(requireNonNull(invalidAddons, "invalidAddons is null"));
        addonsDirectories = List.copyOf(requireNonNull(addonsDirectories, "addonsDirectories is null"));
        submodulePaths = Set.copyOf(requireNonNull(submodulePaths, "submodulePaths is null"));
        // Odoo would load only the first of two modules of one name on the addons path, usable or not.
        Map<String, String> pathByName = new HashMap<>();
        for (Addon addon : addons) {
            String other = pathByName.putIfAbsent(addon.name(), addon.relativePath());
            if (other != null) {
                throw duplicate(addon.name(), other, addon.relativePath());
            }
        }
        for (InvalidAddon invalid : invalidAddons) {
            String other = pathByName.putIfAbsent(invalid.name(), invalid.relativePath());
            if (other != null) {
                throw duplicate(invalid.name(), other, invalid.relativePath());
            }
        }
    }

    private static StagehandException duplicate(String name, String firstPath, String secondPath)
    {
        return new StagehandException(OdooErrorCode.DUPLICATE_MODULE, "Addon %s is in the repository twice, at %s and at %s: Odoo would load only the one that comes first in the addons path. Remove or rename one of them"
                .formatted(name, firstPath, secondPath));
    }

    public Optional<Addon> addon(String name)
    {
        return addons.stream().filter(addon -> addon.name().equals(name)).findFirst();
    }

    /**
     * The value of {@code --addons-path} for the repository mounted at {@code mountPoint} in the
     * container: the mount point itself when the root holds addons, then each directory that does.
     * Odoo's own addons are not included; Odoo adds them.
     *
     * @param mountPoint where the repository root is mounted, e.g. {@code /mnt/extra-addons}
     */
    public List<String> addonsPath(String mountPoint)
    {
        requireNonNull(mountPoint, "mountPoint is null");
        if (!mountPoint.startsWith("/") || mountPoint.contains(",")) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Mount point '" + mountPoint + "' is not an absolute container path without ',': use e.g. /mnt/extra-addons");
        }
        String base = mountPoint.length() > 1 && mountPoint.endsWith("/") ? mountPoint.substring(0, mountPoint.length() - 1) : mountPoint;
        return addonsDirectories.stream()
                .map(directory -> directory.isEmpty() ? base : (base.equals("/") ? "" : base) + "/" + directory)
                .toList();
    }

    /**
     * The modules a build installs ({@code -i}) under a branch's module setting.
     *
     * @param explicitModules the branch's list, used only with {@link ModuleSelection#EXPLICIT}
     * @return {@link ModuleSelection#OWN_MODULES}: the installable addons outside submodules;
     *         {@link ModuleSelection#ALL}: every installable addon, both sorted by name;
     *         {@link ModuleSelection#EXPLICIT}: the list as given, without repetitions
     * @throws StagehandException {@link OdooErrorCode#UNKNOWN_MODULE} when a listed module is not in
     *         the repository, {@link OdooErrorCode#UNINSTALLABLE_MODULE} when it is not installable,
     *         {@link OdooErrorCode#INVALID_MODULE_NAME} when a name is malformed; and, naming each
     *         one, the error of every {@link #invalidAddons() invalid addon} the selection takes
     */
    public List<String> modulesToInstall(ModuleSelection selection, List<String> explicitModules)
    {
        requireNonNull(selection, "selection is null");
        requireNonNull(explicitModules, "explicitModules is null");
        List<InvalidAddon> selectedInvalid = invalidAddons.stream()
                .filter(invalid -> selects(selection, explicitModules, invalid))
                .toList();
        if (!selectedInvalid.isEmpty()) {
            throw unusable(selectedInvalid);
        }
        return switch (selection) {
            case OWN_MODULES -> addons.stream()
                    .filter(addon -> addon.manifest().installable() && !addon.inSubmodule())
                    .map(Addon::name)
                    .sorted()
                    .toList();
            case ALL -> addons.stream()
                    .filter(addon -> addon.manifest().installable())
                    .map(Addon::name)
                    .sorted()
                    .toList();
            case EXPLICIT -> explicit(explicitModules);
        };
    }

    private List<String> explicit(List<String> explicitModules)
    {
        Set<String> selected = new LinkedHashSet<>();
        List<String> unknown = new ArrayList<>();
        for (String name : explicitModules) {
            ModuleNames.requireValid(name);
            Optional<Addon> addon = addon(name);
            if (addon.isEmpty()) {
                unknown.add(name);
            }
            else if (!addon.get().manifest().installable()) {
                throw new StagehandException(OdooErrorCode.UNINSTALLABLE_MODULE, "Module %s is in the branch's module list, but the __manifest__.py of %s says 'installable': False. Remove it from the list, or make it installable"
                        .formatted(name, addon.get().relativePath()));
            }
            selected.add(name);
        }
        if (!unknown.isEmpty()) {
            throw new StagehandException(OdooErrorCode.UNKNOWN_MODULE, "The branch's module list names %s, not found in the repository (found: %s). Fix the list, or add the module%s to the repository"
                    .formatted(unknown.size() == 1 ? "module " + unknown.get(0) : "modules " + String.join(", ", unknown), knownNames(), unknown.size() == 1 ? "" : "s"));
        }
        return List.copyOf(selected);
    }

    /**
     * The invalid addons a build under this selection leaves alone, as Odoo leaves alone an
     * unreadable module nothing asks for: e.g. those in submodules, under {@link ModuleSelection#OWN_MODULES}.
     */
    public List<InvalidAddon> invalidAddonsNotSelected(ModuleSelection selection, List<String> explicitModules)
    {
        requireNonNull(selection, "selection is null");
        requireNonNull(explicitModules, "explicitModules is null");
        return invalidAddons.stream()
                .filter(invalid -> !selects(selection, explicitModules, invalid))
                .toList();
    }

    private static boolean selects(ModuleSelection selection, List<String> explicitModules, InvalidAddon invalid)
    {
        return switch (selection) {
            case OWN_MODULES -> !invalid.inSubmodule();
            case ALL -> true;
            case EXPLICIT -> explicitModules.contains(invalid.name());
        };
    }

    private static StagehandException unusable(List<InvalidAddon> invalid)
    {
        if (invalid.size() == 1) {
            return new StagehandException(invalid.get(0)::errorCode, "Addon " + invalid.get(0).name() + " cannot be installed. " + invalid.get(0).problem());
        }
        return new StagehandException(invalid.get(0)::errorCode, invalid.size() + " addons cannot be installed: "
                + invalid.stream().map(InvalidAddon::name).collect(Collectors.joining(", ")) + ".\n"
                + invalid.stream().map(InvalidAddon::problem).collect(Collectors.joining("\n")));
    }

    private String knownNames()
    {
        List<String> names = addons.stream().map(Addon::name).sorted().toList();
        if (names.isEmpty()) {
            return "no addon at all";
        }
        String shown = names.stream().limit(MAX_NAMES_IN_MESSAGE).collect(Collectors.joining(", "));
        return names.size() > MAX_NAMES_IN_MESSAGE ? shown + " and " + (names.size() - MAX_NAMES_IN_MESSAGE) + " more" : shown;
    }
}
