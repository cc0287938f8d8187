package sh.stagehand.docker;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.ExecCreateCmd;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Frame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Ends a {@link DockerExecSession}'s processes: every process of its session, through a second
 * exec as the session's own user, so that nothing runs with more than the session's rights.
 */
final class SessionKiller
{
    private static final Logger log = LoggerFactory.getLogger(SessionKiller.class);

    // $0 is the pid file, in a directory the tenant writes: read within a second (it may be a FIFO),
    // a number, and not the session of the container's own processes (pid 1's: a file rewritten to
    // name it would have the platform end the build's server), or nothing is done. Every process
    // of the session (what its shell started, in whichever process group) gets SIGHUP, two seconds
    // to end, then SIGKILL. A process's session
    // is the 4th field after the ") " that ends its name in /proc/<pid>/stat (read by the shell
    // itself: a process per /proc entry would make closing slow in a busy container).
    private static final String KILLER = """
            p=$(timeout 1 cat "$0" 2>/dev/null) || exit 0
            rm -f "$0"
            case "$p" in ''|*[!0-9]*) exit 0 ;; esac
            read -r s < /proc/1/stat 2>/dev/null && set -- ${s##*) } && [ "$4" = "$p" ] && exit 0
            members() { for d in /proc/[0-9]*; do read -r s < "$d/stat" 2>/dev/null || continue; set -- ${s##*) }; [ "$4" = "$p" ] && echo "${d#/proc/}"; done; }
            kill -s HUP $(members) 2>/dev/null
            i=0
            while [ -n "$(members)" ] && [ $i -lt 20 ]; do sleep 0.1; i=$((i + 1)); done
            kill -s KILL $(members) 2>/dev/null
            exit 0
            """;

    private SessionKiller() {}

    // Ends the process group through a second exec, as the session's user; waits for it.
    static void kill(DockerEngine engine, String containerId, Optional<String> user, String pidFile, Duration wait)
    {
        try {
            ExecCreateCmd create = engine.terminalClient().execCreateCmd(containerId)
                    .withCmd("/bin/sh", "-c", KILLER, pidFile)
                    .withAttachStdout(true)
                    .withAttachStderr(true)
                    .withPrivileged(false);
            user.ifPresent(create::withUser);
            String killer = create.exec().getId();
            try (ResultCallback.Adapter<Frame> done = engine.terminalClient().execStartCmd(killer).exec(new ResultCallback.Adapter<>())) {
                if (!done.awaitCompletion(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                    log.warn("Ending the terminal's processes in container {} took longer than {}", containerId, wait);
                }
            }
        }
        catch (NotFoundException e) {
            // The container is gone, and its processes with it.
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        catch (RuntimeException | IOException e) {
            // A container that stopped meanwhile took its processes with it; anything else is said.
            if (containerRuns(engine, containerId)) {
                log.warn("Cannot end the terminal's processes in container {}", containerId, e);
            }
        }
    }

    private static boolean containerRuns(DockerEngine engine, String containerId)
    {
        try {
            return Boolean.TRUE.equals(engine.terminalClient().inspectContainerCmd(containerId).exec().getState().getRunning());
        }
        catch (RuntimeException e) {
            return false;
        }
    }
}
