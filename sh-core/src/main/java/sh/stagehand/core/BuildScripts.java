package sh.stagehand.core;

import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildState;
import sh.stagehand.core.odoo.OdooCommandLine;
import sh.stagehand.core.pipeline.BuildSteps;
import sh.stagehand.core.workspace.BuildWorkspaces;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.runtime.ExecListener;
import sh.stagehand.spi.runtime.ExecSession;
import sh.stagehand.spi.runtime.ExecSpec;
import sh.stagehand.spi.runtime.RuntimeProvider;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static java.util.Objects.requireNonNull;

/**
 * Scripts run in a running build's own container, as its user, without a terminal: what the
 * online editor and the Apps tab do there. Nothing of the tenant's is read or run on the host;
 * {@code $1…} are the script's arguments, never part of it. Also Odoo run beside the build's server
 * on its database ({@link #odoo}), as Odoo.sh's editor does, and the server restarted. Thread-safe.
 */
final class BuildScripts
{
    // $1 Odoo's configuration, $2 the database, $3 -u, -i or shell, $4 the modules (-u, -i). The
    // server's own addons path and data directory, as its command line (pid 1's, Odoo's) has
    // them: the configuration file has neither. The shell reads the script's input (fd 3: the
    // loop reads the pipe).
    private static final String ODOO = """
            exec 3<&0
            tr '\\0' '\\n' < /proc/1/cmdline | {
                a=; d=; p=
                while IFS= read -r x; do
                    case "$p" in --addons-path) a=$x ;; --data-dir) d=$x ;; esac
                    case "$x" in --addons-path=*) a=${x#*=} ;; --data-dir=*) d=${x#*=} ;; esac
                    p=$x
                done
                if [ "$3" = shell ]; then
                    exec odoo shell -c "$1" ${a:+--addons-path="$a"} ${d:+--data-dir="$d"} -d "$2" --no-http 2>&1 <&3 3<&-
                fi
                exec odoo -c "$1" ${a:+--addons-path="$a"} ${d:+--data-dir="$d"} -d "$2" "$3" "$4" --stop-after-init --no-http 2>&1 </dev/null 3<&-
            }
            """;

    private final RuntimeProvider runtime;
    private final BuildWorkspaces workspaces;

    /**
     * What a script did.
     *
     * @param exitCode its exit code, -1 if the engine did not say
     * @param output what it wrote to its output, up to the limit it was run with
     * @param errors the beginning of what it wrote to its errors
     */
    record Result(int exitCode, byte[] output, String errors)
    {
        String text()
        {
            return new String(output, StandardCharsets.UTF_8);
        }

        /**
         * Its output's last lines.
         */
        List<String> lastLines(int count)
        {
            List<String> lines = text().lines().toList();
            return lines.subList(Math.max(0, lines.size() - count), lines.size());
        }
    }

    BuildScripts(RuntimeProvider runtime, BuildWorkspaces workspaces)
    {
        this.runtime = requireNonNull(runtime, "runtime is null");
        this.workspaces = requireNonNull(workspaces, "workspaces is null");
    }

    /**
     * @param what what the script is for, as in "the editor works in a running build"
     * @param maxOutput the most of its output kept (the rest is dropped)
     */
    Result run(Build build, String what, byte[] input, Duration timeout, int maxOutput, String script, String... arguments)
    {
        requireRunning(build, what);
        List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", script, "sh"));
        command.addAll(List.of(arguments));
        ExecSpec spec = new ExecSpec(command, Optional.of(workspaces.containerUser().asDockerUser()), Optional.of(BuildSteps.ADDONS_DIRECTORY), Map.of(), Optional.empty());
        Capture capture = new Capture(maxOutput);
        try (ExecSession session = runtime.exec(build.containerId().orElseThrow(), spec, capture)) {
            if (input.length > 0) {
                session.write(input);
            }
            session.closeInput();
            OptionalInt exitCode = capture.exit.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return new Result(exitCode.orElse(-1), capture.output(), capture.errors());
        }
        catch (TimeoutException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Build " + build.id() + "'s container did not finish " + what + " within " + timeout.toSeconds() + " s", e);
        }
        catch (ExecutionException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "The command of " + what + " failed in build " + build.id(), e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw StagehandException.interrupted(what + " in build " + build.id(), e);
        }
    }

    /**
     * Odoo beside the build's server, on its database, with the server's own configuration:
     * {@code odoo -u <modules>} or {@code -i <modules>}, {@code --stop-after-init --no-http}.
     *
     * @param flag {@code -u} or {@code -i}
     * @param modules comma-separated module names
     */
    Result odoo(Build build, String what, Duration timeout, String flag, String modules)
    {
        if (!flag.equals("-u") && !flag.equals("-i")) {
            throw new IllegalArgumentException("Not -u or -i: " + flag);
        }
        return run(build, what, new byte[0], timeout, 4 << 20, ODOO, OdooCommandLine.CONFIG_FILE, build.databaseName(), flag, modules);
    }

    /**
     * {@code odoo shell} beside the build's server, on its database, with the server's own
     * configuration, running {@code script} (its standard input).
     */
    Result odooShell(Build build, String what, Duration timeout, String script)
    {
        return run(build, what, script.getBytes(StandardCharsets.UTF_8), timeout, 4 << 20, ODOO, OdooCommandLine.CONFIG_FILE, build.databaseName(), "shell", "");
    }

    /**
     * Restarts the build's server on what its sources and database are now: SIGHUP to pid 1, as
     * Odoo reloads (its process replaced, same arguments).
     */
    void restart(Build build, String what)
    {
        Result result = run(build, what, new byte[0], Duration.ofSeconds(30), 4096, "kill -HUP 1");
        if (result.exitCode() != 0) {
            throw new StagehandException(StandardErrorCode.CONFLICT, "Cannot restart build " + build.id() + "'s server: " + result.errors().strip());
        }
    }

    static void requireRunning(Build build, String what)
    {
        if (build.state() == BuildState.SLEEPING) {
            throw new StagehandException(StandardErrorCode.CONFLICT, "Build " + build.id() + " is asleep: " + what + " works in a running build; open the build (Connect) "
                    + "or its shell to wake it, then try again");
        }
        if (build.state() != BuildState.RUNNING || build.containerId().isEmpty()) {
            throw new StagehandException(StandardErrorCode.CONFLICT, "Build " + build.id() + " is " + build.state().name().toLowerCase(Locale.ROOT)
                    + ": " + what + " works in a running build; rebuild it, or open one of the branch's running builds");
        }
    }

    // What a command writes, up to a limit (the rest is dropped), and the beginning of its errors.
    private static final class Capture
            implements ExecListener
    {
        private final int maxOutput;
        private final ByteArrayOutputStream output = new ByteArrayOutputStream();
        private final ByteArrayOutputStream errors = new ByteArrayOutputStream();
        private final CompletableFuture<OptionalInt> exit = new CompletableFuture<>();

        Capture(int maxOutput)
        {
            this.maxOutput = maxOutput;
        }

        @Override
        public synchronized void onOutput(byte[] data)
        {
            output.write(data, 0, Math.max(0, Math.min(data.length, maxOutput - output.size())));
        }

        @Override
        public synchronized void onErrorOutput(byte[] data)
        {
            errors.write(data, 0, Math.max(0, Math.min(data.length, 4096 - errors.size())));
        }

        @Override
        public void onExit(OptionalInt exitCode)
        {
            exit.complete(exitCode);
        }

        synchronized byte[] output()
        {
            return output.toByteArray();
        }

        synchronized String errors()
        {
            return errors.toString(StandardCharsets.UTF_8);
        }
    }
}
