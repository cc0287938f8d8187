package sh.stagehand.server.ssh;

import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.Signal;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.core.BuildTerminal;
import sh.stagehand.core.ShellRequest;
import sh.stagehand.core.Stagehand;
import sh.stagehand.core.access.Account;
import sh.stagehand.core.routing.HostRouter;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.runtime.ExecListener;
import sh.stagehand.spi.runtime.TerminalSize;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicBoolean;

import static java.util.Objects.requireNonNull;

/**
 * One SSH session's shell or command in a build: the account the key named, the build the user
 * name names ({@code 12}, or a branch's host name), opened through
 * {@link sh.stagehand.core.ShellActions#open} as the web shell's, so the same role checks, limits,
 * audit and {@code shell.log} apply. Its own thread opens it and then reads the client's keys.
 */
final class SshShellCommand
        implements Command, ExecListener
{
    static final AttributeRepository.AttributeKey<Account> ACCOUNT = new AttributeRepository.AttributeKey<>();
    private static final Logger log = LoggerFactory.getLogger(SshShellCommand.class);

    private final Stagehand stagehand;
    private final Optional<String> command;
    private final AtomicBoolean ended = new AtomicBoolean();
    private InputStream in;
    private OutputStream out;
    private OutputStream err;
    private ExitCallback exit;
    private volatile BuildTerminal terminal;
    private volatile boolean destroyed;

    SshShellCommand(Stagehand stagehand, Optional<String> command)
    {
        this.stagehand = requireNonNull(stagehand, "stagehand is null");
        this.command = requireNonNull(command, "command is null");
    }

    @Override
    public void setInputStream(InputStream in)
    {
        this.in = in;
    }

    @Override
    public void setOutputStream(OutputStream out)
    {
        this.out = out;
    }

    @Override
    public void setErrorStream(OutputStream err)
    {
        this.err = err;
    }

    @Override
    public void setExitCallback(ExitCallback exit)
    {
        this.exit = exit;
    }

    @Override
    public void start(ChannelSession channel, Environment environment)
    {
        Account account = channel.getSession().getAttribute(ACCOUNT);
        String user = channel.getSession().getUsername();
        Thread thread = new Thread(() -> run(account, user, environment), "stagehand-ssh-shell");
        thread.setDaemon(true);
        thread.start();
    }

    private void run(Account account, String user, Environment environment)
    {
        try {
            if (account == null) {
                throw new StagehandException(StandardErrorCode.UNAUTHENTICATED, "No account for this session");
            }
            // A client that asked for a terminal sent its size (pty-req); a command run without
            // one (ssh host psql -c '…') gets its output as a pipe would.
            boolean tty = environment.getEnv().containsKey(Environment.ENV_COLUMNS);
            TerminalSize size = size(environment);
            ShellRequest request = command.map(line -> ShellRequest.command("SSH", line, tty, size)).orElse(ShellRequest.interactive("SSH", size));
            terminal = stagehand.actingAs(account).shells().open(buildOf(user), request, this);
            if (destroyed) {
                // The client went while the shell opened.
                terminal.closeLater();
                return;
            }
            if (tty) {
                environment.addSignalListener((channel, signal) -> resize(environment), Signal.WINCH);
            }
            pipeKeys(tty);
        }
        catch (StagehandException e) {
            refuse(e.getMessage());
        }
        catch (RuntimeException e) {
            log.warn("An SSH shell failed", e);
            refuse("The shell failed: " + e.getMessage());
        }
    }

    // The build a user name names: its number, or a branch's host name (as the branch's URL has it).
    private long buildOf(String user)
    {
        if (user.matches("[0-9]{1,18}")) {
            return Long.parseLong(user);
        }
        return stagehand.hosts().route(user)
                .flatMap(HostRouter.Route::build)
                .map(build -> build.id())
                .orElseThrow(() -> new StagehandException(StandardErrorCode.NOT_FOUND, "No running build answers as '" + user
                        + "': log in as the build's number (ssh -p <port> 12@<host>) or its branch's host name"));
    }

    private void pipeKeys(boolean tty)
            throws StagehandException
    {
        byte[] buffer = new byte[8192];
        try {
            for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                if (read > 0) {
                    terminal.write(Arrays.copyOf(buffer, read));
                }
            }
            // The client's input ended (ssh host cmd < file): the command reads its end.
            if (!tty) {
                terminal.closeInput();
            }
        }
        catch (IOException e) {
            // The channel closed: destroy ends the shell.
        }
    }

    private void resize(Environment environment)
    {
        BuildTerminal open = terminal;
        if (open != null) {
            open.resize(size(environment));
        }
    }

    // The client's terminal's size; 0 (a client that does not know it: ssh -tt from a script) is 80x24's.
    private static TerminalSize size(Environment environment)
    {
        try {
            int columns = Integer.parseInt(environment.getEnv().getOrDefault(Environment.ENV_COLUMNS, "0"));
            int rows = Integer.parseInt(environment.getEnv().getOrDefault(Environment.ENV_LINES, "0"));
            return new TerminalSize(columns < 1 ? TerminalSize.DEFAULT.columns() : Math.min(columns, TerminalSize.MAX),
                    rows < 1 ? TerminalSize.DEFAULT.rows() : Math.min(rows, TerminalSize.MAX));
        }
        catch (NumberFormatException e) {
            return TerminalSize.DEFAULT;
        }
    }

    private void refuse(String message)
    {
        try {
            err.write(("Stagehand: " + message + "\r\n").getBytes(StandardCharsets.UTF_8));
            err.flush();
        }
        catch (IOException e) {
            // The client is gone.
        }
        finish(OptionalInt.of(1));
    }

    @Override
    public void onOutput(byte[] data)
    {
        send(out, data);
    }

    @Override
    public void onErrorOutput(byte[] data)
    {
        send(err, data);
    }

    // To the client; one gone ends the shell.
    private void send(OutputStream stream, byte[] data)
    {
        try {
            stream.write(data);
            stream.flush();
        }
        catch (IOException e) {
            BuildTerminal open = terminal;
            if (open != null) {
                open.closeLater();
            }
        }
    }

    @Override
    public void onExit(OptionalInt exitCode)
    {
        finish(exitCode);
    }

    private void finish(OptionalInt exitCode)
    {
        if (ended.compareAndSet(false, true)) {
            exit.onExit(exitCode.orElse(255));
        }
    }

    @Override
    public void destroy(ChannelSession channel)
    {
        destroyed = true;
        BuildTerminal open = terminal;
        if (open != null) {
            open.closeLater();
        }
    }
}
