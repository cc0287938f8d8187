package sh.stagehand.core.logs;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Consumer;

import static java.util.Objects.requireNonNull;

/**
 * One follower of a log: on a thread of its own, reads the log's file up to what was appended,
 * waits for more, and so on until the log is closed (its end callback then) or it is stopped.
 */
final class LogFollower
{
    private static final Logger log = LoggerFactory.getLogger(LogFollower.class);

    private final Path file;
    // Empty: the log was closed already, its file is whole.
    private final Optional<OpenLog> openLog;
    private final Consumer<String> lines;
    private final Runnable end;
    private volatile boolean stopped;
    private Thread thread;

    LogFollower(Path file, Optional<OpenLog> openLog, Consumer<String> lines, Runnable end)
    {
        this.file = file;
        this.openLog = openLog;
        this.lines = requireNonNull(lines, "lines is null");
        this.end = requireNonNull(end, "end is null");
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

    private void deliver()
    {
        try (FileTail tail = new FileTail(file, line -> {
            if (!stopped) {
                lines.accept(line);
            }
        })) {
            while (!stopped) {
                // Everything appended up to `seen` is in the file once flushed: read up to there, then wait for more.
                long seen = openLog.map(OpenLog::flushForFollower).orElse(-1L);
                tail.readToEnd(() -> stopped);
                if (seen < 0) {
                    tail.finish();
                    break;
                }
                openLog.orElseThrow().awaitMore(seen);
            }
        }
        catch (InterruptedException e) {
            // stopped
            return;
        }
        catch (IOException | RuntimeException e) {
            log.debug("A follower of {} failed and is dropped", file, e);
        }
        if (stopped) {
            return;
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
