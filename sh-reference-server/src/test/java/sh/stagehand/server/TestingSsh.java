package sh.stagehand.server;

import sh.stagehand.core.Stagehand;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * OpenSSH's own client against the reference server's SSH: keys made with {@code ssh-keygen} and
 * put on a profile as a user pastes its {@code .pub}, commands run as a user types them.
 */
public final class TestingSsh
{
    private TestingSsh() {}

    public record Result(int exitCode, String out, String err) {}

    /**
     * A key of the account's profile (made once in {@code directory}).
     */
    public static Path profileKey(Stagehand stagehand, Path directory, String login)
            throws IOException, InterruptedException
    {
        Path key = directory.resolve(login + "-key");
        if (!Files.exists(key)) {
            run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", login + "@laptop", "-f", key.toString()), null);
            stagehand.accounts().addSshKey(stagehand.accounts().account(login), Files.readString(key.resolveSibling(login + "-key.pub")), "laptop");
        }
        return key;
    }

    /**
     * {@code ssh -p <port> -i <key> <user>@127.0.0.1 [command]}, known hosts kept in {@code directory}.
     */
    public static Result ssh(ReferenceServer server, Path directory, Path key, String user, String command, String... options)
            throws IOException, InterruptedException
    {
        return sshWithInput(server, directory, key, user, command, null, options);
    }

    public static Result sshWithInput(ReferenceServer server, Path directory, Path key, String user, String command, String input, String... options)
            throws IOException, InterruptedException
    {
        // The options first: ssh takes an option's first value.
        List<String> arguments = new ArrayList<>(List.of("ssh"));
        arguments.addAll(List.of(options));
        arguments.addAll(List.of("-p", Integer.toString(server.sshPort()), "-i", key.toString(),
                "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=accept-new", "-o", "UserKnownHostsFile=" + directory.resolve("known_hosts"),
                "-o", "ConnectTimeout=10"));
        arguments.add(user + "@127.0.0.1");
        if (command != null) {
            arguments.add(command);
        }
        return run(arguments, input);
    }

    /**
     * Runs a program, {@code input} its whole standard input.
     */
    public static Result run(List<String> command, String input)
            throws IOException, InterruptedException
    {
        Process process = new ProcessBuilder(command).start();
        try (var stdin = process.getOutputStream()) {
            if (input != null) {
                stdin.write(input.getBytes(StandardCharsets.UTF_8));
            }
        }
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(command + " did not end within 60 s");
        }
        return new Result(process.exitValue(), out.join(), err.join());
    }

    private static String readAll(InputStream in)
    {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
