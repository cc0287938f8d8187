package sh.stagehand.core.logs;

import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.runtime.LogLine;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

import static java.util.Objects.requireNonNull;

/**
 * Each build's logs as files under {@code <directory>/<build id>/<name>.log}, written line by line
 * and followable while they grow.
 *
 * <p>A follower first receives every line written so far, then each new one, with none lost or
 * repeated in between, then its end-of-log callback when the log is closed. Each follower reads
 * the file itself, on a thread of its own, at its own pace: a slow reader never holds up the build
 * writing the log, and no line is held in memory for it.
 *
 * <p>What a build prints is the tenant's: a line is kept up to {@link #MAX_LINE_BYTES} (a runtime's
 * line, cut at {@link LogLine#MAX_TEXT_BYTES} and marked, passes whole), and a longer one is cut and
 * marked as a runtime cuts it; reading never holds more than one such line either.
 *
 * <p>Each log being written is an {@link OpenLog}; each follower a {@link LogFollower}, reading the
 * file through a {@link FileTail}; lines are cut by {@link LineCut}.
 *
 * <p>Thread-safe. {@link #close()} flushes and closes every log.
 */
public final class BuildLogs
        implements AutoCloseable
{
    /**
     * The longest line kept, in bytes of UTF-8: a runtime's longest line with its cut marker.
     */
    public static final int MAX_LINE_BYTES = LogLine.MAX_TEXT_BYTES + 128;

    private final Path directory;
    private final Map<Path, OpenLog> open = new HashMap<>();
    private final Set<Path> finished = new HashSet<>();

    public BuildLogs(Path directory)
    {
        this.directory = requireNonNull(directory, "directory is null");
    }

    /**
     * Appends one line to the log (created if new).
     */
    public void append(long buildId, LogName name, String line)
    {
        openLog(path(buildId, name)).append(LineCut.cut(line));
    }

    /**
     * Ties what feeds the log (e.g. a container's log stream) to it: {@link #close(long, LogName)}
     * closes the source first, so that no line comes after the log is closed.
     */
    public void attachSource(long buildId, LogName name, AutoCloseable source)
    {
        openLog(path(buildId, name)).attach(source);
    }

    /**
     * Closes the log's source, flushes and closes the log, and ends its followers. It can still be
     * read and followed.
     */
    public void close(long buildId, LogName name)
    {
        Path file = path(buildId, name);
        OpenLog openLog;
        synchronized (open) {
            openLog = open.remove(file);
            finished.add(file);
        }
        if (openLog != null) {
            openLog.close();
        }
    }

    /**
     * Writes what was appended to the log so far to its file ({@link #path}), for a reader of the
     * file itself.
     */
    public void flush(long buildId, LogName name)
    {
        currentLog(path(buildId, name)).ifPresent(OpenLog::flush);
    }

    /**
     * @return the lines written so far; empty if the log does not exist. All in memory: for a
     *         reader that needs them so; {@link #writeTo} streams a log of any size
     */
    public List<String> read(long buildId, LogName name)
    {
        Path file = path(buildId, name);
        currentLog(file).ifPresent(OpenLog::flush);
        List<String> lines = new ArrayList<>();
        try (FileTail tail = new FileTail(file, lines::add)) {
            tail.readToEnd(() -> false);
            tail.finish();
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot read " + file + ": " + e, e);
        }
        return lines;
    }

    /**
     * Writes the log as written so far to {@code out}, streamed from its file; nothing if the log
     * does not exist.
     */
    public void writeTo(long buildId, LogName name, OutputStream out)
    {
        Path file = path(buildId, name);
        currentLog(file).ifPresent(OpenLog::flush);
        try {
            Files.copy(file, out);
        }
        catch (NoSuchFileException e) {
            // not written yet: an empty log
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot read " + file + ": " + e, e);
        }
    }

    /**
     * Sends the log's lines so far to {@code lines}, then each new line as it is written, until the
     * returned handle is closed; {@code end} runs once when the log is closed (or already was) and
     * its last line was sent, or when {@code lines} fails.
     */
    public AutoCloseable follow(long buildId, LogName name, Consumer<String> lines, Runnable end)
    {
        Path file = path(buildId, name);
        OpenLog openLog;
        synchronized (open) {
            openLog = open.get(file);
            // A log not written yet, and not closed, will be: follow it from its first line.
            if (openLog == null && !finished.contains(file) && !Files.exists(file)) {
                openLog = open.computeIfAbsent(file, OpenLog::new);
            }
        }
        LogFollower follower = new LogFollower(file, Optional.ofNullable(openLog), lines, end);
        follower.start();
        return follower::stop;
    }

    /**
     * Deletes the log files of a build that has not written any yet in this process: files left
     * under its id by an earlier platform whose records were lost.
     */
    public void clearStale(long buildId)
    {
        for (LogName name : LogName.values()) {
            Path file = path(buildId, name);
            synchronized (open) {
                OpenLog openLog = open.get(file);
                if (openLog != null && openLog.hasWritten()) {
                    continue;
                }
                finished.remove(file);
            }
            try {
                Files.deleteIfExists(file);
            }
            catch (IOException e) {
                throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot delete the stale log " + file + ": " + e, e);
            }
        }
    }

    public Path path(long buildId, LogName name)
    {
        return directory.resolve(Long.toString(buildId)).resolve(name.fileName());
    }

    @Override
    public void close()
    {
        List<OpenLog> all;
        synchronized (open) {
            all = new ArrayList<>(open.values());
            finished.addAll(open.keySet());
            open.clear();
        }
        all.forEach(OpenLog::close);
    }

    private OpenLog openLog(Path file)
    {
        synchronized (open) {
            return open.computeIfAbsent(file, OpenLog::new);
        }
    }

    private Optional<OpenLog> currentLog(Path file)
    {
        synchronized (open) {
            return Optional.ofNullable(open.get(file));
        }
    }
}
