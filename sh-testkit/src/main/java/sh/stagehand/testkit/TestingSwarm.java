package sh.stagehand.testkit;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Docker Swarm of three real engines on this machine (a drained manager and two workers, each in
 * a network namespace of its own, and a registry), made by the project's {@code bin/swarm-up}
 * before the class's tests and undone by {@code bin/swarm-down} after them, which leaves the
 * host's engine and firewall as they were. Images the tests need are loaded into the manager from
 * the host's engine. A machine where it cannot be made fails the tests: it does not skip them.
 * Its keys ({@link #keys()}) are what a Swarm runtime and a platform on it need: {@code swarm.manager},
 * {@code swarm.nodes}, {@code swarm.registry}, and {@code swarm.platform-address}, the host's address
 * on the cluster's network, where the nodes reach PostgreSQL and the mail catcher.
 */
public final class TestingSwarm
        implements BeforeAllCallback, AfterAllCallback
{
    private final List<String> images;
    private final Map<String, String> keys = new LinkedHashMap<>();

    /**
     * @param images images of the host's engine the manager gets
     */
    public TestingSwarm(String... images)
    {
        this.images = List.of(images);
    }

    /**
     * @return the {@code swarm.*} keys of the cluster
     */
    public Map<String, String> keys()
    {
        return Map.copyOf(keys);
    }

    public String platformAddress()
    {
        return keys.get("swarm.platform-address");
    }

    /**
     * Cuts the node at this address off the cluster's network, as a node lost (its engine and
     * what runs there go on, out of reach), or connects it again.
     */
    public void cutOff(String address, boolean cut)
            throws IOException, InterruptedException
    {
        String node = address.substring(address.lastIndexOf('.') + 1);
        if (!node.matches("1[0-9]")) {
            throw new IllegalArgumentException("Not a node of bin/swarm-up's cluster: " + address);
        }
        run("ip link set veth-sw" + node.substring(1) + (cut ? " down" : " up"));
    }

    /**
     * Drains the node at this address (Swarm moves its tasks off it), or makes it active again.
     */
    public void drain(String address, boolean drain)
            throws IOException, InterruptedException
    {
        String manager = "docker -H " + managerHost();
        run(manager + " node update --availability " + (drain ? "drain" : "active") + " $(" + manager + " node ls -q | while read id; do [ \"$(" + manager
                + " node inspect -f '{{.Status.Addr}}' $id)\" = " + address + " ] && echo $id; done)");
    }

    public String managerHost()
    {
        return keys.get("swarm.manager");
    }

    @Override
    public void beforeAll(ExtensionContext context)
            throws Exception
    {
        String output = run(script("swarm-up").toString());
        for (String line : output.lines().toList()) {
            int equals = line.indexOf('=');
            if (line.startsWith("swarm.") && equals > 0) {
                keys.put(line.substring(0, equals), line.substring(equals + 1));
            }
        }
        if (!keys.containsKey("swarm.manager")) {
            throw new IllegalStateException("bin/swarm-up printed no swarm.manager: " + output);
        }
        for (String image : images) {
            run("docker save " + image + " | docker -H " + managerHost() + " load -q");
        }
    }

    @Override
    public void afterAll(ExtensionContext context)
            throws Exception
    {
        run(script("swarm-down") + " --purge");
    }

    private static Path script(String name)
    {
        for (Path directory = Path.of("").toAbsolutePath(); directory != null; directory = directory.getParent()) {
            Path script = directory.resolve("bin").resolve(name);
            if (Files.isExecutable(script)) {
                return script;
            }
        }
        throw new IllegalStateException("No bin/" + name + " above " + Path.of("").toAbsolutePath());
    }

    private static String run(String command)
            throws IOException, InterruptedException
    {
        Process process = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IllegalStateException(command + " failed: " + output);
        }
        return output;
    }
}
