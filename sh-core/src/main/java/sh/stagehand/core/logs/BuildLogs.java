package sh.stagehand.core.logs;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Consumer;

import static java.util.Objects.requireNonNull;

/**
 * Each build's logs as files under {@code <directory>/<build id>/<name>.log}, written line by line
 * and followable while they grow.
 *
 * <p>A follower first receives every line written so far, then each new one, with none lost or
 * repeated in between, then its end-of-log callback when the log is closed. Followers are fed from
 * threads of their own through bounded queues: a slow reader never holds up the build writing the
 * log, and one that falls too far behind is dropped (and told, through its end callback).
 *
 * <p>Thread-safe. {@link #close()} flushes and closes every log.
 */
public final class BuildLogs
        implements AutoCloseable
{
    private static final Logger log = LoggerFactory.getLogger(BuildLogs.class);
    private static final int FOLLOWER_QUEUE_LINES = 10_000;

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
        openLog(path(buildId, name)).append(line);
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
     * @return the lines written so far; empty if the log does not exist
     */
    public List<String> read(long buildId, LogName name)
    {
        Path file = path(buildId, name);
        currentLog(file).ifPresent(OpenLog::flush);
        return readFile(file);
    }

    /**
     * Sends the log's lines so far to {@code lines}, then each new line as it is written, until the
     * returned handle is closed; {@code end} runs once when the log is closed (or already was), or
     * when the follower falls too far behind.
     */
    public AutoCloseable follow(long buildId, LogName name, Consumer<String> lines, Runnable end)
    {
        Path file = path(buildId, name);
        Follower follower = new Follower(file, lines, end);
        OpenLog openLog;
        synchronized (open) {
            openLog = open.get(file);
            // A log not written yet, and not closed, will be: follow it from its first line.
            if (openLog == null && !finished.contains(file) && !Files.exists(file)) {
                openLog = open.computeIfAbsent(file, OpenLog::new);
            }
        }
        if (openLog == null) {
            readFile(file).forEach(follower::offer);
            follower.end();
        }
        else {
            openLog.follow(follower);
        }
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

    private static List<String> readFile(Path file)
    {
        try {
            return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot read " + file + ": " + e, e);
        }
    }

    private static final class OpenLog
    {
        private final Path file;
        private final List<Follower> followers = new ArrayList<>();
        private final List<AutoCloseable> sources = new ArrayList<>();
        private BufferedWriter writer;

        OpenLog(Path file)
        {
            this.file = file;
        }

        synchronized void append(String line)
        {
            try {
                if (writer == null) {
                    Files.createDirectories(file.getParent());
                    writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                }
                writer.write(line);
                writer.newLine();
            }
            catch (IOException e) {
                throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot write " + file + ": " + e, e);
            }
            followers.removeIf(follower -> !follower.offer(line));
        }

        synchronized boolean hasWritten()
        {
            return writer != null;
        }

        synchronized void attach(AutoCloseable source)
        {
            sources.add(source);
        }

        synchronized void follow(Follower follower)
        {
            // Under the lock no line can be appended between the replay and the registration.
            flush();
            readFile(file).forEach(follower::offer);
            followers.add(follower);
        }

        synchronized void flush()
        {
            if (writer != null) {
                try {
                    writer.flush();
                }
                catch (IOException e) {
                    throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot write " + file + ": " + e, e);
                }
            }
        }

        void close()
        {
            List<AutoCloseable> toClose;
            synchronized (this) {
                toClose = List.copyOf(sources);
                sources.clear();
            }
            // Outside the lock: a source may be delivering a last line right now.
            for (AutoCloseable source : toClose) {
                try {
                    source.close();
                }
                catch (Exception e) {
                    log.debug("Cannot close the source of {}", file, e);
                }
            }
            synchronized (this) {
                followers.forEach(Follower::end);
                followers.clear();
                if (writer != null) {
                    try {
                        writer.close();
                    }
                    catch (IOException e) {
                        log.warn("Cannot close {}", file, e);
                    }
                    writer = null;
                }
            }
        }
    }

    private static final class Follower
    {
        private static final String END = new String("end of log");

        private final Path file;
        private final Consumer<String> lines;
        private final Runnable end;
        private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(FOLLOWER_QUEUE_LINES + 1);
        private volatile boolean stopped;
        private Thread thread;

        Follower(Path file, Consumer<String> lines, Runnable end)
        {
            this.file = file;
            this.lines = requireNonNull(lines, "lines is null");
            this.end = requireNonNull(end, "end is null");
        }

        /**
         * @return false if the follower is gone or too far behind; it is then ended
         */
        boolean offer(String line)
        {
            if (stopped) {
                return false;
            }
            if (queue.remainingCapacity() <= 1 || !queue.offer(line)) {
                log.info("A follower of {} fell {} lines behind and is dropped", file, FOLLOWER_QUEUE_LINES);
                end();
                return false;
            }
            return true;
        }

        void end()
        {
            queue.offer(END);
        }

        synchronized void start()
        {
            thread = new Thread(this::deliver, "stagehand-log-follower");
            thread.setDaemon(true);
            thread.start();
        }

        synchronized void stop()
        {
            stopped = true;
            if (thread != null) {
                thread.interrupt();
            }
        }

        @SuppressWarnings("StringEquality")
        private void deliver()
        {
            try {
                while (!stopped) {
                    String line = queue.take();
                    if (line == END) {
                        break;
                    }
                    lines.accept(line);
                }
            }
            catch (InterruptedException e) {
                return;
            }
            catch (RuntimeException e) {
                log.debug("A follower of {} failed and is dropped", file, e);
            }
            stopped = true;
            try {
                end.run();
            }
            catch (RuntimeException e) {
                log.debug("The end callback of a follower of {} failed", file, e);
            }
        }
    }
}
