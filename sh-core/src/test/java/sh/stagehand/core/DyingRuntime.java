package sh.stagehand.core;

import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.runtime.ContainerInfo;
import sh.stagehand.spi.runtime.ContainerSpec;
import sh.stagehand.spi.runtime.ImageSpec;
import sh.stagehand.spi.runtime.LogFollow;
import sh.stagehand.spi.runtime.LogListener;
import sh.stagehand.spi.runtime.PreparedImage;
import sh.stagehand.spi.runtime.RuntimeProvider;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * The runtime as a platform's JVM reaches it until it dies: from {@link #die()} on, every call it
 * makes, and every wait it is in, parks for good, as if its process were gone; the engine
 * behind it and the containers on it go on.
 */
final class DyingRuntime
        implements RuntimeProvider
{
    private final RuntimeProvider engine;
    private volatile boolean dead;

    DyingRuntime(RuntimeProvider engine)
    {
        this.engine = engine;
    }

    void die()
    {
        dead = true;
    }

    private <T> T call(Supplier<T> call)
    {
        while (dead) {
            LockSupport.park(this);
        }
        return call.get();
    }

    @Override
    public PreparedImage prepareImage(ImageSpec spec, LogListener pipLog)
    {
        return call(() -> engine.prepareImage(spec, pipLog));
    }

    @Override
    public boolean removeImage(String tag)
    {
        return call(() -> engine.removeImage(tag));
    }

    @Override
    public ContainerInfo start(ContainerSpec spec)
    {
        return call(() -> engine.start(spec));
    }

    @Override
    public Optional<ContainerInfo> inspect(String containerId)
    {
        return call(() -> engine.inspect(containerId));
    }

    @Override
    public List<ContainerInfo> list(Map<String, String> labels)
    {
        return call(() -> engine.list(labels));
    }

    @Override
    public LogFollow followLogs(String containerId, LogListener listener)
    {
        return call(() -> engine.followLogs(containerId, line -> call(() -> {
            listener.onLine(line);
            return null;
        })));
    }

    @Override
    public LogFollow followLogs(String containerId, Instant since, LogListener listener)
    {
        return call(() -> engine.followLogs(containerId, since, listener));
    }

    @Override
    public int awaitExit(String containerId, Duration timeout)
    {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            Duration left = Duration.between(Instant.now(), deadline);
            try {
                return call(() -> engine.awaitExit(containerId, left.compareTo(Duration.ofMillis(50)) < 0 ? left : Duration.ofMillis(50)));
            }
            catch (StagehandException e) {
                if (!e.errorCode().equals(StandardErrorCode.TIMEOUT.toErrorCode()) || left.compareTo(Duration.ofMillis(50)) < 0) {
                    throw e;
                }
            }
        }
    }

    @Override
    public void stop(String containerId, Duration gracePeriod)
    {
        call(() -> {
            engine.stop(containerId, gracePeriod);
            return null;
        });
    }

    @Override
    public boolean remove(String containerId)
    {
        return call(() -> engine.remove(containerId));
    }

    @Override
    public void close()
    {
    }
}
