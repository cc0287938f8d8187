package sh.stagehand.docker;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.ExecCreateCmd;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.InspectExecResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Frame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.spi.RandomSecrets;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.runtime.ExecListener;
import sh.stagehand.spi.runtime.ExecSession;
import sh.stagehand.spi.runtime.ExecSpec;
import sh.stagehand.spi.runtime.TerminalSize;

import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static java.util.Objects.requireNonNull;

/**
 * A process in a container, through the engine's exec API: with a terminal ({@code docker exec -it}),
 * or without one ({@code docker exec -i}), its stdout and stderr apart and its input ended on
 * demand ({@link HijackedExecStream}).
 *
 * <p>The engine ends no exec process when its client goes, so the command starts under a line of
 * {@code sh} that notes its process id in a file of the container's {@code /tmp} and then becomes
 * the command, the leader of the terminal's session; {@link #close()} ends every process of that
 * session (what its shell started too) with SIGHUP, then SIGKILL, through a second exec as the same
 * user: nothing runs with more than the session's own rights. A process that leaves the session on
 * purpose ({@code setsid}) stays, as it would after an SSH session, within the container's limits.
 * Thread-safe.
 */
final class DockerExecSession
        extends ResultCallback.Adapter<Frame>
        implements ExecSession
{
    private static final Logger log = LoggerFactory.getLogger(DockerExecSession.class);

    // $0 is the pid file, "$@" the command.
    private static final String WRAPPER = "echo $$ > \"$0\" && exec \"$@\"";
    static final Duration END_WAIT = Duration.ofSeconds(10);

    private final DockerEngine engine;
    private final String containerId;
    private final ExecSpec spec;
    private final ExecListener listener;
    private final String pidFile = "/tmp/.stagehand-exec-" + RandomSecrets.randomHex(12);
    private final PipedOutputStream keyboard = new PipedOutputStream();
    // What is typed goes into the pipe on a thread of the session's own: a shell that does not read
    // its keyboard (stopped, busy) fills the pipe, and must hold no caller's thread; past
    // MAX_UNREAD bytes queued, the session is closed. Its thread also keeps the pipe's writing end
    // alive (a pipe whose last writer thread ended reads as broken).
    private final java.util.concurrent.LinkedBlockingQueue<byte[]> typed = new java.util.concurrent.LinkedBlockingQueue<>();
    private final java.util.concurrent.atomic.AtomicLong unread = new java.util.concurrent.atomic.AtomicLong();
    private final AtomicBoolean overflowing = new AtomicBoolean();
    private static final long MAX_UNREAD = 1L << 20;
    private static final byte[] END_OF_INPUT = new byte[0];
    private static final byte[] CLOSE_INPUT = new byte[0];
    // What a terminal's line discipline takes as the end of the input.
    private static final byte[] CONTROL_D = {4};
    private final CountDownLatch ended = new CountDownLatch(1);
    // Counted down once the listener has had the end: closing the stream before would interrupt
    // its thread in the listener's work (an audit line written, say).
    private final CountDownLatch told = new CountDownLatch(1);
    private volatile Thread telling;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final AtomicBoolean finished = new AtomicBoolean();
    private volatile String execId;
    // A command without a terminal's streams; null with a terminal.
    private volatile HijackedExecStream stream;

    private DockerExecSession(DockerEngine engine, String containerId, ExecSpec spec, ExecListener listener)
    {
        this.engine = requireNonNull(engine, "engine is null");
        this.containerId = requireNonNull(containerId, "containerId is null");
        this.spec = requireNonNull(spec, "spec is null");
        this.listener = requireNonNull(listener, "listener is null");
    }

    /**
     * @throws StagehandException {@code NOT_FOUND} for no such container, {@code CONFLICT} if it does not run
     */
    static DockerExecSession start(DockerEngine engine, String containerId, ExecSpec spec, ExecListener listener)
    {
        InspectContainerResponse container = engine.call("inspect container " + containerId, () -> {
            try {
                return engine.terminalClient().inspectContainerCmd(containerId).exec();
            }
            catch (NotFoundException e) {
                throw new StagehandException(StandardErrorCode.NOT_FOUND, "No container " + containerId, e);
            }
        });
        if (!Boolean.TRUE.equals(container.getState().getRunning())) {
            throw new StagehandException(StandardErrorCode.CONFLICT, "Container " + container.getName() + " does not run: start it before opening a terminal in it");
        }
        DockerExecSession session = new DockerExecSession(engine, containerId, spec, listener);
        session.open();
        return session;
    }

    private void open()
    {
        List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", WRAPPER, pidFile));
        command.addAll(spec.command());
        boolean tty = spec.terminal().isPresent();
        execId = engine.call("create a terminal in container " + containerId, () -> {
            ExecCreateCmd create = engine.terminalClient().execCreateCmd(containerId)
                    .withCmd(command.toArray(String[]::new))
                    .withTty(tty)
                    .withAttachStdin(true)
                    .withAttachStdout(true)
                    .withAttachStderr(true)
                    .withPrivileged(false)
                    .withEnv(environment(spec.environment()));
            spec.user().ifPresent(create::withUser);
            spec.workingDirectory().ifPresent(create::withWorkingDir);
            return create.exec().getId();
        });
        try {
            Thread writer = new Thread(this::pipeKeyboard, "stagehand-shell-keyboard");
            writer.setDaemon(true);
            if (!tty) {
                // Its own connection, whose writing half ends the process's input (see HijackedExecStream).
                stream = engine.call("start a command in container " + containerId, () -> {
                    try {
                        return HijackedExecStream.start(engine.host(), execId);
                    }
                    catch (IOException e) {
                        throw new StagehandException(StandardErrorCode.PROVIDER_UNAVAILABLE, "Cannot start a command in container " + containerId + ": " + e.getMessage(), e);
                    }
                });
                writer.start();
                Thread reader = new Thread(this::pumpStreams, "stagehand-exec-output");
                reader.setDaemon(true);
                reader.start();
                return;
            }
            PipedInputStream input = new PipedInputStream(keyboard, 64 * 1024);
            writer.start();
            engine.call("start a terminal in container " + containerId, () -> engine.terminalClient().execStartCmd(execId)
                    .withTty(true)
                    .withStdIn(input)
                    .exec(this));
        }
        catch (IOException e) {
            closeQuietly();
            throw new StagehandException(StandardErrorCode.GENERIC_INTERNAL_ERROR, "Cannot open a terminal's input", e);
        }
        catch (RuntimeException e) {
            closeQuietly();
            throw e;
        }
        // The engine takes a size once the process runs.
        for (int attempt = 0; attempt < 50 && isOpen(); attempt++) {
            if (running()) {
                resize(spec.terminal().orElseThrow());
                return;
            }
            sleep(Duration.ofMillis(20));
        }
    }

    // A command without a terminal: its stdout and stderr, frame by frame, until they end.
    private void pumpStreams()
    {
        try {
            stream.pump(data -> deliver(data, false), data -> deliver(data, true));
        }
        catch (IOException e) {
            if (!closing.get()) {
                log.debug("The streams of a command in container {} ended", containerId, e);
            }
        }
        finish();
    }

    private void deliver(byte[] data, boolean error)
    {
        try {
            if (error) {
                listener.onErrorOutput(data);
            }
            else {
                listener.onOutput(data);
            }
        }
        catch (RuntimeException e) {
            log.warn("A command's listener failed on its output", e);
        }
    }

    private static List<String> environment(Map<String, String> variables)
    {
        List<String> environment = new ArrayList<>();
        if (!variables.containsKey("TERM")) {
            environment.add("TERM=xterm-256color");
        }
        variables.forEach((name, value) -> environment.add(name + "=" + value));
        return environment;
    }

    @Override
    public void onNext(Frame frame)
    {
        try {
            listener.onOutput(frame.getPayload());
        }
        catch (RuntimeException e) {
            log.warn("A terminal's listener failed on its output", e);
        }
    }

    @Override
    public void onComplete()
    {
        finish();
        super.onComplete();
    }

    @Override
    public void onError(Throwable throwable)
    {
        if (!closing.get()) {
            log.debug("The terminal stream of container {} ended", containerId, throwable);
        }
        finish();
        super.onError(throwable);
    }

    private void finish()
    {
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        OptionalInt exitCode = OptionalInt.empty();
        try {
            InspectExecResponse exec = engine.terminalClient().inspectExecCmd(execId).exec();
            if (!Boolean.TRUE.equals(exec.isRunning()) && exec.getExitCodeLong() != null) {
                exitCode = OptionalInt.of(exec.getExitCodeLong().intValue());
            }
        }
        catch (RuntimeException e) {
            // The container went with it: the code is not known.
        }
        ended.countDown();
        closeQuietly();
        telling = Thread.currentThread();
        try {
            listener.onExit(exitCode);
        }
        catch (RuntimeException e) {
            log.warn("A terminal's listener failed on its end", e);
        }
        finally {
            told.countDown();
        }
    }

    @Override
    public void write(byte[] input)
    {
        if (!isOpen() || closing.get() || input.length == 0) {
            return;
        }
        if (unread.addAndGet(input.length) > MAX_UNREAD) {
            if (!overflowing.compareAndSet(false, true)) {
                return;
            }
            log.info("The shell in container {} does not read its keyboard ({} bytes waiting): closing it", containerId, unread.get());
            Thread closer = new Thread(this::close, "stagehand-shell-unread");
            closer.setDaemon(true);
            closer.start();
            return;
        }
        typed.add(input.clone());
    }

    private void pipeKeyboard()
    {
        try {
            while (true) {
                byte[] input = typed.take();
                if (input == END_OF_INPUT) {
                    return;
                }
                HijackedExecStream command = stream;
                if (input == CLOSE_INPUT) {
                    if (command != null) {
                        command.closeInput();
                        continue;
                    }
                    input = CONTROL_D;
                }
                else {
                    unread.addAndGet(-input.length);
                }
                if (command != null) {
                    command.write(input);
                }
                else {
                    keyboard.write(input);
                    keyboard.flush();
                }
            }
        }
        catch (IOException e) {
            // The process ended: what it was typed goes nowhere, as at a closed terminal.
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void closeInput()
    {
        if (isOpen() && !closing.get()) {
            typed.add(CLOSE_INPUT);
        }
    }

    @Override
    public void resize(TerminalSize size)
    {
        if (!isOpen() || spec.terminal().isEmpty()) {
            return;
        }
        try {
            engine.terminalClient().resizeExecCmd(execId).withSize(size.rows(), size.columns()).exec();
        }
        catch (RuntimeException e) {
            log.debug("Cannot resize the terminal of container {}", containerId, e);
        }
    }

    @Override
    public boolean isOpen()
    {
        return ended.getCount() > 0;
    }

    @Override
    public void close()
    {
        if (!closing.compareAndSet(false, true)) {
            awaitEnd();
            return;
        }
        try {
            SessionKiller.kill(engine, containerId, spec.user(), pidFile, END_WAIT);
            // The process ended: its stream ends after its last output.
            awaitEnd();
        }
        finally {
            if (finished.get()) {
                awaitTold();
            }
            closeQuietly();
            try {
                super.close();
            }
            catch (IOException e) {
                log.debug("Cannot close the terminal stream of container {}", containerId, e);
            }
            finish();
        }
    }

    private boolean running()
    {
        try {
            return Boolean.TRUE.equals(engine.terminalClient().inspectExecCmd(execId).exec().isRunning());
        }
        catch (RuntimeException e) {
            return false;
        }
    }

    private void awaitEnd()
    {
        try {
            if (!ended.await(END_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("The terminal stream of container {} did not end within {}", containerId, END_WAIT);
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void awaitTold()
    {
        if (Thread.currentThread() == telling) {
            // Closed by the listener itself, as it is told.
            return;
        }
        try {
            told.await(END_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void closeQuietly()
    {
        typed.add(END_OF_INPUT);
        try {
            keyboard.close();
            HijackedExecStream command = stream;
            if (command != null) {
                command.close();
            }
        }
        catch (IOException e) {
            // Nothing reads it any more.
        }
    }

    private static void sleep(Duration duration)
    {
        try {
            Thread.sleep(duration.toMillis());
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
