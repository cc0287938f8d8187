package sh.stagehand.core.build;

import sh.stagehand.core.odoo.BuildVerdict;
import sh.stagehand.core.project.Stage;
import sh.stagehand.spi.runtime.ContainerInfo;

import java.time.Instant;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * One build: an Odoo server on one commit of one branch, with its own database.
 *
 * @param id unique, increasing
 * @param projectId the project
 * @param branch the branch
 * @param commitId the full commit id built
 * @param stage the branch's stage when the build was made
 * @param state where it is in its life
 * @param verdict success, warning or failed, once its logs are judged
 * @param databaseName its database: {@code <project>-<branch>-<id>}, or production's, which
 *         outlives its builds ({@link BuildNames#productionDatabaseName})
 * @param hostname its host name, {@code <project>-<branch>-<id>.<domain>}, or production's
 *         {@code <project>.<domain>}
 * @param smtpPassword the password the build's server logs in to the mail catcher with (a secret)
 * @param containerId its server container, while it has one
 * @param hostPort the port its server answers on, while running
 * @param hostAddress the address that port is at: the loopback address on the platform's own
 *        engine, the address of the node that runs it on a cluster
 * @param message a line for people: why it failed, what it is doing
 */
public record Build(
        long id,
        String projectId,
        String branch,
        String commitId,
        Stage stage,
        BuildState state,
        Optional<BuildVerdict> verdict,
        String databaseName,
        String hostname,
        String smtpPassword,
        Optional<String> containerId,
        Optional<Integer> hostPort,
        Optional<String> hostAddress,
        Optional<String> message,
        Instant createdAt,
        Optional<Instant> startedAt,
        Optional<Instant> finishedAt)
{
    public Build
    {
        requireNonNull(projectId, "projectId is null");
        requireNonNull(branch, "branch is null");
        requireNonNull(commitId, "commitId is null");
        requireNonNull(stage, "stage is null");
        requireNonNull(state, "state is null");
        requireNonNull(verdict, "verdict is null");
        requireNonNull(databaseName, "databaseName is null");
        requireNonNull(hostname, "hostname is null");
        requireNonNull(smtpPassword, "smtpPassword is null");
        requireNonNull(containerId, "containerId is null");
        requireNonNull(hostPort, "hostPort is null");
        requireNonNull(hostAddress, "hostAddress is null");
        requireNonNull(message, "message is null");
        requireNonNull(createdAt, "createdAt is null");
        requireNonNull(startedAt, "startedAt is null");
        requireNonNull(finishedAt, "finishedAt is null");
    }

    public Build withState(BuildState state, String message)
    {
        return new Build(id, projectId, branch, commitId, stage, state, verdict, databaseName, hostname, smtpPassword, containerId, hostPort, hostAddress,
                Optional.ofNullable(message), createdAt, startedAt, finishedAt);
    }

    /**
     * The build's own name, {@code <project>-<branch>-<id>}, unique among builds: its containers and
     * image are named after it (a production build's database is not its own).
     */
    public String instanceName()
    {
        return BuildNames.databaseName(projectId, branch, id);
    }

    public Build withNames(String databaseName, String hostname)
    {
        return new Build(id, projectId, branch, commitId, stage, state, verdict, databaseName, hostname, smtpPassword, containerId, hostPort, hostAddress,
                message, createdAt, startedAt, finishedAt);
    }

    public Build withVerdict(BuildVerdict verdict)
    {
        return new Build(id, projectId, branch, commitId, stage, state, Optional.of(verdict), databaseName, hostname, smtpPassword, containerId, hostPort, hostAddress,
                message, createdAt, startedAt, finishedAt);
    }

    /**
     * The build with no server, or its server's container and port, on the loopback address.
     */
    public Build withContainer(Optional<String> containerId, Optional<Integer> hostPort)
    {
        return new Build(id, projectId, branch, commitId, stage, state, verdict, databaseName, hostname, smtpPassword, containerId, hostPort,
                hostPort.map(port -> ContainerInfo.LOOPBACK), message, createdAt, startedAt, finishedAt);
    }

    /**
     * The build served by this container, on this port of it, where the runtime says it answers.
     */
    public Build withServer(ContainerInfo server, int port)
    {
        return new Build(id, projectId, branch, commitId, stage, state, verdict, databaseName, hostname, smtpPassword, Optional.of(server.id()),
                Optional.of(server.hostPort(port)), Optional.of(server.host()), message, createdAt, startedAt, finishedAt);
    }

    /**
     * @return {@code host:port} of its server, while it has one: where the platform reaches it
     */
    public Optional<String> serverAddress()
    {
        return hostPort.map(port -> hostAddress.orElse(ContainerInfo.LOOPBACK) + ":" + port);
    }

    public Build withStartedAt(Instant startedAt)
    {
        return new Build(id, projectId, branch, commitId, stage, state, verdict, databaseName, hostname, smtpPassword, containerId, hostPort, hostAddress,
                message, createdAt, Optional.of(startedAt), finishedAt);
    }

    public Build withFinishedAt(Instant finishedAt)
    {
        return new Build(id, projectId, branch, commitId, stage, state, verdict, databaseName, hostname, smtpPassword, containerId, hostPort, hostAddress,
                message, createdAt, startedAt, Optional.of(finishedAt));
    }

    @Override
    public String toString()
    {
        return "Build[" + id + " " + projectId + "/" + branch + "@" + commitId.substring(0, Math.min(8, commitId.length())) + " " + state + verdict.map(v -> " " + v).orElse("") + "]";
    }
}
