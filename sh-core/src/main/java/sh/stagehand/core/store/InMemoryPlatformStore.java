package sh.stagehand.core.store;

import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildNames;
import sh.stagehand.core.build.BuildState;
import sh.stagehand.core.mail.OutboundMail;
import sh.stagehand.core.project.Branch;
import sh.stagehand.core.project.Project;
import sh.stagehand.core.project.Stage;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.mail.CapturedMail;
import sh.stagehand.spi.mail.MailMessage;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * The platform's records in memory, lost when the process stops: for embedding and trying the
 * platform out, and for tests of pure logic. sh-postgres replaces it. Thread-safe.
 */
public final class InMemoryPlatformStore
        implements ProjectStore, BuildStore, OutboundMailStore
{
    private final Map<String, Project> projects = new TreeMap<>();
    private final Map<String, Map<String, Branch>> branches = new TreeMap<>();
    private final Set<String> deliveries = new HashSet<>();
    private final Map<String, String> heads = new HashMap<>();
    private final Map<Long, Build> builds = new LinkedHashMap<>();
    private final List<Event> events = new ArrayList<>();
    private long nextBuildId = 1;
    private long nextEventId = 1;
    private final Map<Long, OutboundMail> outbound = new LinkedHashMap<>();
    private long nextOutboundId = 1;

    @Override
    public synchronized void createProject(Project project)
    {
        if (projects.putIfAbsent(project.id(), project) != null) {
            throw new StagehandException(StandardErrorCode.ALREADY_EXISTS, "Project " + project.id() + " exists already; pick another id");
        }
    }

    @Override
    public synchronized void updateProject(Project project)
    {
        if (projects.replace(project.id(), project) == null) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "No project " + project.id() + " to update");
        }
    }

    @Override
    public synchronized Optional<Project> findProject(String projectId)
    {
        return Optional.ofNullable(projects.get(projectId));
    }

    @Override
    public synchronized List<Project> listProjects()
    {
        return List.copyOf(projects.values());
    }

    @Override
    public synchronized void saveBranch(Branch branch)
    {
        Map<String, Branch> ofProject = branches.computeIfAbsent(branch.projectId(), id -> new TreeMap<>());
        boolean otherProduction = ofProject.values().stream().anyMatch(other -> other.stage() == Stage.PRODUCTION && !other.name().equals(branch.name()));
        if (branch.stage() == Stage.PRODUCTION && otherProduction) {
            throw new StagehandException(StandardErrorCode.CONFLICT, "Project " + branch.projectId() + " has a production branch already; move it to another stage first");
        }
        for (Map<String, Branch> project : branches.values()) {
            for (Branch other : project.values()) {
                boolean same = other.projectId().equals(branch.projectId()) && other.name().equals(branch.name());
                Optional<String> taken = branch.domains().stream().filter(other.domains()::contains).findFirst();
                if (!same && taken.isPresent()) {
                    throw domainTaken(taken.get(), other, branch.projectId());
                }
            }
        }
        Branch existing = ofProject.get(branch.name());
        ofProject.put(branch.name(), existing == null ? branch : branch.withApps(existing.apps()).withAppsToRemove(existing.appsToRemove()));
    }

    @Override
    public synchronized Optional<Branch> changeBranchApps(String projectId, String name, List<String> added, List<String> removed)
    {
        return changeBranch(projectId, name, branch -> branch.withApps(changed(branch.apps(), added, removed)));
    }

    @Override
    public synchronized Optional<Branch> changeAppsToRemove(String projectId, String name, List<String> added, List<String> removed)
    {
        return changeBranch(projectId, name, branch -> branch.withAppsToRemove(changed(branch.appsToRemove(), added, removed)));
    }

    private Optional<Branch> changeBranch(String projectId, String name, UnaryOperator<Branch> change)
    {
        Map<String, Branch> ofProject = branches.get(projectId);
        Branch existing = ofProject == null ? null : ofProject.get(name);
        if (existing == null) {
            return Optional.empty();
        }
        Branch changed = change.apply(existing);
        ofProject.put(name, changed);
        return Optional.of(changed);
    }

    private static List<String> changed(List<String> names, List<String> added, List<String> removed)
    {
        List<String> changed = new ArrayList<>(names);
        added.stream().filter(name -> !changed.contains(name)).forEach(changed::add);
        changed.removeAll(removed);
        return changed;
    }

    @Override
    public synchronized Optional<Branch> findBranch(String projectId, String name)
    {
        return Optional.ofNullable(branches.getOrDefault(projectId, Map.of()).get(name));
    }

    @Override
    public synchronized List<Branch> listBranches(String projectId)
    {
        return List.copyOf(branches.getOrDefault(projectId, Map.of()).values());
    }

    @Override
    public synchronized List<Branch> listBranchesWithDomains()
    {
        return branches.values().stream()
                .flatMap(project -> project.values().stream())
                .filter(branch -> !branch.domains().isEmpty())
                .toList();
    }

    // Named only within the project: another project's branches are not this caller's to learn.
    private static StagehandException domainTaken(String domain, Branch owner, String projectId)
    {
        return new StagehandException(StandardErrorCode.CONFLICT, "Domain " + domain + " is already a custom domain of "
                + (owner.projectId().equals(projectId) ? "branch " + owner.name() : "another project") + "; remove it there first");
    }

    @Override
    public synchronized boolean deleteBranch(String projectId, String name)
    {
        heads.remove(projectId + "\0" + name);
        return branches.getOrDefault(projectId, new TreeMap<>()).remove(name) != null;
    }

    @Override
    public synchronized void recordBranchHead(String projectId, String name, String commitId)
    {
        heads.put(projectId + "\0" + name, commitId);
    }

    @Override
    public synchronized Optional<String> branchHead(String projectId, String name)
    {
        return Optional.ofNullable(heads.get(projectId + "\0" + name));
    }

    @Override
    public synchronized boolean recordDelivery(String projectId, String deliveryId)
    {
        return deliveries.add(projectId + "\0" + deliveryId);
    }

    @Override
    public synchronized void forgetDelivery(String projectId, String deliveryId)
    {
        deliveries.remove(projectId + "\0" + deliveryId);
    }

    @Override
    public synchronized Build createBuild(String projectId, String branch, String commitId, Stage stage, String domain, String smtpPassword, Instant createdAt)
    {
        long id = nextBuildId++;
        Build build = new Build(id, projectId, branch, commitId, stage, BuildState.QUEUED, Optional.empty(), BuildNames.databaseName(projectId, branch, id),
                BuildNames.hostname(projectId, branch, id, domain), smtpPassword, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), createdAt, Optional.empty(),
                Optional.empty());
        builds.put(id, build);
        return build;
    }

    @Override
    public synchronized Optional<Build> findBuild(long buildId)
    {
        return Optional.ofNullable(builds.get(buildId));
    }

    @Override
    public synchronized void updateBuild(Build build)
    {
        if (builds.replace(build.id(), build) == null) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "No build " + build.id() + " to update");
        }
    }

    @Override
    public synchronized boolean updateBuildIf(BuildState expected, Build build)
    {
        Build current = builds.get(build.id());
        if (current == null || current.state() != expected) {
            return false;
        }
        builds.put(build.id(), build);
        return true;
    }

    @Override
    public synchronized List<Build> listBuilds(String projectId, String branch)
    {
        return builds.values().stream()
                .filter(build -> build.projectId().equals(projectId) && build.branch().equals(branch))
                .sorted(Comparator.comparingLong(Build::id).reversed())
                .toList();
    }

    @Override
    public synchronized Map<String, List<Build>> listRecentBuilds(String projectId, int perBranch)
    {
        Map<String, List<Build>> recent = new TreeMap<>();
        builds.values().stream()
                .filter(build -> build.projectId().equals(projectId))
                .sorted(Comparator.comparingLong(Build::id).reversed())
                .forEach(build -> {
                    List<Build> ofBranch = recent.computeIfAbsent(build.branch(), branch -> new ArrayList<>());
                    if (ofBranch.size() < perBranch) {
                        ofBranch.add(build);
                    }
                });
        recent.replaceAll((branch, list) -> List.copyOf(list));
        return recent;
    }

    @Override
    public synchronized List<Build> listBuildsInState(Set<BuildState> states)
    {
        return builds.values().stream().filter(build -> states.contains(build.state())).toList();
    }

    @Override
    public synchronized Event appendEvent(Event event)
    {
        Event stored = new Event(nextEventId++, event.projectId(), event.branch(), event.buildId(), event.kind(), event.message(), event.at());
        events.add(stored);
        return stored;
    }

    @Override
    public synchronized List<Event> listEvents(String projectId, Optional<String> branch, int limit)
    {
        List<Event> matching = new ArrayList<>();
        for (int index = events.size() - 1; index >= 0 && matching.size() < limit; index--) {
            Event event = events.get(index);
            if (event.projectId().equals(projectId) && (branch.isEmpty() || event.branch().equals(branch))) {
                matching.add(event);
            }
        }
        return matching;
    }

    @Override
    public synchronized OutboundMail enqueue(String projectId, MailMessage message, Instant at)
    {
        long id = nextOutboundId++;
        OutboundMail mail = new OutboundMail(projectId, new CapturedMail(Long.toString(id), at, message), OutboundMail.State.QUEUED, 0, Optional.of(at), Optional.empty(), Optional.empty());
        outbound.put(id, mail);
        return mail;
    }

    @Override
    public synchronized List<OutboundMail> dueMail(Instant now, int limit)
    {
        return outbound.values().stream()
                .filter(mail -> mail.state() == OutboundMail.State.QUEUED && !mail.nextAttemptAt().orElseThrow().isAfter(now))
                .limit(limit)
                .toList();
    }

    @Override
    public synchronized int makeAllDue(Instant now)
    {
        int queued = 0;
        for (OutboundMail mail : List.copyOf(outbound.values())) {
            if (mail.state() == OutboundMail.State.QUEUED) {
                outbound.put(mail.id(), new OutboundMail(mail.projectId(), mail.mail(), mail.state(), mail.attempts(), Optional.of(now), mail.lastError(), mail.finishedAt()));
                queued++;
            }
        }
        return queued;
    }

    @Override
    public synchronized void recordAttempt(long id, OutboundMail.State state, Optional<Instant> nextAttemptAt, Optional<String> error, Optional<Instant> finishedAt)
    {
        OutboundMail mail = outbound.get(id);
        if (mail == null) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "No outbound mail " + id);
        }
        outbound.put(id, new OutboundMail(mail.projectId(), mail.mail(), state, mail.attempts() + 1, nextAttemptAt, error, finishedAt));
    }

    @Override
    public synchronized List<OutboundMail> listOutboundMail(String projectId, int limit)
    {
        List<OutboundMail> mails = new ArrayList<>(outbound.values().stream().filter(mail -> mail.projectId().equals(projectId)).toList());
        java.util.Collections.reverse(mails);
        return mails.stream().limit(limit).toList();
    }

    @Override
    public synchronized Optional<OutboundMail> findOutboundMail(long id)
    {
        return Optional.ofNullable(outbound.get(id));
    }
}
