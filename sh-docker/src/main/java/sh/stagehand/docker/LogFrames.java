package sh.stagehand.docker;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.runtime.LineSplitter;
import sh.stagehand.spi.runtime.LogFollow;
import sh.stagehand.spi.runtime.LogLine;
import sh.stagehand.spi.runtime.LogListener;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A container's log as the engine streams it, in frames of stdout and stderr, given to a
 * {@link LogListener} line by line; a listener that fails on a line does not end the stream, and
 * nothing is given once it is closed.
 */
final class LogFrames
        extends ResultCallback.Adapter<Frame>
        implements LogFollow
{
    private static final Logger log = LoggerFactory.getLogger(LogFrames.class);

    private final LogListener listener;
    private final LineSplitter stdout;
    private final LineSplitter stderr;
    private volatile boolean closed;

    LogFrames(LogListener listener)
    {
        this.listener = listener;
        this.stdout = new LineSplitter(text -> deliver(LogLine.Stream.STDOUT, text));
        this.stderr = new LineSplitter(text -> deliver(LogLine.Stream.STDERR, text));
    }

    @Override
    public void onNext(Frame frame)
    {
        (frame.getStreamType() == StreamType.STDERR ? stderr : stdout).accept(frame.getPayload());
    }

    @Override
    public void onComplete()
    {
        stdout.finish();
        stderr.finish();
        super.onComplete();
    }

    @Override
    public void onError(Throwable throwable)
    {
        if (!closed) {
            log.warn("Log stream failed", throwable);
        }
        stdout.finish();
        stderr.finish();
        super.onError(throwable);
    }

    private void deliver(LogLine.Stream stream, String text)
    {
        if (closed) {
            return;
        }
        try {
            listener.onLine(new LogLine(stream, text));
        }
        catch (RuntimeException e) {
            log.warn("Log listener failed on a line; the stream goes on", e);
        }
    }

    @Override
    public boolean awaitCompletion(Duration timeout)
    {
        try {
            return super.awaitCompletion(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (InterruptedException e) {
            throw StagehandException.interrupted("following a container's logs", e);
        }
    }

    @Override
    public void close()
    {
        closed = true;
        try {
            super.close();
        }
        catch (IOException e) {
            log.debug("Failed to close a log stream", e);
        }
    }
}
