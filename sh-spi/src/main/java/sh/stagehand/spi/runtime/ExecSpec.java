package sh.stagehand.spi.runtime;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A process to run in a running container with a terminal: a shell, {@code psql}, {@code odoo shell}.
 *
 * @param command the program and its arguments
 * @param user who it runs as ({@code 1000:1000} or a user of the image); the container's user if empty
 * @param workingDirectory where it starts; the image's if empty
 * @param environment added to the container's
 * @param size the terminal's size at the start
 */
public record ExecSpec(List<String> command, Optional<String> user, Optional<String> workingDirectory, Map<String, String> environment, TerminalSize size)
{
    public ExecSpec
    {
        command = List.copyOf(requireNonNull(command, "command is null"));
        requireNonNull(user, "user is null");
        requireNonNull(workingDirectory, "workingDirectory is null");
        environment = Map.copyOf(requireNonNull(environment, "environment is null"));
        requireNonNull(size, "size is null");
        if (command.isEmpty()) {
            throw new IllegalArgumentException("command is empty");
        }
    }

    /**
     * {@code command} as the container's user, where the image starts, at {@link TerminalSize#DEFAULT}.
     */
    public static ExecSpec of(String... command)
    {
        return new ExecSpec(List.of(command), Optional.empty(), Optional.empty(), Map.of(), TerminalSize.DEFAULT);
    }

    public ExecSpec withUser(String user)
    {
        return new ExecSpec(command, Optional.of(user), workingDirectory, environment, size);
    }

    public ExecSpec withWorkingDirectory(String directory)
    {
        return new ExecSpec(command, user, Optional.of(directory), environment, size);
    }

    public ExecSpec withEnvironment(Map<String, String> variables)
    {
        return new ExecSpec(command, user, workingDirectory, variables, size);
    }

    public ExecSpec withSize(TerminalSize terminal)
    {
        return new ExecSpec(command, user, workingDirectory, environment, terminal);
    }
}
