package sh.stagehand.spi.runtime;

import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs containers: the Odoo server of a build, its install and test run, its shell.
 *
 * <p>Containers are addressed by the id {@link #start} returns. Every container carries the labels
 * of its {@link ContainerSpec}; {@link #list} finds them again by label, which is how a restarted
 * platform reconciles what is running with what it recorded.
 *
 * <p>What runs in a container is a tenant's code, hostile: every container runs without Linux
 * capabilities, without gaining privileges (no set-uid), within its limits (memory, CPUs,
 * processes); containers of different tenants cannot reach each other, and a tenant's container
 * reaches the host only where the operator allows it (the database, the mail catcher); image
 * builds, whose recipes run the tenant's requirements' code, are bounded in time and memory and
 * reach what the tenant's containers reach. {@code BaseLinuxRuntimeProviderContractTest} checks each.
 *
 * <p>Implementations are thread-safe. Every method throws {@link StagehandException} with
 * {@link sh.stagehand.spi.StandardErrorCode#PROVIDER_UNAVAILABLE} when the engine cannot be reached.
 */
public interface RuntimeProvider
        extends AutoCloseable
{
    /**
     * Prepares a build image: the base image, the layer its {@link ImageSpec#recipe() recipe} makes
     * (the steps' output going to {@code pipLog}, each line cut as {@link #followLogs} cuts it), then
     * the source directory copied to the target directory. The recipe's image is cached by the base
     * image and the recipe's {@link ImageRecipe#contentKey() content key}: an unchanged one is
     * reused and no step runs.
     *
     * @throws StagehandException {@code NOT_FOUND} if the base image does not exist;
     *         {@code PROVIDER_ERROR} if a step or the image build fails (the log says why);
     *         {@code TIMEOUT} if the build runs longer than the provider allows
     */
    PreparedImage prepareImage(ImageSpec spec, LogListener pipLog);

    /**
     * Removes an image by tag, if no container uses it. Idempotent.
     *
     * @return whether an image was removed
     */
    boolean removeImage(String tag);

    /**
     * Creates and starts a container. Ports in {@link ContainerSpec#publishedPorts()} are published
     * on the loopback address only, on host ports the engine picks; {@link ContainerInfo#publishedPorts()}
     * tells which. The container runs under an init process, so that it stops on SIGTERM.
     *
     * @return the started container, state {@link ContainerState#RUNNING} or already
     *         {@link ContainerState#EXITED} for a short-lived command
     * @throws StagehandException {@code ALREADY_EXISTS} if a container of that name exists;
     *         {@code NOT_FOUND} if the image does not exist (nothing is pulled implicitly);
     *         {@code PROVIDER_ERROR} if the engine refuses to start it
     */
    ContainerInfo start(ContainerSpec spec);

    /**
     * @return the container's current state, or empty if no such container exists
     */
    Optional<ContainerInfo> inspect(String containerId);

    /**
     * @return every container, running or not, that carries all of the given labels (an empty map
     *         matches every container of this platform instance); in no particular order
     */
    List<ContainerInfo> list(Map<String, String> labels);

    /**
     * Streams the container's output, from its start, line by line, to {@code listener}, on a
     * thread of the provider's. The stream ends when the container exits (after its last line) or
     * when the returned follow is closed. Lines are delivered in order for each stream; stdout and
     * stderr may interleave. A line longer than {@link LogLine#MAX_TEXT_BYTES} is delivered cut and
     * marked, its rest dropped as it comes, never held (the container's code is the tenant's).
     *
     * @throws StagehandException {@code NOT_FOUND} if no such container exists
     */
    LogFollow followLogs(String containerId, LogListener listener);

    /**
     * As {@link #followLogs(String, LogListener)}, from {@code since} on (to the engine's
     * precision, a second) instead of from the container's start: for picking a follow up again
     * after a restart without repeating what was already kept.
     *
     * @throws StagehandException {@code NOT_FOUND} if no such container exists
     */
    LogFollow followLogs(String containerId, Instant since, LogListener listener);

    /**
     * Waits until the container has exited.
     *
     * @return its exit code
     * @throws StagehandException {@code TIMEOUT} if it still runs after {@code timeout};
     *         {@code NOT_FOUND} if no such container exists; {@code INTERRUPTED}
     */
    int awaitExit(String containerId, Duration timeout);

    /**
     * Sends SIGTERM, then SIGKILL after {@code gracePeriod}. Does nothing if the container is not
     * running.
     *
     * @throws StagehandException {@code NOT_FOUND} if no such container exists
     */
    void stop(String containerId, Duration gracePeriod);

    /**
     * Runs a process in a running container with a terminal, as a person at a shell would (the web
     * shell, SSH), or without one ({@code ssh host psql -c '…'}): its terminal's output, or its
     * output and errors apart, go to {@code listener}; {@link ExecSession#write} is its keyboard,
     * or its input. It runs confined as the container's own processes are (no capability, no
     * privilege gained, the container's limits and networks), as {@link ExecSpec#user()}; it ends,
     * with what it started in its session, when the session is closed, and with its container.
     *
     * @throws StagehandException {@code NOT_FOUND} if no such container exists; {@code CONFLICT} if
     *         it does not run; {@code NOT_SUPPORTED} if this runtime has no terminals
     */
    default ExecSession exec(String containerId, ExecSpec spec, ExecListener listener)
    {
        throw new StagehandException(StandardErrorCode.NOT_SUPPORTED, getClass().getSimpleName() + " cannot run a process with a terminal in a container");
    }

    /**
     * Reads what a running container uses now (its CPU time so far, its memory), for monitoring:
     * one quick call, never a wait for a second reading.
     *
     * @return its stats, or empty if it does not run
     * @throws StagehandException {@code NOT_FOUND} if no such container exists; {@code NOT_SUPPORTED}
     *         if this runtime cannot tell
     */
    default Optional<ContainerStats> stats(String containerId)
    {
        throw new StagehandException(StandardErrorCode.NOT_SUPPORTED, getClass().getSimpleName() + " cannot tell what a container uses");
    }

    /**
     * Removes the container, killing it if it runs, with its anonymous volumes. Idempotent.
     *
     * @return whether a container was removed
     */
    boolean remove(String containerId);

    /**
     * Releases the provider's connections. Containers keep running.
     */
    @Override
    void close();
}
