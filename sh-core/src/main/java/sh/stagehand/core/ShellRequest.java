package sh.stagehand.core;

import sh.stagehand.spi.runtime.TerminalSize;

import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * What a shell is asked for: an interactive one, or one command ({@code ssh … psql -c '…'});
 * with a terminal, or, for a command, without (its output as it writes it, nothing echoed).
 *
 * @param via how it is reached, for the audit log and {@code shell.log}: {@code "the web"}, {@code "SSH"}
 * @param command the command line, run by {@code /bin/sh -c}; empty for an interactive shell
 * @param terminal whether the client has a terminal (a command without one gets no line editing:
 *        its {@code \n} stay {@code \n}, and what is sent to it is not echoed)
 */
public record ShellRequest(String via, TerminalSize size, Optional<String> command, boolean terminal)
{
    public ShellRequest
    {
        requireNonNull(via, "via is null");
        requireNonNull(size, "size is null");
        requireNonNull(command, "command is null");
        if (command.isEmpty() && !terminal) {
            throw new IllegalArgumentException("An interactive shell has a terminal");
        }
    }

    public static ShellRequest interactive(String via, TerminalSize size)
    {
        return new ShellRequest(via, size, Optional.empty(), true);
    }

    public static ShellRequest command(String via, String command, boolean terminal, TerminalSize size)
    {
        return new ShellRequest(via, size, Optional.of(command), terminal);
    }
}
