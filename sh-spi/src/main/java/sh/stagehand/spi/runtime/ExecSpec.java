package sh.stagehand.spi.runtime;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A process to run in a running container: a shell, {@code psql}, {@code odoo shell}, with a
 * terminal; or a command without one ({@code ssh host psql -c '…'}), its input, output and errors
 * apart, as pipes.
 *
 * @param command the program and its arguments
 * @param user who it runs as ({@code 1000:1000} or a user of the image); the container's user if empty
 * @param workingDirectory where it starts; the image's if empty
 * @param environment added to the container's
 * @param terminal the terminal's size at the start; empty for no terminal
 */
public record ExecSpec(List<String> command, Optional<String> user, Optional<String> workingDirectory, Map<String, String> environment, Optional<TerminalSize> terminal)
{
    public ExecSpec
    {
        command = List.copyOf(requireNonNull(command, "command is null"));
        requireNonNull(user, "user is null");
        requireNonNull(workingDirectory, "workingDirectory is null");
        environment = Map.copyOf(requireNonNull(environment, "environment is null"));
        requireNonNull(terminal, "terminal is null");
        if (command.isEmpty()) {
            throw new IllegalArgumentException("command is empty");
        }
    }

    /**
     * {@code command} as the container's user, where the image starts, at {@link TerminalSize#DEFAULT}.
     */
    public static ExecSpec of(String... command)
    {
        return new ExecSpec(List.of(command), Optional.empty(), Optional.empty(), Map.of(), Optional.of(TerminalSize.DEFAULT));
    }

    public ExecSpec withUser(String user)
    {
        return new ExecSpec(command, Optional.of(user), workingDirectory, environment, terminal);
    }

    public ExecSpec withWorkingDirectory(String directory)
    {
        return new ExecSpec(command, user, Optional.of(directory), environment, terminal);
    }

    public ExecSpec withEnvironment(Map<String, String> variables)
    {
        return new ExecSpec(command, user, workingDirectory, variables, terminal);
    }

    public ExecSpec withSize(TerminalSize size)
    {
        return new ExecSpec(command, user, workingDirectory, environment, Optional.of(size));
    }

    /**
     * The command without a terminal: what it writes comes as it writes it, its errors apart, and
     * {@link ExecSession#closeInput()} ends its input.
     */
    public ExecSpec withoutTerminal()
    {
        return new ExecSpec(command, user, workingDirectory, environment, Optional.empty());
    }
}
