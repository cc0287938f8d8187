package sh.stagehand.core.odoo;

import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * Finds the addons of a checked-out repository, by the Odoo.sh convention: the repository root is
 * an addons directory, and so is each directory one level down (typically a git submodule holding
 * another repository's addons). An addon is a directory holding a {@code __manifest__.py}.
 *
 * <p>A repository is untrusted input: symbolic links are never followed (a directory link is
 * skipped, a manifest that is a link is refused), so that a hostile repository cannot make the
 * platform read the host's files; hidden directories, {@code __pycache__} and {@code setup} (the
 * setuptools-odoo packaging directory of OCA repositories) are skipped. Directories nested deeper
 * than one level are not searched, as Odoo.sh does not search them.
 *
 * <p>Thread-safe: it holds no state.
 */
public final class AddonScanner
{
    private AddonScanner() {}

    /**
     * @param workspace the root of the checked-out repository
     * @param submodulePaths the '/'-separated paths of the checkout's git submodules, as the
     *        {@link sh.stagehand.spi.vcs.VcsProvider#checkout checkout} reported them: the addons
     *        under them are another repository's
     * @throws StagehandException {@link OdooErrorCode#DUPLICATE_MODULE} for two addons of one name,
     *         {@link OdooErrorCode#INVALID_WORKSPACE} for a manifest at the root,
     *         {@link OdooErrorCode#UNREADABLE_WORKSPACE} when the disk fails
     */
    public static AddonScan scan(Path workspace, Collection<String> submodulePaths)
    {
        requireNonNull(workspace, "workspace is null");
        Set<String> submodules = Set.copyOf(requireNonNull(submodulePaths, "submodulePaths is null"));
        if (!Files.isDirectory(workspace)) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "Cannot scan workspace " + workspace + " for addons: it is not a directory; check the revision out first");
        }
        if (isManifestFile(workspace, "")) {
            throw new StagehandException(OdooErrorCode.INVALID_WORKSPACE, "The root of the repository holds a " + ManifestParser.MANIFEST_FILE_NAME
                    + ", but the root is an addons directory, not an addon: move the module into a directory named after it (e.g. my_module/" + ManifestParser.MANIFEST_FILE_NAME + ")");
        }
        Found found = new Found(submodules);
        List<Path> deeper = new ArrayList<>();
        for (Path child : subdirectories(workspace)) {
            String name = child.getFileName().toString();
            if (!found.addonIfAny(child, name, name)) {
                deeper.add(child);
            }
        }
        if (found.count() > 0) {
            found.addonsDirectories.add("");
        }
        for (Path directory : deeper) {
            String directoryName = directory.getFileName().toString();
            int before = found.count();
            for (Path child : subdirectories(directory)) {
                found.addonIfAny(child, child.getFileName().toString(), directoryName + "/" + child.getFileName());
            }
            if (found.count() > before) {
                found.addonsDirectories.add(directoryName);
            }
        }
        return new AddonScan(found.addons, found.invalidAddons, found.addonsDirectories, submodules);
    }

    /**
     * What the scan found so far.
     */
    private static final class Found
    {
        private final Set<String> submodulePaths;
        private final List<Addon> addons = new ArrayList<>();
        private final List<InvalidAddon> invalidAddons = new ArrayList<>();
        private final List<String> addonsDirectories = new ArrayList<>();

        Found(Set<String> submodulePaths)
        {
            this.submodulePaths = submodulePaths;
        }

        int count()
        {
            return addons.size() + invalidAddons.size();
        }

        /**
         * Records the addon in {@code directory}, usable or not; false when the directory holds no manifest.
         */
        boolean addonIfAny(Path directory, String name, String relativePath)
        {
            boolean inSubmodule = submodulePaths.stream().anyMatch(submodule -> relativePath.equals(submodule) || relativePath.startsWith(submodule + "/"));
            try {
                if (!isManifestFile(directory, relativePath)) {
                    return false;
                }
                if (!ModuleNames.isValid(name)) {
                    throw new StagehandException(OdooErrorCode.INVALID_MODULE_NAME, "Directory %s holds a %s, but '%s' is not a valid module name: rename the directory to lower-case letters, digits and '_' (the module's technical name)"
                            .formatted(relativePath, ManifestParser.MANIFEST_FILE_NAME, name));
                }
                String manifestPath = relativePath + "/" + ManifestParser.MANIFEST_FILE_NAME;
                Manifest manifest = ManifestParser.parse(name, manifestPath, readManifest(directory.resolve(ManifestParser.MANIFEST_FILE_NAME), manifestPath));
                addons.add(new Addon(name, relativePath, inSubmodule, manifest));
            }
            catch (StagehandException e) {
                if (e.errorCode().equals(OdooErrorCode.UNREADABLE_WORKSPACE.toErrorCode())) {
                    throw e;
                }
                invalidAddons.add(new InvalidAddon(name, relativePath, inSubmodule, e.errorCode(), e.getMessage(), e instanceof OdooRefusesManifestException));
            }
            return true;
        }
    }

    private static byte[] readManifest(Path file, String relativePath)
    {
        // NOFOLLOW_LINKS: the file was a regular file when listed; if it has become a link since, opening fails.
        try (SeekableByteChannel channel = Files.newByteChannel(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
                InputStream input = Channels.newInputStream(channel)) {
            // One byte more than allowed, so that the parser reports a file that is too long.
            return input.readNBytes(ManifestParser.MAX_MANIFEST_BYTES + 1);
        }
        catch (IOException e) {
            throw new StagehandException(OdooErrorCode.UNREADABLE_WORKSPACE, "Cannot read " + relativePath + " in the workspace: " + e, e);
        }
    }

    /**
     * Whether {@code directory} holds a manifest; refuses one that is a symbolic link.
     */
    private static boolean isManifestFile(Path directory, String relativeDirectory)
    {
        Path manifest = directory.resolve(ManifestParser.MANIFEST_FILE_NAME);
        Optional<BasicFileAttributes> attributes = attributes(manifest);
        if (attributes.isEmpty()) {
            return false;
        }
        if (attributes.get().isSymbolicLink()) {
            String shown = relativeDirectory.isEmpty() ? ManifestParser.MANIFEST_FILE_NAME : relativeDirectory + "/" + ManifestParser.MANIFEST_FILE_NAME;
            throw new StagehandException(OdooErrorCode.INVALID_WORKSPACE, shown + " is a symbolic link, and links are never followed out of a repository: replace it with the manifest itself");
        }
        return attributes.get().isRegularFile();
    }

    /**
     * The directories directly in {@code directory}, by name; links, hidden and ignored directories left out.
     */
    private static List<Path> subdirectories(Path directory)
    {
        List<Path> directories = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.startsWith(".") || name.equals("__pycache__") || name.equals("setup")) {
                    continue;
                }
                Optional<BasicFileAttributes> attributes = attributes(entry);
                if (attributes.isPresent() && attributes.get().isDirectory() && !attributes.get().isSymbolicLink()) {
                    directories.add(entry);
                }
            }
        }
        catch (IOException e) {
            throw new StagehandException(OdooErrorCode.UNREADABLE_WORKSPACE, "Cannot list directory " + directory + " of the workspace: " + e, e);
        }
        directories.sort((first, second) -> first.getFileName().toString().compareTo(second.getFileName().toString()));
        return directories;
    }

    private static Optional<BasicFileAttributes> attributes(Path path)
    {
        try {
            return Optional.of(Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS));
        }
        catch (NoSuchFileException e) {
            return Optional.empty();
        }
        catch (IOException e) {
            throw new StagehandException(OdooErrorCode.UNREADABLE_WORKSPACE, "Cannot read the attributes of " + path + " in the workspace: " + e, e);
        }
    }
}
